package env_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// refEnv is one of NeMo Gym's example environments with recorded rollouts.
type refEnv struct {
	dir      string
	server   func() *env.Server
	verifier func() verifier.Verifier
	fields   []string // the verifier fields recorded next to reward
}

var refEnvs = []refEnv{
	{"example_single_tool_call", singletoolcall.NewServer, singletoolcall.NewVerifier, nil},
	{"example_multi_step", multistep.NewServer, multistep.NewVerifier, []string{
		"parsed_synonym_values", "accuracy", "set_overlap", "original_term_minefield_hit", "order_instruction_following_failure"}},
}

// recording is one recorded rollout: its dataset row (without the
// recorded verdict), episode and verdict.
type recording struct {
	row      rollout.Task
	response *rollout.Response
	reward   float64
	fields   map[string]json.RawMessage
}

// recordings reads the recorded rollouts of e, each completed with the
// fields of its dataset row that NeMo Gym's verify dropped.
func recordings(t *testing.T, e refEnv) []recording {
	t.Helper()
	data := reftest.Path(t, "resources_servers", e.dir, "data")
	dataset, err := rollout.IndexByInput(rollout.ReadTasksFile(data + "/example.jsonl"))
	require.NoError(t, err)
	f, err := os.Open(data + "/example_rollouts.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []recording
	for res, err := range rollout.ReadResults(f, f.Name()) {
		require.NoError(t, err)
		require.NotNil(t, res.Response)
		rec := recording{response: res.Response, reward: res.Reward, fields: map[string]json.RawMessage{}}
		row := rollout.Task{Object: res.Task.Clone()}
		for _, name := range e.fields {
			raw, ok := row.Get(name)
			require.True(t, ok, "the recording has %s", name)
			rec.fields[name] = raw
			row.Delete(name)
		}
		row, found, err := dataset.Complete(row)
		require.NoError(t, err)
		require.True(t, found, "a dataset row has the input of the recorded row %d", len(out)+1)
		rec.row = row
		out = append(out, rec)
	}
	require.NotEmpty(t, out)
	return out
}

// TestNeMoGymCompatibility replays NeMo Gym's recorded rollouts against the
// Handler over raw HTTP, as NeMo Gym's simple_agent drives a resources
// server (it keeps the cookies of the last answer only): every tool output
// must be the recorded text exactly, and verify must give the recorded
// reward and fields.
func TestNeMoGymCompatibility(t *testing.T) {
	for _, e := range refEnvs {
		t.Run(e.dir, func(t *testing.T) {
			ts, h := serve(t, e.server(), e.verifier())
			calls := 0
			for i, rec := range recordings(t, e) {
				seed := do(t, ts, http.MethodPost, "/seed_session", string(rec.row.AppendJSON(nil)))
				require.Equal(t, http.StatusOK, seed.status, seed.body)
				require.Equal(t, "{}", seed.body)
				cookies := seed.cookies

				outputs := map[string]string{}
				for _, it := range rec.response.Output {
					if it.Type() == rollout.TypeFunctionCallOutput {
						outputs[it.CallID()] = it.Output()
					}
				}
				for _, it := range rec.response.Output {
					if it.Type() != rollout.TypeFunctionCall {
						continue
					}
					calls++
					r := do(t, ts, http.MethodPost, "/"+it.Name(), it.Arguments(), cookies...)
					require.Equal(t, http.StatusOK, r.status, r.body)
					want, ok := outputs[it.CallID()]
					require.True(t, ok, "rollout %d: call %s has a recorded output", i, it.CallID())
					require.Equal(t, want, r.body, "rollout %d: output of %s(%s)", i, it.Name(), it.Arguments())
					cookies = r.cookies
				}

				req := rec.row.Clone()
				req.Set(rollout.KeyResponse, rec.response.AppendJSON(nil))
				r := do(t, ts, http.MethodPost, "/verify", string(req.AppendJSON(nil)), cookies...)
				require.Equal(t, http.StatusOK, r.status, r.body)
				ans, err := rollout.ParseObject([]byte(r.body))
				require.NoError(t, err)
				for _, f := range rec.row.Fields() {
					got, ok := ans.Get(f.Name)
					require.True(t, ok, "rollout %d: the answer echoes %s", i, f.Name)
					require.True(t, jsonEqual(f.Value, got), "rollout %d: %s echoed as %s", i, f.Name, got)
				}
				reward, ok := ans.Get(rollout.KeyReward)
				require.True(t, ok)
				requireJSONEqual(t, string(rollout.Float(rec.reward)), string(reward), "rollout ", i, ": reward")
				for name, want := range rec.fields {
					got, ok := ans.Get(name)
					require.True(t, ok, "rollout %d: the answer has %s", i, name)
					requireJSONEqual(t, string(want), string(got), "rollout ", i, ": field ", name)
				}
			}
			require.Zero(t, h.Sessions(), "verify closed every session")
			if e.dir == "example_multi_step" {
				require.Greater(t, calls, 10)
			}
		})
	}
}

func itemsJSON(items []rollout.Item) string {
	var b []byte
	for _, it := range items {
		b = it.AppendJSON(b)
		b = append(b, '\n')
	}
	return string(b)
}

// TestRemoteRolloutsMatchInProcess runs every recorded episode through
// agent.Simple twice, with the environment in process and served over HTTP
// through Remote: the rollouts must be identical, and match the recording.
func TestRemoteRolloutsMatchInProcess(t *testing.T) {
	ctx := context.Background()
	for _, e := range refEnvs {
		t.Run(e.dir, func(t *testing.T) {
			ts, h := serve(t, e.server(), e.verifier())
			remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
			for i, rec := range recordings(t, e) {
				m := model.Replay(rec.response.Output)
				local := &agent.Simple{Model: m, Resources: e.server(), Verifier: e.verifier()}
				over := &agent.Simple{Model: m, Resources: remote, Verifier: remote.Verifier()}
				want, err := local.Run(ctx, rec.row)
				require.NoError(t, err)
				got, err := over.Run(ctx, rec.row)
				require.NoError(t, err)

				require.Equal(t, itemsJSON(want.Response.Output), itemsJSON(got.Response.Output), "rollout %d", i)
				require.Equal(t, want.Reward, got.Reward, "rollout %d", i)
				require.Equal(t, string(want.Fields.AppendJSON(nil)), string(got.Fields.AppendJSON(nil)), "rollout %d", i)
				require.Equal(t, want.Rewards, got.Rewards, "rollout %d", i)

				require.Len(t, got.Response.Output, len(rec.response.Output))
				for j, it := range rec.response.Output {
					require.Equal(t, it.Type(), got.Response.Output[j].Type())
					require.Equal(t, it.Output(), got.Response.Output[j].Output(), "rollout %d item %d", i, j)
				}
				require.Equal(t, rec.reward, got.Reward)
				require.Equal(t, len(rec.fields), got.Fields.Len())
				for name, raw := range rec.fields {
					have, ok := got.Fields.Get(name)
					require.True(t, ok, name)
					requireJSONEqual(t, string(raw), string(have), name)
				}
			}
			require.Zero(t, h.Sessions())
		})
	}
}

// counting is a scripted model that calls add with 1, 2, ..., n (n is the
// number in the user message), then answers "done".
func counting() model.Model {
	return model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		n, err := strconv.Atoi(strings.TrimPrefix(req.Input[0].Text(), "count "))
		if err != nil {
			return nil, err
		}
		k := 0
		for _, it := range req.Input {
			if it.Type() == rollout.TypeFunctionCallOutput {
				k++
			}
		}
		if k < n {
			return model.NewResponse(rollout.NewFunctionCall(fmt.Sprint("call_", k), "add", fmt.Sprintf(`{"n": %d}`, k+1))), nil
		}
		return model.NewResponse(rollout.NewOutputMessage("msg", "done")), nil
	})
}

func countRow(t *testing.T, id string, n int) rollout.Task {
	t.Helper()
	row, err := rollout.ParseTask([]byte(fmt.Sprintf(`{"responses_create_params": {"input": "count %d"}, "id": %q}`, n, id)))
	require.NoError(t, err)
	return row
}

func TestRemoteConcurrentRollouts(t *testing.T) {
	var states sync.Map
	ts, h := serve(t, tallyServer(&states), tallyVerifier())
	remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			id, n := fmt.Sprint("r", i), i%6
			local := &agent.Simple{Model: counting(), Resources: tallyServer(nil), Verifier: tallyVerifier()}
			over := &agent.Simple{Model: counting(), Resources: remote, Verifier: remote.Verifier()}
			want, err := local.Run(ctx, countRow(t, id, n))
			require.NoError(t, err)
			got, err := over.Run(ctx, countRow(t, id, n))
			require.NoError(t, err)
			require.Equal(t, float64(n*(n+1)/2), got.Reward)
			require.Equal(t, want.Reward, got.Reward)
			require.Equal(t, itemsJSON(want.Response.Output), itemsJSON(got.Response.Output))
			require.Equal(t, string(want.Fields.AppendJSON(nil)), string(got.Fields.AppendJSON(nil)))
			st, ok := states.Load(id)
			require.True(t, ok)
			require.EqualValues(t, 1, st.(*tally).closed.Load(), "the server closed the session at verify")
		})
	}
	wg.Wait()
	require.Zero(t, h.Sessions())
}

func requireFailure(t *testing.T, err error, class rollout.FailureClass, stage string, status int, retryable bool, parts ...string) *rollout.Failure {
	t.Helper()
	require.Error(t, err)
	var f *rollout.Failure
	require.True(t, errors.As(err, &f), "%T: %v", err, err)
	require.Equal(t, class, f.Class, err.Error())
	require.Equal(t, stage, f.Stage, err.Error())
	require.Equal(t, status, f.Status, err.Error())
	require.Equal(t, retryable, f.Retryable, err.Error())
	for _, p := range parts {
		require.Contains(t, err.Error(), p)
	}
	return f
}

func TestRemoteTools(t *testing.T) {
	srv := tallyServer(nil)
	ts, h := serve(t, srv, tallyVerifier())
	remote := env.NewRemote(ts.URL+"/", env.WithHTTPClient(ts.Client()))
	ctx := context.Background()
	sess, err := remote.Seed(ctx, countRow(t, "t", 1))
	require.NoError(t, err)
	local, err := srv.Seed(ctx, countRow(t, "t", 1))
	require.NoError(t, err)
	defer local.Close()

	for _, c := range []struct{ name, args string }{
		{"add", `{"n": 3}`},
		{"fail", `{}`},
		{"add", `{"n": "x"}`},
		{"add", `{"m": 1}`},
		{"nope", `{}`},
	} {
		want, err := local.CallTool(ctx, c.name, json.RawMessage(c.args))
		require.NoError(t, err)
		got, err := sess.CallTool(ctx, c.name, json.RawMessage(c.args))
		require.NoError(t, err, "a 4xx answer is an observation")
		require.Equal(t, want, got, "%s(%s)", c.name, c.args)
	}

	_, err = sess.CallTool(ctx, "boom", json.RawMessage(`{}`))
	requireFailure(t, err, rollout.FailToolPanic, "tool", http.StatusInternalServerError, false, "kaboom", "/boom")
	_, lerr := local.CallTool(ctx, "boom", json.RawMessage(`{}`))
	require.Equal(t, rollout.AsFailure(lerr).Class, rollout.AsFailure(err).Class, "the class in process")

	require.NoError(t, sess.Close(), "a no-op")
	require.Equal(t, 1, h.Sessions(), "Close leaves the session to verify or the TTL")

	// A rollout whose tool panics fails with the tool's class.
	boom := model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
		return model.NewResponse(rollout.NewFunctionCall("c", "boom", `{}`)), nil
	})
	_, err = (&agent.Simple{Model: boom, Resources: remote, Verifier: remote.Verifier()}).Run(ctx, countRow(t, "b", 1))
	require.Equal(t, rollout.FailToolPanic, rollout.AsFailure(err).Class, "%v", err)
}

func TestRemoteVerifierSessions(t *testing.T) {
	var states sync.Map
	srv := tallyServer(&states)
	ts, h := serve(t, srv, tallyVerifier())
	remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
	ctx := context.Background()
	row := countRow(t, "v", 2)
	resp := model.NewResponse(rollout.NewOutputMessage("m", "done"))

	v, err := remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp})
	require.NoError(t, err, "no session: a stateless verification")
	require.Equal(t, 0.0, v.Reward)
	require.Equal(t, `{"stateless":true}`, string(v.Fields.AppendJSON(nil)), "the echoed row is not a field")

	sess, err := remote.Seed(ctx, row)
	require.NoError(t, err)
	_, err = sess.CallTool(ctx, "add", json.RawMessage(`{"n": 4}`))
	require.NoError(t, err)
	v, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
	require.NoError(t, err)
	require.Equal(t, 4.0, v.Reward)
	require.Equal(t, `{"state_id":"v","open_during_verify":true}`, string(v.Fields.AppendJSON(nil)))
	st, _ := states.Load("v")
	require.EqualValues(t, 1, st.(*tally).closed.Load(), "the server closed the session")
	require.Zero(t, h.Sessions())
	require.NoError(t, sess.Close())
	require.EqualValues(t, 1, st.(*tally).closed.Load())

	_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
	requireFailure(t, err, rollout.FailRemote, "verify", http.StatusBadRequest, false, "expired or was closed")

	local, err := srv.Seed(ctx, row)
	require.NoError(t, err)
	defer local.Close()
	_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: local})
	requireFailure(t, err, rollout.FailVerifier, "verify", 0, false, "not a session of the remote server")

	other := env.NewRemote("http://127.0.0.1:1")
	_, err = other.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
	requireFailure(t, err, rollout.FailVerifier, "verify", 0, false, "belongs to the server at "+ts.URL)

	_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row})
	requireFailure(t, err, rollout.FailVerifier, "verify", 0, false, "no response")
}

// TestRemoteAgainstPythonLikeServer checks the client against a server
// that behaves as NeMo Gym's Python servers do: a cookie named after the
// server, set again (with other cookies) on later answers, and a verify
// answer that writes the request again with its model's defaults.
func TestRemoteAgainstPythonLikeServer(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cookies []string
		for _, c := range r.Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		mu.Lock()
		seen[r.URL.Path] = strings.Join(cookies, "; ")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/seed_session":
			http.SetCookie(w, &http.Cookie{Name: "Srv___srv", Value: "one", Path: "/", MaxAge: 1209600})
			http.SetCookie(w, &http.Cookie{Name: "tmp", Value: "t"})
			io.WriteString(w, `{}`)
		case "/step":
			http.SetCookie(w, &http.Cookie{Name: "Srv___srv", Value: "two", Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "tmp", MaxAge: -1})
			io.WriteString(w, `{"ok":true}`)
		case "/bad_args":
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"detail":[{"type":"missing","loc":["body","x"],"msg":"Field required"}]}`)
		case "/verify":
			io.WriteString(w, `{"responses_create_params":{"input":"count 1","tools":[],"temperature":null},"id":"p",`+
				`"n":1.0,"response":{"id":"r","output":[],"usage":null},"reward":1,"mask_sample":false,"failure_kind":null,`+
				`"accuracy":true,"reward_components":{"a":0.5}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"detail":"Not Found"}`)
		}
	})
	ts := httptest.NewServer(fake)
	defer ts.Close()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	remote := env.NewRemote(ts.URL, env.WithHTTPClient(&http.Client{Jar: jar, Transport: ts.Client().Transport}))
	ctx := context.Background()
	row, err := rollout.ParseTask([]byte(`{"responses_create_params": {"input": "count 1"}, "id": "p", "n": 1}`))
	require.NoError(t, err)
	sess, err := remote.Seed(ctx, row)
	require.NoError(t, err)
	out, err := sess.CallTool(ctx, "step", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Equal(t, `{"ok":true}`, out)
	out, err = sess.CallTool(ctx, "bad_args", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Contains(t, out, "Field required", "NeMo Gym's agent shows a 422 body to the model")
	out, err = sess.CallTool(ctx, "missing", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Equal(t, `{"detail":"Not Found"}`, out)

	v, err := remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: model.NewResponse(), Session: sess})
	require.NoError(t, err)
	require.Equal(t, 1.0, v.Reward)
	require.Equal(t, map[string]float64{"a": 0.5}, v.Components)
	require.Equal(t, `{"mask_sample":false,"failure_kind":null,"accuracy":true}`, string(v.Fields.AppendJSON(nil)),
		"the echoed row (re-encoded, with defaults) is not a field")

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, seen["/seed_session"])
	require.Equal(t, "Srv___srv=one; tmp=t", seen["/step"])
	require.Equal(t, "Srv___srv=two", seen["/bad_args"], "the cookies the last answer set or removed")
	require.Equal(t, "Srv___srv=two", seen["/verify"])
	u, _ := url.Parse(ts.URL)
	require.Empty(t, jar.Cookies(u), "a session's cookies are its own, not the client jar's")
}

func TestRemoteFailures(t *testing.T) {
	ctx := context.Background()
	row := countRow(t, "f", 1)
	resp := model.NewResponse()

	t.Run("5xx", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/seed_session" {
				io.WriteString(w, `{}`)
				return
			}
			http.Error(w, "<html><body>502 Bad Gateway</body></html>", http.StatusBadGateway)
		}))
		defer ts.Close()
		remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
		sess, err := remote.Seed(ctx, row)
		require.NoError(t, err)
		_, err = sess.CallTool(ctx, "add", json.RawMessage(`{}`))
		requireFailure(t, err, rollout.FailRemote, "tool", http.StatusBadGateway, true, "502 Bad Gateway", ts.URL+"/add")
		_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
		requireFailure(t, err, rollout.FailRemote, "verify", http.StatusBadGateway, true, "502 Bad Gateway")
	})

	t.Run("OpenAI-style error", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error": {"message": "judge down", "type": "server_error", "param": null, "code": "verifier_error", "stage": "judge", "retryable": false}}`)
		}))
		defer ts.Close()
		remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
		_, err := remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp})
		requireFailure(t, err, rollout.FailVerifier, "judge", http.StatusInternalServerError, false, "judge down")
	})

	t.Run("4xx on seed and verify", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code := http.StatusUnprocessableEntity
			if r.URL.Path == "/verify" {
				code = http.StatusTooManyRequests
			}
			w.WriteHeader(code)
			io.WriteString(w, `{"detail":"nope"}`)
		}))
		defer ts.Close()
		remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
		_, err := remote.Seed(ctx, row)
		requireFailure(t, err, rollout.FailRemote, "seed", http.StatusUnprocessableEntity, false, `{"detail":"nope"}`)
		_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp})
		requireFailure(t, err, rollout.FailRemote, "verify", http.StatusTooManyRequests, true)
	})

	t.Run("answers that are not a verdict", func(t *testing.T) {
		for body, msg := range map[string]string{
			`[]`:                                     "not a JSON object",
			`{"id": 1}`:                              "no reward",
			`{"reward": "1"}`:                        "not a number",
			`{"reward": 1, "reward_components": []}`: "reward_components",
		} {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
			remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
			_, err := remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp})
			requireFailure(t, err, rollout.FailRemote, "verify", http.StatusOK, false, msg)
			ts.Close()
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		ts, _ := serve(t, tallyServer(nil), tallyVerifier())
		remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
		sess, err := remote.Seed(ctx, row)
		require.NoError(t, err)
		ts.Close()
		_, err = remote.Seed(ctx, row)
		requireFailure(t, err, rollout.FailRemote, "seed", 0, true, "is the resources server running at "+ts.URL)
		_, err = sess.CallTool(ctx, "add", json.RawMessage(`{"n": 1}`))
		requireFailure(t, err, rollout.FailRemote, "tool", 0, true)
		_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
		requireFailure(t, err, rollout.FailRemote, "verify", 0, true)
	})

	t.Run("hang", func(t *testing.T) {
		stop := make(chan struct{})
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/seed_session" {
				io.WriteString(w, `{}`)
				return
			}
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		}))
		t.Cleanup(ts.Close)
		t.Cleanup(func() { close(stop) })
		remote := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()), env.WithRequestTimeout(100*time.Millisecond))
		sess, err := remote.Seed(ctx, row)
		require.NoError(t, err)
		start := time.Now()
		_, err = sess.CallTool(ctx, "add", json.RawMessage(`{}`))
		requireFailure(t, err, rollout.FailRemote, "tool", 0, true, "no answer within the request timeout of 100ms")
		_, err = remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: resp, Session: sess})
		requireFailure(t, err, rollout.FailRemote, "verify", 0, true, "request timeout")
		require.Less(t, time.Since(start), 2*time.Second, "bounded by the timeout")

		// The caller's own deadline and cancellation are not the server's fault.
		unbounded := env.NewRemote(ts.URL, env.WithHTTPClient(ts.Client()))
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err = unbounded.Verifier().Verify(dctx, &verifier.Request{Task: row, Response: resp})
		requireFailure(t, err, rollout.FailTimeout, "verify", 0, true)
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err = unbounded.Verifier().Verify(cctx, &verifier.Request{Task: row, Response: resp})
		requireFailure(t, err, rollout.FailCancelled, "verify", 0, false)

		// Through the agent: the rollout fails with the remote failure.
		calls := model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewFunctionCall("c", "add", `{"n": 1}`)), nil
		})
		_, err = (&agent.Simple{Model: calls, Resources: remote, Verifier: remote.Verifier()}).Run(ctx, row)
		require.Equal(t, rollout.FailRemote, rollout.AsFailure(err).Class, "%v", err)
		require.True(t, rollout.AsFailure(err).Retryable)
	})

	t.Run("bad URL", func(t *testing.T) {
		for _, u := range []string{"localhost:8000", "ftp://host", "http://", "http://a b"} {
			_, err := env.NewRemote(u).Seed(ctx, row)
			requireFailure(t, err, rollout.FailRemote, "seed", 0, false, "env: remote resources server URL")
		}
	})
}

// A Handler serves an environment over HTTP to NeMo Gym's agents, or to a
// Remote in another process, which stands in for the environment there.
func ExampleNewRemote() {
	h := env.NewHandler(singletoolcall.NewServer(), singletoolcall.NewVerifier())
	defer h.Close()
	ts := httptest.NewServer(h) // or http.ListenAndServe(":8000", h)
	defer ts.Close()

	remote := env.NewRemote(ts.URL, env.WithRequestTimeout(time.Minute))
	ctx := context.Background()
	row, _ := rollout.ParseTask([]byte(`{"responses_create_params": {"input": "What is the weather in SF?"}}`))
	sess, _ := remote.Seed(ctx, row)
	out, _ := sess.CallTool(ctx, "get_weather", json.RawMessage(`{"city": "San Francisco"}`))
	fmt.Println(out)
	verdict, _ := remote.Verifier().Verify(ctx, &verifier.Request{Task: row, Response: model.NewResponse(), Session: sess})
	fmt.Println(verdict.Reward, h.Sessions())
	// Output:
	// {"city": "San Francisco", "weather_description": "The weather in San Francisco is cold."}
	// 1 0
}

func TestRemoteZeroValue(t *testing.T) {
	_, err := new(env.Remote).Seed(context.Background(), rollout.Task{})
	requireFailure(t, err, rollout.FailRemote, "seed", 0, false, "use NewRemote")
}
