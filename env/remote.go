package env

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Remote is a ResourcesServer served over HTTP with NeMo Gym's
// resources-server protocol: a NeMo Gym Python server, or a Handler in
// another process. Use it wherever an in-process server goes, with
// Verifier as the environment's verifier:
//
//	remote := env.NewRemote("http://localhost:8000")
//	a := &agent.Simple{Model: m, Resources: remote, Verifier: remote.Verifier()}
//
// As NeMo Gym's agent does, a session keeps the cookies the server sets on
// /seed_session (and on every later answer) and sends them with each tool
// call and with /verify. A Remote is safe for concurrent use.
type Remote struct {
	c       httpjson.Client
	baseErr error
}

// RemoteOption configures a Remote.
type RemoteOption func(*Remote)

// WithHTTPClient sends the requests with c (default http.DefaultClient).
// Its cookie jar, if any, is not used: the cookies of a session belong to
// that session alone.
func WithHTTPClient(c *http.Client) RemoteOption {
	return func(r *Remote) {
		if c != nil {
			cc := *c
			cc.Jar = nil
			r.c.HTTP = &cc
		}
	}
}

// WithRequestTimeout bounds each request (the answer's body included) to
// d; one that takes longer is a retryable remote_server_error failure. The
// default is no bound beyond the caller's context.
func WithRequestTimeout(d time.Duration) RemoteOption {
	return func(r *Remote) { r.c.Timeout = d }
}

// NewRemote returns the resources server at baseURL (scheme, host, and an
// optional path prefix). An invalid URL is reported by every call.
func NewRemote(baseURL string, opts ...RemoteOption) *Remote {
	r := &Remote{c: httpjson.Client{Base: strings.TrimRight(baseURL, "/"), Server: "resources server", MaxAnswer: DefaultMaxBodyBytes}}
	if u, err := url.Parse(r.c.Base); err != nil {
		r.baseErr = fmt.Errorf("env: remote resources server URL %q: %w", baseURL, err)
	} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.baseErr = fmt.Errorf("env: remote resources server URL %q: want http://host[:port][/prefix] or https://...", baseURL)
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Seed POSTs the row to /seed_session and returns the session that carries
// its cookies. A failure is a *rollout.Failure: remote_server_error for an
// answer that is not 2xx, a connection error or a timeout (retryable for a
// 5xx, 408 or 429 answer, a connection error and a timeout), or the class
// the server reports in its error.
func (r *Remote) Seed(ctx context.Context, task rollout.Task) (Session, error) {
	s := &remoteSession{r: r}
	if id, ok := rollout.IDFrom(ctx); ok {
		task = task.WithRolloutID(id) // the server's Seed knows the attempt as an in-process one does
	}
	ans, err := r.post(ctx, "seed", RouteSeed, task.AppendJSON(nil), nil)
	if err != nil {
		return nil, err
	}
	if !ans.OK() {
		return nil, ans.Failure("seed")
	}
	s.update(ans.Cookies)
	return s, nil
}

// remoteSession is a session of a Remote: the cookies of its server.
type remoteSession struct {
	r       *Remote
	mu      sync.Mutex
	cookies []*http.Cookie
}

// CallTool POSTs args to /<name>. The answer's body is the output for any
// 2xx or 4xx status, as NeMo Gym's agent reads it (an unknown tool, or bad
// arguments the server rejected, are observations for the model); a 5xx
// answer, a connection error or a timeout is a *rollout.Failure of stage
// "tool", whose class the server's error names (tool_panic, ...) or
// remote_server_error.
func (s *remoteSession) CallTool(ctx context.Context, name string, args json.RawMessage) (string, error) {
	ans, err := s.r.post(ctx, "tool", "/"+url.PathEscape(name), args, s.snapshot())
	if err != nil {
		return "", err
	}
	s.update(ans.Cookies)
	if ans.OK() || ans.Status >= 400 && ans.Status < 500 {
		return string(ans.Body), nil
	}
	return "", ans.Failure("tool")
}

// Close does nothing: the server closes the session when it verifies it,
// and a session that is never verified (its rollout failed earlier) when
// it has been idle for the server's session TTL.
func (s *remoteSession) Close() error { return nil }

func (s *remoteSession) snapshot() []*http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cookies
}

// update merges the cookies an answer set: a cookie replaces the one of the
// same name, and an expired one removes it.
func (s *remoteSession) update(set []*http.Cookie) {
	if len(set) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make([]*http.Cookie, 0, len(s.cookies)+len(set))
	for _, c := range s.cookies {
		if !hasCookie(set, c.Name) {
			next = append(next, c)
		}
	}
	now := time.Now()
	for _, c := range set {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now)) {
			continue
		}
		if i := indexCookie(next, c.Name); i >= 0 {
			next[i] = c // the later of two of the same name wins
			continue
		}
		next = append(next, c)
	}
	s.cookies = next
}

func hasCookie(cs []*http.Cookie, name string) bool { return indexCookie(cs, name) >= 0 }

func indexCookie(cs []*http.Cookie, name string) int {
	for i, c := range cs {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Verifier returns a verifier that POSTs the row and the response to
// /verify with the cookies of the request's session (none for a nil
// session, for a stateless re-verification), so that the server verifies
// and then closes that session. The verdict is the answer's reward and
// reward_components, and as Fields every other member of the answer that
// the request did not send (or sent with another value), in the answer's
// order; the echoed row is not repeated. A failure is a *rollout.Failure of
// stage "verify", as for Seed.
func (r *Remote) Verifier() verifier.Verifier {
	return verifier.Func(r.verify)
}

func (r *Remote) verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	if req.Response == nil {
		return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify", Err: errors.New("env: remote verify: the request has no response")}
	}
	var cookies []*http.Cookie
	switch s := req.Session.(type) {
	case nil:
	case *remoteSession:
		if s.r.c.Base != r.c.Base {
			return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify",
				Err: fmt.Errorf("env: remote verify: the session belongs to the server at %s, not %s", s.r.c.Base, r.c.Base)}
		}
		cookies = s.snapshot()
	default:
		return nil, &rollout.Failure{Class: rollout.FailVerifier, Stage: "verify",
			Err: fmt.Errorf("env: remote verify: the session is a %T, not a session of the remote server %s", req.Session, r.c.Base)}
	}
	sent := req.Task.WithRolloutID(req.ID).Clone()
	sent.Set(rollout.KeyResponse, req.Response.AppendJSON(nil))
	ans, err := r.post(ctx, "verify", RouteVerify, sent.AppendJSON(nil), cookies)
	if err != nil {
		return nil, err
	}
	if !ans.OK() {
		return nil, ans.Failure("verify")
	}
	return r.verdict(sent, ans)
}

// verdict reads a verify answer.
func (r *Remote) verdict(sent rollout.Object, ans *httpjson.Answer) (*verifier.Verdict, error) {
	bad := func(format string, args ...any) error {
		return &rollout.Failure{Class: rollout.FailRemote, Stage: "verify", Status: ans.Status,
			Err: fmt.Errorf("env: remote verify: the answer of %s%s %s", r.c.Base, RouteVerify, fmt.Sprintf(format, args...))}
	}
	o, err := rollout.ParseObject(ans.Body)
	if err != nil {
		return nil, bad("is not a JSON object: %v", err)
	}
	v := &verifier.Verdict{}
	raw, ok := o.Get(rollout.KeyReward)
	if !ok {
		return nil, bad("has no reward")
	}
	if err := json.Unmarshal(raw, &v.Reward); err != nil {
		return nil, bad("has a reward that is not a number: %.40s", raw)
	}
	if err := o.Decode(rollout.KeyComponents, &v.Components); err != nil {
		return nil, bad("has reward_components that are not a map of numbers: %v", err)
	}
	for _, f := range o.Fields() {
		switch f.Name {
		case rollout.KeyReward, rollout.KeyComponents:
			continue
		}
		if was, ok := sent.Get(f.Name); ok {
			// The echoed request. A Python server writes it again (with its
			// model's defaults added to the episode and the create
			// parameters), so compare values, and never take those two.
			if f.Name == rollout.KeyResponse || f.Name == rollout.KeyCreateParams || sameJSON(was, f.Value) {
				continue
			}
		}
		v.Fields.Set(f.Name, f.Value)
	}
	return v, nil
}

// sameJSON reports whether two JSON values are equal as values.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// post sends body to path with cookies and reads the answer (see
// httpjson.Client.Post). The error, always a *rollout.Failure, is for no
// answer: a bad URL, a connection error, a timeout, or the caller's
// cancellation.
func (r *Remote) post(ctx context.Context, stage, path string, body []byte, cookies []*http.Cookie) (*httpjson.Answer, error) {
	if r.baseErr != nil || r.c.Base == "" {
		err := r.baseErr
		if err == nil {
			err = errors.New("env: a Remote needs the server's URL: use NewRemote")
		}
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: stage, Err: err}
	}
	return r.c.Post(ctx, stage, path, body, cookies)
}
