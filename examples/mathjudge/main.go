// Command mathjudge collects one rollout per row of the math_with_judge
// example dataset with a scripted policy that answers every question in
// \boxed{} (some answers right in another form, some wrong), scores them
// with math_with_judge's library path and prints each reward with the
// extracted answer, as NeMo Gym records it. It runs offline.
//
//	go run ./examples/mathjudge
package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env/mathjudge"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// answers are the scripted policy's answers, by question.
var answers = map[string]string{
	"What is the sum of the first 100 positive integers?":        `\boxed{5050}`,
	`Simplify \( \frac{18}{24} \).`:                              `\boxed{0.75}`,
	"What is the length of the diagonal of a unit square?":       `\boxed{\frac{2}{\sqrt{2}}}`,
	"A circle has radius 3. What is its area?":                   `The area is $\boxed{9\pi}$.`,
	`Solve \( 2x + 6 = 0 \) for \( x \).`:                        `\boxed{x = -3}`,
	`For which real \( x \) is \( x^2 < 4 \)? Give an interval.`: `\boxed{[-2, 2]}`,
	`List the roots of \( x^3 - 6x^2 + 11x - 6 \).`:              `\boxed{3, 2, 1}`,
	"What percentage of 80 is 20?":                               `\boxed{25\%}`,
	`Compute \( 0.1 + 0.25 \).`:                                  `\boxed{\frac{7}{20}}`,
	`Expand \( (x+1)^2 \).`:                                      `\boxed{(x+1)(x+1)}`,
}

func main() {
	input := flag.String("input", "testdata/math_with_judge/example.jsonl", "dataset JSONL")
	flag.Parse()
	if err := run(*input); err != nil {
		log.Fatal(err)
	}
}

func run(input string) error {
	no := false
	srv, v, err := mathjudge.New(mathjudge.Config{ShouldUseJudge: &no}, nil)
	if err != nil {
		return err
	}
	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("msg", answers[lastUserText(req.Input)])), nil
	})
	var reg gym.Registry
	if err := reg.Register("math_with_judge_simple_agent", gym.Environment{Model: policy, Resources: srv, Verifier: v, MaxSteps: 1}); err != nil {
		return err
	}
	c := gym.Collector{Registry: &reg, DefaultAgent: "math_with_judge_simple_agent", Concurrency: 4}
	for res, err := range c.Collect(context.Background(), gym.FromFile(input)) {
		if err != nil {
			return err
		}
		if res.Err != nil {
			return res.Err
		}
		var question, extracted string
		_ = res.Task.Decode("question", &question)
		if raw, ok := res.Field("extracted_answer"); ok {
			extracted = string(raw)
		}
		fmt.Printf("%v  %-24s %s\n", res.Reward, extracted, question)
	}
	return nil
}

// lastUserText is the question: the text after the instruction line.
func lastUserText(items []rollout.Item) string {
	if len(items) == 0 {
		return ""
	}
	text := items[len(items)-1].Text()
	const prefix = "Solve the following math problem. Make sure to put the answer (and only answer) inside \\boxed{}.\n\n"
	if len(text) >= len(prefix) && text[:len(prefix)] == prefix {
		return text[len(prefix):]
	}
	return text
}
