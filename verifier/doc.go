// Package verifier turns a finished rollout into a reward. A Verifier gets
// the dataset row, the episode's response and the rollout's still-open
// session, and returns a Verdict: the reward, named extra fields written
// next to it in the output row, and optional reward components.
//
//	v := verifier.Func(func(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
//		var want string
//		if err := req.Task.Decode("expected_answer", &want); err != nil {
//			return nil, err
//		}
//		got := verifier.LastMessage(req.Response.Output)
//		reward := 0.0
//		if strings.TrimSpace(got) == want {
//			reward = 1
//		}
//		return verifier.Reward(reward).Set("answer", got), nil
//	})
package verifier
