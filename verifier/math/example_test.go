package math_test

import (
	"context"
	"fmt"

	mathv "github.com/gymkit/gym/verifier/math"
)

func ExampleScore() {
	ctx := context.Background()
	for _, c := range [][2]string{
		{`\(\frac{1}{2}\)`, `So the answer is $\boxed{0.5}$.`},
		{`\(\sqrt{2}\)`, `\boxed{\frac{2}{\sqrt{2}}}`},
		{"32", `The answer is 33.`},
		{`[0, 1)`, `\boxed{[0,1)}`},
	} {
		r := mathv.Score(ctx, c[0], c[1])
		fmt.Println(r.Reward, *r.Extracted)
	}
	// Output:
	// 1 1/2
	// 1 2/(sqrt(2))
	// 0 33
	// 1 Interval.Ropen(0, 1)
}

func ExampleParse() {
	for _, x := range mathv.Parse(`The final answer is $x^2 + \frac{\pi}{3}$. I hope it is correct.`, mathv.Latex()) {
		fmt.Printf("%q\n", x.String())
	}
	// Output:
	// "x**2 + pi/3"
	// "x^2 + \\frac{\\pi}{3}"
}

func ExampleVerify() {
	gold := mathv.Parse(`$\{1, 2, 3\}$`, mathv.Latex())
	pred := mathv.Parse(`The solutions are $3$, $1$ and $2$.`, mathv.Latex())
	fmt.Println(mathv.Verify(context.Background(), gold, pred, mathv.DefaultOptions()))
	// Output:
	// true
}
