package rollout_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/gymkit/gym/rollout"
)

func ExampleParseTask() {
	row := []byte(`{"id": 7, "responses_create_params": {"input": "What is 2+2?"}, "expected": 4}`)
	task, err := rollout.ParseTask(row)
	if err != nil {
		panic(err)
	}
	params, _ := task.Params()
	input, _ := params.Input()
	fmt.Println(input[0].Role(), input[0].Text())

	// Unknown fields ride along, in order; a default agent is added.
	fmt.Println(string(task.WithAgent("math_agent").AppendJSON(nil)))
	// Output:
	// user What is 2+2?
	// {"id":7,"responses_create_params":{"input": "What is 2+2?"},"expected":4,"agent_ref":{"type":"responses_api_agents","name":"math_agent"}}
}

func ExampleResult_AppendJSON() {
	task, _ := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"hi"}}`))
	var fields rollout.Object
	fields.Set("accuracy", json.RawMessage(`true`))
	res := &rollout.Result{
		Task:     task,
		Agent:    "simple_agent",
		Response: &rollout.Response{Output: []rollout.Item{rollout.NewOutputMessage("msg_1", "hello")}},
		Reward:   1,
		Fields:   fields,
	}
	fmt.Println(string(res.AppendJSON(nil)))
	// Output:
	// {"responses_create_params":{"input":"hi"},"_ng_task_index":0,"_ng_rollout_index":0,"agent_ref":{"type":"responses_api_agents","name":"simple_agent"},"response":{"output":[{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","annotations":[],"text":"hello"}]}]},"reward":1.0,"accuracy":true}
}

func ExampleReadTasks() {
	data := `{"responses_create_params":{"input":"first"}}

{"responses_create_params":
{"responses_create_params":{"input":"second"}}
`
	for task, err := range rollout.ReadTasks(strings.NewReader(data), "train.jsonl") {
		if err != nil {
			fmt.Println("skip:", err) // a *LineError; reading goes on
			continue
		}
		p, _ := task.Params()
		in, _ := p.Input()
		fmt.Println("task:", in[0].Text())
	}
	// Output:
	// task: first
	// skip: train.jsonl:3: unexpected end of JSON input
	// task: second
}

func ExampleWriter() {
	w := rollout.NewWriter(os.Stdout) // safe for concurrent use: one Write per line
	_ = w.Write(rollout.NewMessage("user", "hi"))
	_ = w.Write(&rollout.Result{Err: rollout.Fail(rollout.FailTimeout, "model", fmt.Errorf("no answer in 30s"))})
	fmt.Println(w.Lines(), "lines")
	// Output:
	// {"type":"message","role":"user","content":"hi"}
	// {"_ng_task_index":0,"_ng_rollout_index":0,"_ng_failure_class":"timeout","_ng_failure_stage":"model","_ng_failure_message":"no answer in 30s","_ng_failure_retryable":true}
	// 2 lines
}

// A collection gives every attempt an identity; a model with several
// servers sends every call of the attempt to the server its id picks.
func ExampleID() {
	id := rollout.ID{Task: 3, Rollout: 2, Attempt: 1, UID: "0123456789abcdef0123456789abcdef"}
	fmt.Println(id)
	fmt.Println("server", id.Endpoint(3), "of 3")

	row, _ := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"hi"}}`))
	res := &rollout.Result{Task: row, TaskIndex: 3, RolloutIndex: 2, ID: id, Reward: 1}
	fmt.Println(string(res.AppendJSON(nil)))
	// Output:
	// task 3 rollout 2 attempt 1 (0123456789abcdef0123456789abcdef)
	// server 1 of 3
	// {"responses_create_params":{"input":"hi"},"_ng_task_index":3,"_ng_rollout_index":2,"_ng_rollout_attempt":1,"_ng_rollout_uid":"0123456789abcdef0123456789abcdef","reward":1.0}
}
