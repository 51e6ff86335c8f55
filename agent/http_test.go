package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// multistepAgent is NeMo Gym's example_multi_step environment behind the
// simple agent loop.
func multistepAgent(m model.Model) *agent.Simple {
	return &agent.Simple{Model: m, Resources: multistep.NewServer(), Verifier: multistep.NewVerifier(), MaxSteps: 20}
}

// multistepRows reads the example dataset.
func multistepRows(t testing.TB) []rollout.Task {
	t.Helper()
	var rows []rollout.Task
	for task, err := range rollout.ReadTasksFile(filepath.Join("..", "testdata", "multistep.jsonl")) {
		require.NoError(t, err)
		rows = append(rows, task)
	}
	require.Len(t, rows, 5)
	return rows
}

// serveHTTP serves h on a local port and returns its URL and a client
// whose connections are closed with the server when the test ends.
func serveHTTP(t *testing.T, h http.Handler) (string, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	tr := &http.Transport{}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	return srv.URL, &http.Client{Transport: tr}
}

func openAIClient(url string, hc *http.Client) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/v1"), option.WithAPIKey("x"),
		option.WithHTTPClient(hc), option.WithMaxRetries(0))
}

// responsesInput turns a row's input into openai-go's input items.
func responsesInput(t *testing.T, task rollout.Task) responses.ResponseInputParam {
	t.Helper()
	params, err := task.Params()
	require.NoError(t, err)
	items, err := params.Input()
	require.NoError(t, err)
	var in responses.ResponseInputParam
	for _, it := range items {
		in = append(in, responses.ResponseInputItemParamOfMessage(it.Text(), responses.EasyInputMessageRole(it.Role())))
	}
	return in
}

func TestHandlerResponsesRunsTheToolLoop(t *testing.T) {
	url, hc := serveHTTP(t, agent.Handler(multistepAgent(multistep.Policy())))
	client := openAIClient(url, hc)
	row := multistepRows(t)[0] // about "cold": Icy, Frosty, Chilly

	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "policy",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responsesInput(t, row)},
	})
	require.NoError(t, err)

	var types []string
	for _, it := range resp.Output {
		types = append(types, it.Type)
	}
	require.Equal(t, []string{
		"function_call", "function_call_output",
		"function_call", "function_call_output",
		"function_call", "function_call_output",
		"function_call", "function_call_output",
		"message",
	}, types)
	require.Equal(t, "get_synonym_value", resp.Output[0].Name)
	require.Equal(t, `{"synonym":"Icy"}`, resp.Output[0].Arguments.OfString)
	require.Equal(t, resp.Output[0].CallID, resp.Output[1].CallID)
	require.Equal(t, `{"synonym_value": 293}`, resp.Output[1].Output.OfString)
	require.Equal(t, "extract_synonym_values", resp.Output[6].Name)
	require.Equal(t, "[293,647,613]", resp.OutputText())
	require.Equal(t, responses.ResponseStatusCompleted, resp.Status)
	require.Equal(t, "policy", resp.Model)
}

func TestHandlerResponsesStringInputAndModelFailure(t *testing.T) {
	a := multistepAgent(model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		if req.Input[0].Text() == "fail" {
			return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Status: http.StatusTooManyRequests, Retryable: true, Err: errors.New("rate limited")}
		}
		return model.NewResponse(rollout.NewOutputMessage("m", "echo: "+req.Input[0].Text())), nil
	}))
	url, hc := serveHTTP(t, agent.Handler(a))
	client := openAIClient(url, hc)
	ctx := context.Background()
	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hello")}})
	require.NoError(t, err)
	require.Equal(t, "echo: hello", resp.OutputText())

	_, err = client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("fail")}})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
	require.Equal(t, "model_error", apiErr.Code)
	require.Contains(t, apiErr.Message, "rate limited")
}

// postRaw sends a request and returns the JSON answer.
func postRaw(t *testing.T, hc *http.Client, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "body %s", raw)
	return resp.StatusCode, raw
}

// postJSON sends a request and decodes the JSON answer.
func postJSON(t *testing.T, hc *http.Client, method, url, body string) (int, map[string]any) {
	t.Helper()
	status, raw := postRaw(t, hc, method, url, body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "body %s", raw)
	return status, out
}

func TestHandlerRunOutputRow(t *testing.T) {
	url, hc := serveHTTP(t, agent.Handler(multistepAgent(multistep.Policy())))
	row := multistepRows(t)[1]

	names := func(body string) []string {
		status, raw := postRaw(t, hc, http.MethodPost, url+"/run", body)
		require.Equal(t, http.StatusOK, status, "%s", raw)
		o, err := rollout.ParseObject(raw)
		require.NoError(t, err)
		var out []string
		for _, f := range o.Fields() {
			out = append(out, f.Name)
		}
		return out
	}
	verifierFields := []string{"reward", "parsed_synonym_values", "accuracy", "set_overlap",
		"original_term_minefield_hit", "order_instruction_following_failure"}
	rowFields := []string{"responses_create_params", "id", "expected_synonyms", "expected_synonym_values",
		"minefield_label", "minefield_label_value"}

	// A bare row comes back with the response and the verifier's fields.
	require.Equal(t, append(append(rowFields, "response"), verifierFields...), names(string(row.AppendJSON(nil))))

	// The indices and agent_ref of NeMo Gym's collection are echoed.
	indexed := rollout.Task{Object: row.Clone()}.WithAgent(multistep.AgentName)
	indexed.Set(rollout.KeyTaskIndex, rollout.Int(3))
	indexed.Set(rollout.KeyRolloutIndex, rollout.Int(1))
	require.Equal(t, append(append(rowFields, "_ng_task_index", "_ng_rollout_index", "agent_ref", "response"), verifierFields...),
		names(string(indexed.AppendJSON(nil))))
	res, err := agent.NewRemote(url, agent.WithHTTPClient(hc)).Run(context.Background(), indexed)
	require.NoError(t, err)
	require.Equal(t, 1.0, res.Reward)
}

func TestHandlerErrors(t *testing.T) {
	notModel := agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) {
		return &rollout.Result{Reward: 1}, nil
	})
	url, hc := serveHTTP(t, agent.Handler(notModel, agent.WithMaxBodyBytes(1024)))
	simpleURL, simpleHC := serveHTTP(t, agent.Handler(multistepAgent(multistep.Policy())))
	big := `{"responses_create_params":{"input":"` + strings.Repeat("x", 2048) + `"}}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     any
	}{
		{"run not JSON", "POST", "/run", `{"responses_create_params":`, 400, "invalid_row"},
		{"run not an object", "POST", "/run", `[1]`, 400, "invalid_row"},
		{"run empty", "POST", "/run", ``, 400, "invalid_row"},
		{"run without params", "POST", "/run", `{"id": 1}`, 400, "invalid_row"},
		{"run input a number", "POST", "/run", `{"responses_create_params": {"input": 1}}`, 400, "invalid_row"},
		{"run bad agent_ref", "POST", "/run", `{"responses_create_params": {}, "agent_ref": {"name": 1}}`, 400, "invalid_row"},
		{"run bad task index", "POST", "/run", `{"responses_create_params": {}, "_ng_task_index": "x"}`, 400, "invalid_row"},
		{"run too large", "POST", "/run", big, 413, nil},
		{"run GET", "GET", "/run", ``, 405, nil},
		{"responses not a model", "POST", "/v1/responses", `{"input": "hi"}`, 501, "agent_error"},
		{"responses not JSON", "POST", "/v1/responses", `{"input"`, 400, nil},
		{"chat completions", "POST", "/v1/chat/completions", `{}`, 404, nil},
		{"unknown route", "POST", "/verify", `{}`, 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postJSON(t, hc, tc.method, url+tc.path, tc.body)
			require.Equal(t, tc.status, status, "%v", body)
			e, _ := body["error"].(map[string]any)
			require.NotNil(t, e, "%v", body)
			require.NotEmpty(t, e["message"])
			require.Equal(t, tc.code, e["code"])
		})
	}

	status, body := postJSON(t, hc, "GET", url+"/", "")
	require.Equal(t, 200, status)
	require.Equal(t, "ok", body["status"])

	// An invalid input of a Simple's row is an invalid row too.
	status, body = postJSON(t, simpleHC, "POST", simpleURL+"/run", `{"responses_create_params": {"input": [1]}}`)
	require.Equal(t, 400, status, "%v", body)
	require.Equal(t, "invalid_row", body["error"].(map[string]any)["code"])
}

// FuzzHandler checks that no request body makes the agent server panic or
// answer anything but a JSON output row or a JSON error.
func FuzzHandler(f *testing.F) {
	for _, task := range multistepRows(f) {
		f.Add(string(task.AppendJSON(nil)), false)
		p, _ := task.Params()
		f.Add(string(p.AppendJSON(nil)), true)
	}
	for _, s := range []string{
		`{"responses_create_params":{"input":"hi"}}`,
		`{"responses_create_params":{"input":[{"type":"function_call","call_id":"c","name":"get_synonym_value","arguments":"{"}]},"expected_synonym_values":[1]}`,
		`{"input":[{"role":"system","content":"The term 'A' has a synonym 'B'."},{"role":"user","content":"a"}]}`,
		`{"responses_create_params":{"input":null},"_ng_task_index":1}`, `[]`, `null`, `{}`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	h := agent.Handler(multistepAgent(multistep.Policy()))
	f.Fuzz(func(t *testing.T, body string, responses bool) {
		path := "/run"
		if responses {
			path = "/v1/responses"
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", w.Body)
		}
		switch w.Code {
		case http.StatusOK:
			if responses {
				_, err := rollout.ParseResponse(w.Body.Bytes())
				require.NoError(t, err)
			} else {
				_, err := rollout.ParseResult(w.Body.Bytes())
				require.NoError(t, err)
			}
		case http.StatusBadRequest, http.StatusInternalServerError:
			// A 500 is a failed rollout (the verifier rejects a row without
			// expected_synonym_values), never a panic.
			require.NotContains(t, w.Body.String(), "panic")
		default:
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
	})
}
