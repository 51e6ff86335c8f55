package model_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// BenchmarkModelCall measures one model call through each client against
// the fake server on loopback (request encoding, HTTP, the server's answer,
// decoding into items): a 3-message conversation with one tool.
//
//	go test -run='^$' -bench=BenchmarkModelCall -benchmem ./model
func BenchmarkModelCall(b *testing.B) {
	srv := gymtest.NewServer(gymtest.Turns(gymtest.ToolCall("get_weather", `{"city": "San Francisco"}`)))
	defer srv.Close()
	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":[
		{"role":"developer","content":"You are a helpful assistant."},
		{"role":"user","content":"what's the weather in sf?"}],
		"tools":[{"type":"function","name":"get_weather","description":"","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}]}}`))
	if err != nil {
		b.Fatal(err)
	}
	params, _ := task.Params()
	input, _ := params.Input()
	req := &model.Request{Params: params, Input: input}

	openaiM, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "m", HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	vllmM, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL}, Model: "m", HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	vllmTokens, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL}, Model: "m", HTTPClient: srv.Client(),
		ReturnTokenIDInformation: true, RequestPromptAndGenerationTokenIDs: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    model.Model
	}{{"openai-responses", openaiM}, {"vllm-chat", vllmM}, {"vllm-chat-token-ids", vllmTokens}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := tc.m.Respond(context.Background(), req)
				if err != nil || len(resp.Output) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}

// A wrong base URL shows in the error: the call's URL is named.
func TestCallErrorNamesTheURL(t *testing.T) {
	srv := gymtest.NewServer(nil)
	defer srv.Close()
	wrong := srv.URL + "/v1" // a doubled /v1: every route is a 404
	m, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: wrong, Model: "m", MaxRetries: -1})
	require.NoError(t, err)
	_, err = m.Respond(context.Background(), &model.Request{Input: []rollout.Item{rollout.NewMessage("user", "hi")}})
	require.ErrorContains(t, err, "POST "+wrong+"/responses")
	require.ErrorContains(t, err, "404")

	v, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{wrong}, Model: "m", MaxRetries: -1})
	require.NoError(t, err)
	_, err = v.Respond(context.Background(), &model.Request{Input: []rollout.Item{rollout.NewMessage("user", "hi")}})
	require.ErrorContains(t, err, "POST "+wrong+"/chat/completions")
}
