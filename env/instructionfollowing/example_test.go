package instructionfollowing_test

import (
	"fmt"

	"github.com/gymkit/gym/env/instructionfollowing"
	"github.com/gymkit/gym/rollout"
)

func ExampleVerify() {
	task, err := rollout.ParseTask([]byte(`{"id": 7,
		"responses_create_params": {"input": "Write a haiku with a title and no commas."},
		"verifier_metadata": {"instruction_id_list": ["detectable_format:title", "punctuation:no_comma"],
			"prompt": "Write a haiku with a title and no commas.", "kwargs": [null, {}], "grading_mode": "fraction"}}`))
	if err != nil {
		panic(err)
	}
	var resp rollout.Response
	if err := resp.UnmarshalJSON([]byte(`{"output": [{"type": "message", "role": "assistant",
		"content": [{"type": "output_text", "text": "<<Dawn>>\nsoft light, on the hill\nbirds wake"}]}]}`)); err != nil {
		panic(err)
	}
	res, err := instructionfollowing.Verify(task, &resp)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Reward, res.FollowAll, res.FollowList)
	// Output: 0.5 false [true false]
}
