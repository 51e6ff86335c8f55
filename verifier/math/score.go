package math

import (
	"context"
	"strings"
)

// Result is the outcome of Score.
type Result struct {
	Reward float64
	// Extracted is the answer NeMo Gym records as extracted_answer: the
	// first extracted prediction string equal to an extracted gold string,
	// else the first extracted prediction; nil when nothing was extracted
	// or the gold answer did not parse.
	Extracted *string
}

// StripDelimiters removes outer \( \) and $ $ from an expected answer, as
// NeMo Gym's math_with_judge does before wrapping it in \boxed{}.
func StripDelimiters(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `\(`) && strings.HasSuffix(s, `\)`) && len(s) >= 4 {
		s = strings.TrimSpace(s[2 : len(s)-2])
	}
	if strings.HasPrefix(s, "$") && strings.HasSuffix(s, "$") && len(s) > 1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// MaxInput bounds the text Score extracts answers from; longer texts are
// scored on their last MaxInput bytes (where the final answer is).
const MaxInput = 1 << 15

// Score is NeMo Gym's library path of math_with_judge: math_metric with the
// gold extracted by Latex() from \boxed{expected} and the prediction by
// Expression() and Latex(), compared with Verify at its default precision.
// A gold answer that yields nothing, or ctx ending, scores 0 with nothing
// extracted — as NeMo Gym's subprocess timeout does.
func Score(ctx context.Context, expected, generated string) Result {
	gold := ParseContext(ctx, `\boxed{`+StripDelimiters(expected)+`}`, Latex())
	if len(gold) == 0 || ctx.Err() != nil {
		return Result{}
	}
	if len(generated) > MaxInput {
		generated = generated[len(generated)-MaxInput:]
	}
	pred := ParseContext(ctx, generated, Expression(), Latex())
	if ctx.Err() != nil {
		return Result{}
	}
	var reward float64
	if Verify(ctx, gold, pred, DefaultOptions()) {
		reward = 1
	}
	if ctx.Err() != nil {
		return Result{}
	}
	goldStr := make([]Extracted, len(gold))
	for i, g := range gold {
		goldStr[i] = Extracted{Text: g.String()}
	}
	var first *string
	for i, p := range pred {
		s := p.String()
		if i == 0 {
			first = &s
		}
		if Verify(ctx, goldStr, []Extracted{{Text: s}}, DefaultOptions()) {
			return Result{Reward: reward, Extracted: &s}
		}
	}
	return Result{Reward: reward, Extracted: first}
}
