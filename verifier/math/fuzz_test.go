package math_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	mathv "github.com/gymkit/gym/verifier/math"
)

// pathological are inputs that must come back quickly with reward 0 (or a
// definite answer), never hang, panic or allocate without bound.
var pathological = []struct{ name, expected, generated string }{
	{"deep nesting", "1", `\boxed{` + strings.Repeat(`\frac{1}{`, 5000) + "1" + strings.Repeat("}", 5000) + "}"},
	{"deep parentheses", "1", `\boxed{` + strings.Repeat("(", 20000) + "1" + strings.Repeat(")", 20000) + "}"},
	{"deep sqrt", "2", `$` + strings.Repeat(`\sqrt{`, 3000) + "2" + strings.Repeat("}", 3000) + "$"},
	{"1 MB answer", "1", `\boxed{` + strings.Repeat("1+", 500000) + "1}"},
	{"1 MB text", "7", strings.Repeat("The answer is 3. ", 60000) + `\boxed{7}`},
	{"tower exponent", "1", `\boxed{10^{10^{10}}}`},
	{"huge exponent", `10^{10^{10}}`, `\boxed{10^{10^{10}}+1}`},
	{"power tower", "2", `\boxed{2^{2^{2^{2^{2^{2^{2}}}}}}}`},
	{"huge integer", "1", `\boxed{` + strings.Repeat("9", 400000) + "}"},
	{"huge factorial", "1", `\boxed{100000000!}`},
	{"unbalanced open", "1", `\boxed{\frac{1}{2` + strings.Repeat("{", 1000)},
	{"unbalanced close", "1", `\boxed{1}}}}}` + strings.Repeat("}", 1000)},
	{"dollar storm", "1", strings.Repeat("$", 100000)},
	{"brackets storm", "1", strings.Repeat(`\[`, 20000) + strings.Repeat(`\]`, 20000)},
	{"many boxed", "1", strings.Repeat(`\boxed{1} and `, 20000)},
	{"zero division", "1", `\boxed{\frac{1}{0}}`},
	{"zero to negative", "0", `\boxed{0^{-1}}`},
	{"geometric series", "0", `\boxed{\frac{x^{800}-1}{x-1}-(` + geometric(800) + `)}`},
}

func geometric(n int) string {
	var b strings.Builder
	b.WriteString("1")
	for i := 1; i < n; i++ {
		b.WriteString("+x^{")
		b.WriteString(strings.Repeat("", 0))
		b.WriteString(itoa(i))
		b.WriteString("}")
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for i > 0 {
		d = append([]byte{byte('0' + i%10)}, d...)
		i /= 10
	}
	return string(d)
}

// Pathological LaTeX returns within the configured time.
func TestPathological(t *testing.T) {
	for _, c := range pathological {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			r := mathv.Score(ctx, c.expected, c.generated)
			require.Less(t, time.Since(start), 10*time.Second)
			require.Contains(t, []float64{0, 1}, r.Reward)
		})
	}
}

// FuzzScore: any expected answer and response are scored without a panic
// and within the deadline.
func FuzzScore(f *testing.F) {
	for _, c := range pathological {
		if len(c.generated) < 4096 {
			f.Add(c.expected, c.generated)
		}
	}
	for _, s := range []string{`\boxed{\frac{1}{2}}`, `$x^2+1$`, `[0,1)`, `\{1,2\}`, `x \in (0, \infty)`,
		`\begin{pmatrix}1&2\\3&4\end{pmatrix}`, `50\%`, `1,000.5`, `\sqrt[3]{8}`, `\left( 1, 2 \right]`, `a=b=c`,
		`\text{yes}`, `1 \pm \sqrt{2}`, `|x|<1`, `\log_2 8`, `e^{i\pi}`, `2\frac{1}{2}`, `\binom{5}{2}`} {
		f.Add(s, `The final answer is $`+s+`$. I hope it is correct.`)
		f.Add("1", s)
	}
	f.Fuzz(func(t *testing.T, expected, generated string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		r := mathv.Score(ctx, expected, generated)
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("Score took %v", d)
		}
		if r.Reward != 0 && r.Reward != 1 {
			t.Fatalf("reward %v", r.Reward)
		}
		if r.Extracted != nil {
			_ = *r.Extracted
		}
	})
}

// FuzzParse: extraction and printing of any text never panic.
func FuzzParse(f *testing.F) {
	for _, c := range pathological {
		if len(c.generated) < 4096 {
			f.Add(c.generated)
		}
	}
	f.Add(`\boxed{\dfrac{(1+\sqrt{3})^{4033}-(1-\sqrt{3})^{4033}}{2^{2017}\sqrt{3}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range mathv.Parse(s, mathv.Expression(), mathv.Latex()) {
			_ = x.String()
		}
	})
}
