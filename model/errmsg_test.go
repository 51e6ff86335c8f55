package model_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// A failed model call says why: the message of the error answer's body, in
// OpenAI's shape, vLLM's or FastAPI's, or its plain text, truncated — in the
// error and so in _ng_failure_message.
func TestModelErrorsSayWhy(t *testing.T) {
	long := strings.Repeat("x", 2000)
	tests := []struct {
		name, body, want string
	}{
		{"openai", `{"error":{"message":"This model's maximum context length is 4096 tokens","type":"invalid_request_error","code":null}}`, "This model's maximum context length is 4096 tokens"},
		{"vllm", `{"object":"error","message":"The model does not support tools","type":"BadRequestError","param":null,"code":500}`, "The model does not support tools"},
		{"fastapi", `{"detail":"Not authenticated"}`, "Not authenticated"},
		{"plain text", "upstream connect error\nor disconnect", "upstream connect error or disconnect"},
		{"long text", long, strings.Repeat("x", 500) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			oa, err := model.NewOpenAI(model.OpenAIConfig{BaseURL: srv.URL, Model: "m", MaxRetries: -1})
			require.NoError(t, err)
			vl, err := model.NewVLLM(model.VLLMConfig{BaseURL: model.BaseURLs{srv.URL}, Model: "m", MaxRetries: -1})
			require.NoError(t, err)
			for _, m := range []model.Model{oa, vl} {
				_, err := m.Respond(context.Background(), &model.Request{Input: []rollout.Item{rollout.NewMessage("user", "hi")}})
				require.ErrorContains(t, err, "500 Internal Server Error: "+tt.want)
				if tt.name == "long text" {
					require.NotContains(t, err.Error(), strings.Repeat("x", 501))
				}
				f := rollout.AsFailure(err)
				require.Equal(t, 500, f.Status)
				require.True(t, f.Retryable)
				res := &rollout.Result{Err: err}
				require.Contains(t, string(res.AppendJSON(nil)), tt.want[:min(20, len(tt.want))], "_ng_failure_message says why")
			}
		})
	}
}
