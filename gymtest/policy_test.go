package gymtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func TestByTool(t *testing.T) {
	say := func(text string) model.Model {
		return model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewOutputMessage("m", text)), nil
		})
	}
	m := gymtest.ByTool(map[string]model.Model{"get_weather": say("weather"), "lookup": say("lookup")}, say("fallback"))
	ask := func(body string) string {
		t.Helper()
		o, err := rollout.ParseObject([]byte(body))
		require.NoError(t, err)
		resp, err := m.Respond(context.Background(), &model.Request{Params: rollout.Params{Object: o}})
		require.NoError(t, err)
		return resp.Output[0].Text()
	}
	require.Equal(t, "lookup", ask(`{"tools":[{"type":"function","name":"other"},{"type":"function","name":"lookup"}]}`))
	require.Equal(t, "weather", ask(`{"tools":[{"type":"function","name":"get_weather"}]}`))
	require.Equal(t, "fallback", ask(`{}`))

	none := gymtest.ByTool(nil, nil)
	_, err := none.Respond(context.Background(), &model.Request{})
	require.ErrorContains(t, err, "no policy")
}

// Policy serves a Responses-API model over Chat Completions too, with vLLM's
// token fields, so a vllm_model client runs against it.
func TestPolicyServesChatCompletions(t *testing.T) {
	var got *model.Request
	m := model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		got = req
		if len(req.Input) > 1 {
			return model.NewResponse(rollout.NewOutputMessage("m", "sunny")), nil
		}
		return model.NewResponse(rollout.NewFunctionCall("call_1", "get_weather", `{"city":"Paris"}`)), nil
	})
	srv := gymtest.NewServer(gymtest.Policy(m))
	defer srv.Close()
	for _, api := range []string{"responses", "chat"} {
		var client model.Model
		var err error
		if api == "chat" {
			client, err = model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL}, Model: "m", ReturnTokenIDInformation: true})
		} else {
			client, err = model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "m"})
		}
		require.NoError(t, err)
		in := []rollout.Item{rollout.NewMessage("user", "weather in Paris?")}
		resp, err := client.Respond(context.Background(), &model.Request{Input: in})
		require.NoError(t, err, api)
		require.Len(t, resp.Output, 1)
		call := resp.Output[0]
		require.Equal(t, rollout.TypeFunctionCall, call.Type(), api)
		require.Equal(t, "get_weather", call.Name())
		require.Equal(t, "weather in Paris?", got.Input[0].Text())
		if api == "chat" {
			tok, err := call.Tokens()
			require.NoError(t, err)
			require.NotNil(t, tok, "vLLM token ids on the last item of the call")
			require.NotEmpty(t, tok.PromptIDs)
		}
		in = append(in, call, rollout.NewFunctionCallOutput(call.CallID(), `{"sky":"clear"}`))
		resp, err = client.Respond(context.Background(), &model.Request{Input: in})
		require.NoError(t, err, api)
		require.Equal(t, "sunny", resp.Output[len(resp.Output)-1].Text())
	}
	paths := map[string]int{}
	for _, r := range srv.Requests() {
		paths[r.Path]++
	}
	require.Equal(t, 2, paths["/v1/chat/completions"])
	require.Equal(t, 2, paths["/v1/responses"])
}

// Recorded answers each conversation with its recorded rollout's turns, and
// a conversation it has not recorded with an error that names it.
func TestRecorded(t *testing.T) {
	row := func(s string) *rollout.Result {
		r, err := rollout.ParseResult([]byte(s))
		require.NoError(t, err)
		return r
	}
	m, err := gymtest.Recorded([]*rollout.Result{
		row(`{"responses_create_params":{"input":[{"role":"user","content":"a"}]},"_ng_task_index":0,"_ng_rollout_index":0,"reward":1.0,
			"response":{"output":[{"type":"function_call","name":"f","arguments":"{}","call_id":"c1"},{"type":"function_call_output","call_id":"c1","output":"x"},
			{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A"}]}]}}`),
		row(`{"responses_create_params":{"input":"b"},"_ng_task_index":1,"_ng_rollout_index":0,"reward":1.0,
			"response":{"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"B"}]}]}}`),
	})
	require.NoError(t, err)
	ask := func(items ...rollout.Item) *rollout.Response {
		resp, err := m.Respond(context.Background(), &model.Request{Input: items})
		require.NoError(t, err)
		return resp
	}
	require.Equal(t, "B", ask(rollout.NewMessage("user", "b")).Output[0].Text())
	first := ask(rollout.NewMessage("user", "a")).Output[0]
	require.Equal(t, "f", first.Name())
	second := ask(rollout.NewMessage("user", "a"), first, rollout.NewFunctionCallOutput("c1", "x"))
	require.Equal(t, "A", second.Output[0].Text())

	_, err = m.Respond(context.Background(), &model.Request{Input: []rollout.Item{rollout.NewMessage("user", "unknown")}})
	require.ErrorContains(t, err, `no recorded rollout has this conversation (user: "unknown")`)
	_, err = gymtest.Recorded(nil)
	require.Error(t, err)
	_, err = gymtest.Listen("256.0.0.1:bad", nil)
	require.Error(t, err)
}

func TestCallThenAnswer(t *testing.T) {
	m := gymtest.CallThenAnswer(`\boxed{B}`)
	ask := func(input string) *rollout.Response {
		t.Helper()
		req, err := model.ParseRequest([]byte(input))
		require.NoError(t, err)
		resp, err := m.Respond(context.Background(), req)
		require.NoError(t, err)
		require.Len(t, resp.Output, 1)
		return resp
	}
	tools := `"tools":[{"type":"function","name":"lookup","parameters":{"type":"object"}}]`
	call := ask(`{"input":"q",` + tools + `}`).Output[0]
	require.Equal(t, "function_call", call.Type())
	require.Equal(t, "lookup", call.Name())
	require.Equal(t, "{}", call.Arguments())
	after := ask(`{"input":[{"role":"user","content":"q"},{"type":"function_call","name":"lookup","arguments":"{}","call_id":"call_1"},{"type":"function_call_output","call_id":"call_1","output":"1"}],` + tools + `}`)
	require.Equal(t, `\boxed{B}`, after.Output[0].Text())
	require.Equal(t, `\boxed{B}`, ask(`{"input":"q"}`).Output[0].Text())
}
