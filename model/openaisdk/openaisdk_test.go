package openaisdk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/model/openaisdk"
	"github.com/gymkit/gym/rollout"
)

// Both clients work through OpenAI's SDK: the Responses API and vLLM's Chat
// Completions with token ids, and a server's error keeps its status and
// message.
func TestPosterThroughTheSDK(t *testing.T) {
	policy := gymtest.Policy(model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewOutputMessage("m", "hello")), nil
	}))
	srv := gymtest.NewServer(policy)
	defer srv.Close()
	sdk := openaisdk.Poster(option.WithAPIKey("k"), option.WithMaxRetries(0))
	req, err := model.ParseRequest([]byte(`{"input":"hi"}`))
	require.NoError(t, err)

	m, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "fake", Poster: sdk})
	require.NoError(t, err)
	resp, err := m.Respond(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, "hello", resp.Output[len(resp.Output)-1].Text())

	v, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL}, Model: "fake", ReturnTokenIDInformation: true, Poster: sdk})
	require.NoError(t, err)
	resp, err = v.Respond(context.Background(), req)
	require.NoError(t, err)
	_, ok := resp.Output[len(resp.Output)-1].Get("generation_token_ids")
	require.True(t, ok, "vLLM's token ids came through the SDK")

	failing := gymtest.NewServer(gymtest.Policy(model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		return nil, errors.New("the prompt is too long")
	})))
	defer failing.Close()
	m, err = model.NewOpenAI(model.OpenAIConfig{BaseURL: failing.URL, Model: "fake", Poster: sdk})
	require.NoError(t, err)
	_, err = m.Respond(context.Background(), req)
	var apiErr *model.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, 500, apiErr.StatusCode)
	require.ErrorContains(t, err, "the prompt is too long")
}
