package math_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	mathv "github.com/gymkit/gym/verifier/math"
)

// TestPrinting: LaTeX answers print as SymPy prints math_verify's parse of
// them (testdata/printing.jsonl: [latex, str(parse(\boxed{latex})[0])],
// null where math_verify extracts nothing).
func TestPrinting(t *testing.T) {
	f, err := os.Open("testdata/printing.jsonl")
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
		if str(s) == str(c[1]) {
			ok++
			continue
		}
		t.Errorf("%s: got %s, SymPy prints %s", *c[0], str(s), str(c[1]))
	}
	require.NoError(t, sc.Err())
	t.Logf("%d/%d print as SymPy", ok, n)
}
