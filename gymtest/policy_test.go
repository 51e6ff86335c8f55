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
