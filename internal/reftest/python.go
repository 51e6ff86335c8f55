package reftest

import (
	"os"
	"os/exec"
	"testing"
)

// Python skips the test where python3 is absent (code_gen runs programs
// with it), unless GYM_REQUIRE_REFERENCE=1 makes that a failure: CI has
// python3.
func Python(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err == nil {
		return
	}
	msg := "python3 is needed to run code_gen's programs and is absent"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg + "; " + EnvRequire + "=1 requires it")
	}
	t.Skip(msg + "; skipping")
}
