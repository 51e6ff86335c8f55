// Package reftest finds NeMo Gym's reference data (../shared/reference
// beside the repository) for tests. Where it is absent the tests that need
// it skip, unless GYM_REQUIRE_REFERENCE=1 (set by .ci/run) makes that a
// failure, so CI can never pass without them.
package reftest

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvRequire is the environment variable that turns a missing reference
// directory into a test failure.
const EnvRequire = "GYM_REQUIRE_REFERENCE"

// Dir returns the nemo-gym reference directory, or skips (fails, under
// GYM_REQUIRE_REFERENCE=1) the test if it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	if d, ok := find(); ok {
		return d
	}
	msg := "NeMo Gym reference data (../shared/reference/nemo-gym beside the repository) is absent"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg + "; " + EnvRequire + "=1 requires it")
	}
	t.Skip(msg + "; skipping")
	return ""
}

// Path returns a file under the reference directory (see Dir).
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}

func find() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			ref := filepath.Join(dir, "..", "shared", "reference", "nemo-gym")
			if st, err := os.Stat(ref); err == nil && st.IsDir() {
				return ref, true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
