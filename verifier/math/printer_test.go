package math_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	mathv "github.com/gymkit/gym/verifier/math"
)

// TestPrinting: LaTeX answers print as SymPy prints math_verify's parse of
// them (testdata/printing.jsonl: [latex, str(parse(\boxed{latex})[0])],
// null where math_verify extracts nothing).
func TestPrinting(t *testing.T) { printingFacts(t, "testdata/printing.jsonl") }

// TestPrintingRandom: 400 random nested expressions (sums, products,
// fractions, powers, roots, functions, absolute values, constants, floats).
func TestPrintingRandom(t *testing.T) { printingFacts(t, "testdata/printing_random.jsonl") }

func printingFacts(t *testing.T, path string) {
	// Known misses: LaTeX strings (one JSON string a line) printed
	// differently; they must still differ.
	misses := map[string]bool{}
	if data, err := os.ReadFile(strings.TrimSuffix(path, ".jsonl") + "_known_misses.jsonl"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			var s string
			if json.Unmarshal([]byte(l), &s) == nil {
				misses[s] = true
			}
		}
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, ok := 0, 0
	for sc.Scan() {
		var c [2]*string
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		n++
		got := mathv.Parse(`\boxed{`+*c[0]+`}`, mathv.Latex())
		var s *string
		if len(got) > 0 {
			x := got[0].String()
			s = &x
		}
		same := str(s) == str(c[1])
		if same && misses[*c[0]] {
			t.Errorf("%s now prints as SymPy: remove it from the known misses", *c[0])
		}
		if same {
			ok++
			continue
		}
		if misses[*c[0]] {
			continue
		}
		t.Errorf("%s: got %s, SymPy prints %s", *c[0], str(s), str(c[1]))
	}
	require.NoError(t, sc.Err())
	t.Logf("%d/%d print as SymPy", ok, n)
}
