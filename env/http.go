package env

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Routes of NeMo Gym's resources-server protocol. Every other POST route is
// a tool.
const (
	RouteSeed      = "/seed_session"
	RouteVerify    = "/verify"
	RouteAggregate = "/aggregate_metrics"
)

// Defaults of a Handler.
const (
	// DefaultSessionTTL outlasts the longest model call between two tool
	// calls (agent.DefaultModelTimeout), so that an idle session is one
	// whose rollout is gone.
	DefaultSessionTTL   = 30 * time.Minute
	DefaultMaxBodyBytes = 64 << 20
	// MaxAggregateItems bounds the verify answers of one
	// /aggregate_metrics request (a larger list is answered 413), and
	// AggregateTimeout the time spent on them (503 past it): a request
	// cannot hold a server's memory and CPU for long.
	MaxAggregateItems = 100_000
	AggregateTimeout  = 30 * time.Second
	// DefaultSessionQueue is the number of requests that may wait for their
	// turn on one session (WithSessionQueue).
	DefaultSessionQueue = 1024
)

// sessionCookie names the cookie that carries a Handler's session. Clients
// need not know it: NeMo Gym's agent, like Remote, sends back whatever
// cookies the server set.
const sessionCookie = "gym_session"

// ToolLister is implemented by a ResourcesServer that can list its tools,
// as *Server does. A Handler uses it to answer a call of an unknown tool
// with 404 and the list of tools.
type ToolLister interface {
	Tools() []*Tool
}

// ToolCatcher is implemented by a ResourcesServer whose sessions answer a
// call of any tool name themselves, listed or not, as NeMo Gym's servers
// with a catch-all tool route do (workplace_assistant answers an unknown
// tool with its own error text, status 200). A Handler then hands every
// tool call to the session instead of answering 404 for a name the
// server's ToolLister does not list.
type ToolCatcher interface {
	CatchesAllTools() bool
}

// Handler serves one ResourcesServer and its verifier over HTTP with NeMo
// Gym's resources-server protocol, so that NeMo Gym's agents (and Remote)
// can use a Go environment:
//
//   - POST /seed_session with the dataset row seeds a session and answers
//     {} with a signed session cookie;
//   - POST /<tool name> with the arguments object runs the tool in the
//     cookie's session and answers its output, status 200 (a tool's error
//     is an observation: {"error": ...}, also 200);
//   - POST /verify with the row and its "response" runs the verifier with
//     the cookie's session (nil without a cookie), answers the request with
//     "reward" and the verdict's fields added, and closes the session;
//   - POST /aggregate_metrics with {"verify_responses": [...]} answers the
//     aggregate metrics of those rows;
//   - GET / answers {} (liveness).
//
// The calls of one session (its tools and /verify) run one at a time, in
// the order they arrive, as they do in process, where the agent loop calls
// them one after another: an environment's session state needs no lock of
// its own. A request waits for its turn within its own deadline (the
// client's tool or verify deadline, which cancels the request), and at
// most the queue bound (WithSessionQueue) of requests wait on one session;
// one more is answered 429. Calls of different sessions run in parallel.
//
// Bodies are bounded (WithMaxBodyBytes: a declared length over it is
// refused unread, 413) and must arrive at a steady pace (64 KiB/s after a
// 10 s grace, 408 otherwise); the bodies being read at once share a budget
// of 1 GiB per process, as in every server of the module. Serve a Handler
// from an http.Server with a ReadHeaderTimeout, as gym run does (10 s), so
// that slow headers are dropped too. /aggregate_metrics takes at most
// MaxAggregateItems answers and AggregateTimeout.
//
// Every error is a JSON object {"error": ...} with a matching status: a
// message for a client error (4xx), as a tool's error reads, and for a
// failure of the environment (5xx) the error object of the library's
// model and agent servers, {"message", "type", "param", "code", "class",
// "stage", "retryable"} (code and class are both the failure class), from
// which Remote rebuilds the *rollout.Failure. A session idle longer than
// the TTL is closed. Close stops the handler and closes every open
// session. Create a Handler with NewHandler.
type Handler struct {
	srv   ResourcesServer
	v     verifier.Verifier
	tools []string // sorted; nil if srv is not a ToolLister
	// catchAll: the sessions answer unlisted tool names (ToolCatcher).
	catchAll bool

	key      []byte
	ttl      time.Duration
	maxBody  int64
	queue    int
	errorLog *log.Logger

	mu       sync.Mutex
	sessions map[string]*entry
	closed   bool

	stop      chan struct{}
	stopOnce  sync.Once
	sweeperWG sync.WaitGroup
}

// entry is an open session. It is closed once it is both out of the map
// (verified, expired or the handler closed) and not in use by a request.
type entry struct {
	sess   Session
	turn   chan struct{} // holds a token while a call runs: one call at a time
	queued int           // requests waiting for the turn or holding it
	busy   int           // requests using the session
	last   time.Time     // end of the last request that used it
	dead   bool          // removed from the map
	closed bool
	value  string   // the signed cookie value, computed once at seed
	header []string // the Set-Cookie line that carries value, for the answers' headers
}

// HandlerOption configures a Handler.
type HandlerOption func(*Handler)

// WithSessionTTL closes sessions idle for longer than d (default
// DefaultSessionTTL); d <= 0 keeps sessions until verify or Close.
func WithSessionTTL(d time.Duration) HandlerOption {
	return func(h *Handler) { h.ttl = d }
}

// WithSessionQueue bounds the requests that may wait for their turn on one
// session (default DefaultSessionQueue); one more is answered 429, a
// retryable failure. n <= 0 keeps the default.
func WithSessionQueue(n int) HandlerOption {
	return func(h *Handler) {
		if n > 0 {
			h.queue = n
		}
	}
}

// WithSessionKey signs session cookies with key, so that several processes
// serving one environment behind a load balancer accept each other's
// cookies (the sessions themselves are still per process). The default is
// a random key per Handler.
func WithSessionKey(key []byte) HandlerOption {
	return func(h *Handler) {
		if len(key) > 0 {
			h.key = bytes.Clone(key)
		}
	}
}

// WithMaxBodyBytes limits request bodies to n bytes (default
// DefaultMaxBodyBytes); a larger body is answered 413.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(h *Handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithErrorLog sets the logger for errors no client receives: panics
// recovered while serving, and errors closing expired sessions. The default
// is the log package's standard logger.
func WithErrorLog(l *log.Logger) HandlerOption {
	return func(h *Handler) { h.errorLog = l }
}

// NewHandler returns a Handler serving srv, whose sessions v verifies (a
// nil v gives every rollout reward 0, as agent.Simple does). If srv is a
// ToolLister, its tools are read once, here. NewHandler panics if a tool is
// named like a route of the protocol, a programming error: the tool could
// never be called. The Handler owns a goroutine that expires idle sessions:
// call Close when done.
func NewHandler(srv ResourcesServer, v verifier.Verifier, opts ...HandlerOption) *Handler {
	h := &Handler{
		srv:      srv,
		v:        v,
		ttl:      DefaultSessionTTL,
		maxBody:  DefaultMaxBodyBytes,
		queue:    DefaultSessionQueue,
		sessions: map[string]*entry{},
		stop:     make(chan struct{}),
	}
	for _, o := range opts {
		o(h)
	}
	if h.key == nil {
		h.key = make([]byte, 32)
		_, _ = rand.Read(h.key) // never fails (crypto/rand)
	}
	if tl, ok := srv.(ToolLister); ok {
		h.tools = []string{}
		for _, t := range tl.Tools() {
			switch "/" + t.Name {
			case RouteSeed, RouteVerify, RouteAggregate, "/":
				panic(fmt.Sprintf("env: tool %q has the name of a route of the resources-server protocol; rename it", t.Name))
			}
			h.tools = append(h.tools, t.Name)
		}
		slices.Sort(h.tools)
	}
	if tc, ok := srv.(ToolCatcher); ok {
		h.catchAll = tc.CatchesAllTools()
	}
	if h.ttl > 0 {
		h.sweeperWG.Go(h.sweeper)
	}
	return h
}

// Sessions reports the number of open sessions.
func (h *Handler) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// Close stops expiring sessions and closes every open session (one still
// in use by a request is closed when that request ends). Requests that
// start a session afterwards are answered 503. Close returns the errors of
// closing the sessions and may be called more than once.
func (h *Handler) Close() error {
	h.stopOnce.Do(func() { close(h.stop) })
	h.sweeperWG.Wait()
	h.mu.Lock()
	h.closed = true
	var idle []*entry
	for id, e := range h.sessions {
		delete(h.sessions, id)
		if e.retire() {
			idle = append(idle, e)
		}
	}
	h.mu.Unlock()
	var errs []error
	for _, e := range idle {
		errs = append(errs, closeSession(e.sess))
	}
	return errors.Join(errs...)
}

// retire marks e removed from the map and reports whether the caller must
// close it now. h.mu is held.
func (e *entry) retire() bool {
	e.dead = true
	if e.busy == 0 && !e.closed {
		e.closed = true
		return true
	}
	return false
}

func (h *Handler) sweeper() {
	interval := min(max(h.ttl/4, time.Millisecond), time.Minute)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			h.sweep(now)
		}
	}
}

// sweep closes the sessions idle for longer than the TTL.
func (h *Handler) sweep(now time.Time) {
	var expired []*entry
	h.mu.Lock()
	for id, e := range h.sessions {
		if e.busy == 0 && now.Sub(e.last) > h.ttl {
			delete(h.sessions, id)
			if e.retire() {
				expired = append(expired, e)
			}
		}
	}
	h.mu.Unlock()
	for _, e := range expired {
		if err := closeSession(e.sess); err != nil {
			h.logf("env: closing an expired session: %v", err)
		}
	}
}

// acquire returns the open session id and marks it in use; release it.
func (h *Handler) acquire(id string) *entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.sessions[id]
	if e != nil {
		e.busy++
	}
	return e
}

// release ends a request's use of e. If the session was retired meanwhile
// and this was its last user, it is closed, and the error returned.
func (h *Handler) release(e *entry) error {
	h.mu.Lock()
	e.busy--
	e.last = time.Now()
	mustClose := e.dead && e.busy == 0 && !e.closed
	if mustClose {
		e.closed = true
	}
	h.mu.Unlock()
	if mustClose {
		return closeSession(e.sess)
	}
	return nil
}

// forget removes the session id from the map (it is closed by release).
func (h *Handler) forget(id string, e *entry) {
	h.mu.Lock()
	if h.sessions[id] == e {
		delete(h.sessions, id)
	}
	e.dead = true
	h.mu.Unlock()
}

// errQueueFull answers a call on a session that already has the queue
// bound of calls waiting.
var errQueueFull = errors.New("too many calls are waiting on this session")

// lock waits for e's turn: the calls of a session run one at a time. It
// gives up when ctx ends (the client's deadline or disconnection) and when
// the session's queue is full. A nil error must be followed by unlock.
func (h *Handler) lock(ctx context.Context, e *entry) error {
	h.mu.Lock()
	if e.queued >= h.queue {
		h.mu.Unlock()
		return errQueueFull
	}
	e.queued++
	h.mu.Unlock()
	select {
	case e.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		e.queued--
		h.mu.Unlock()
		return ctx.Err()
	}
}

func (h *Handler) unlock(e *entry) {
	<-e.turn
	h.mu.Lock()
	e.queued--
	h.mu.Unlock()
}

// writeLockError answers a call that did not get its session's turn.
func writeLockError(w http.ResponseWriter, stage string, err error) {
	if errors.Is(err, errQueueFull) {
		w.Header().Set("Retry-After", "1")
		httpjson.WriteError(w, http.StatusTooManyRequests, &rollout.Failure{Class: rollout.FailResources, Stage: stage,
			Retryable: true, Status: http.StatusTooManyRequests, Err: fmt.Errorf("%w; calls of one session run one at a time", err)})
		return
	}
	writeFailure(w, rollout.Fail(rollout.FailTimeout, stage, fmt.Errorf("waiting for the session's turn: %w", err)))
}

func closeSession(s Session) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("closing the session panicked: %v", p)
		}
	}()
	return s.Close()
}

func (h *Handler) logf(format string, args ...any) {
	if h.errorLog != nil {
		h.errorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// ServeHTTP serves one request of the protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpjson.Recover(w, func(p any) error {
		h.logf("env: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
		return &rollout.Failure{Class: rollout.FailAgent, Err: fmt.Errorf("internal error serving %s: %v", r.URL.Path, p)}
	})
	switch path := r.URL.Path; path {
	case "/":
		if allow(w, r, http.MethodGet, http.MethodHead) {
			httpjson.WriteJSON(w, http.StatusOK, []byte("{}"))
		}
	case RouteSeed, RouteVerify, RouteAggregate:
		if !allow(w, r, http.MethodPost) {
			return
		}
		switch path {
		case RouteSeed:
			h.seed(w, r)
		case RouteVerify:
			h.verify(w, r)
		default:
			h.aggregate(w, r)
		}
	default:
		name := strings.TrimPrefix(path, "/")
		if h.tools != nil && !h.catchAll {
			if _, found := slices.BinarySearch(h.tools, name); !found {
				// The same text as a Server session's, so a model sees the
				// same answer in process and over HTTP.
				httpjson.WriteJSON(w, http.StatusNotFound, []byte(unknownToolOutput(name, h.tools)))
				return
			}
		}
		if allow(w, r, http.MethodPost) {
			h.callTool(w, r, name)
		}
	}
}

func (h *Handler) seed(w http.ResponseWriter, r *http.Request) {
	body, _, ok := h.readObject(w, r, "the dataset row")
	if !ok {
		return
	}
	if h.isClosed() {
		writeError(w, http.StatusServiceUnavailable, "the resources server is shutting down")
		return
	}
	sess, err := func() (s Session, err error) {
		defer recoverAs(&err, rollout.FailResources, "seed", "seed session")
		task := rollout.Task{Object: body}
		ctx := r.Context()
		if rid := task.RolloutID(); !rid.IsZero() {
			ctx = rollout.WithID(ctx, rid) // sent by a Remote for a collector's attempt
		}
		return h.srv.Seed(ctx, task)
	}()
	if err != nil {
		writeFailure(w, rollout.Fail(rollout.FailResources, "seed", fmt.Errorf("seed session: %w", err)))
		return
	}
	if sess == nil {
		writeFailure(w, &rollout.Failure{Class: rollout.FailResources, Stage: "seed",
			Err: errors.New("seed session: the resources server returned no session")})
		return
	}
	id := rand.Text()
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = closeSession(sess)
		writeError(w, http.StatusServiceUnavailable, "the resources server is shutting down")
		return
	}
	e := &entry{sess: sess, turn: make(chan struct{}, 1), last: time.Now(), value: h.sign(id)}
	e.header = []string{cookieHeader(e.value)}
	h.sessions[id] = e
	h.mu.Unlock()
	e.setCookie(w)
	httpjson.WriteJSON(w, http.StatusOK, []byte("{}"))
}

func (h *Handler) isDead(e *entry) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return e.dead
}

func (h *Handler) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

func (h *Handler) callTool(w http.ResponseWriter, r *http.Request, name string) {
	args, ok := h.readArgs(w, r, name)
	if !ok {
		return
	}
	e, ok := h.acquireCookie(w, r)
	if !ok {
		return
	}
	if err := h.lock(r.Context(), e); err != nil {
		if cerr := h.release(e); cerr != nil {
			h.logf("env: closing a session: %v", cerr)
		}
		writeLockError(w, "tool", err)
		return
	}
	if h.isDead(e) { // verified (or expired) while this call waited
		h.unlock(e)
		if cerr := h.release(e); cerr != nil {
			h.logf("env: closing a session: %v", cerr)
		}
		writeError(w, http.StatusBadRequest, "the session was closed (by /verify) while this call waited for its turn: POST /seed_session to start a new one")
		return
	}
	out, err := func() (out string, err error) {
		defer func() { // names the tool only on a panic: no formatting per call
			if p := recover(); p != nil {
				err = failure.Panic(rollout.FailToolPanic, "tool", fmt.Sprintf("tool %q", name), p)
			}
		}()
		return e.sess.CallTool(r.Context(), name, args)
	}()
	h.unlock(e)
	if cerr := h.release(e); cerr != nil {
		h.logf("env: closing a session: %v", cerr)
	}
	if err != nil {
		writeFailure(w, rollout.Fail(rollout.FailAgent, "tool", err))
		return
	}
	// Set the cookie again: NeMo Gym's agent keeps the cookies of the last
	// answer only.
	e.setCookie(w)
	httpjson.WriteJSON(w, http.StatusOK, []byte(out))
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	body, _, ok := h.readObject(w, r, "the verify request")
	if !ok {
		return
	}
	raw, ok := body.Get(rollout.KeyResponse)
	if !ok || string(raw) == "null" {
		writeError(w, http.StatusBadRequest, `the verify request has no "response": send the dataset row with the episode's Responses object as "response"`)
		return
	}
	resp, _, err := body.DecodeResponse(rollout.KeyResponse) // validated with the body
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`"response": %v`, err))
		return
	}
	id, ok := h.sessionID(w, r, false)
	if !ok {
		return
	}
	var e *entry
	if id != "" {
		if e = h.acquire(id); e == nil {
			writeError(w, http.StatusBadRequest, "the session has expired or was closed (by an earlier /verify or after being idle); verify without a session cookie to verify statelessly")
			return
		}
		h.forget(id, e)
		// The tool calls already running or waiting finish first.
		if err := h.lock(r.Context(), e); err != nil {
			if cerr := h.release(e); cerr != nil {
				h.logf("env: closing a session: %v", cerr)
			}
			writeLockError(w, "verify", err)
			return
		}
		defer h.unlock(e)
	}
	task := rollout.Task{Object: body.Clone()}
	task.Delete(rollout.KeyResponse)
	req := &verifier.Request{Task: task, Response: resp, ID: task.RolloutID()}
	if e != nil {
		req.Session = e.sess
	}
	v, verr := verifier.Run(r.Context(), h.v, req) // as agent.Simple runs it
	var cerr error
	if e != nil {
		cerr = h.release(e)
	}
	if verr != nil {
		writeFailure(w, verr)
		return
	}
	if cerr != nil {
		writeFailure(w, &rollout.Failure{Class: rollout.FailResources, Stage: "close",
			Err: fmt.Errorf("close session: %w", cerr)})
		return
	}
	httpjson.WriteJSON(w, http.StatusOK, verifyAnswer(body, v))
}

// recoverAs, deferred, turns a panic of what into a failure of class at
// stage in *err.
func recoverAs(err *error, class rollout.FailureClass, stage, what string) {
	if p := recover(); p != nil {
		*err = failure.Panic(class, stage, what, p)
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// verifyAnswer is NeMo Gym's verify answer: the request echoed back, then
// reward, the verdict's fields in order and reward_components. A field
// named like a request member replaces it in place.
func verifyAnswer(body rollout.Object, v *verifier.Verdict) []byte {
	out := body.Clone()
	out.Set(rollout.KeyReward, rollout.Float(v.Reward))
	for _, f := range v.Fields.Fields() {
		switch f.Name {
		case rollout.KeyReward, rollout.KeyComponents, rollout.KeyResponse:
			continue // written from the verdict itself, or the echoed episode
		}
		out.Set(f.Name, f.Value)
	}
	if len(v.Components) > 0 {
		out.Set(rollout.KeyComponents, rollout.AppendComponents(nil, v.Components))
	}
	return out.AppendJSON(nil)
}

// aggregate answers NeMo Gym's AggregateMetrics for a list of verify
// answers: agent_metrics (mean/max/min/median/std of every numeric or
// boolean field, the response's token usage included, plus pass@k and
// majority@k for repeated tasks), key_metrics (the mean/ entries) and
// group_level_metrics (the statistics of each task, by _ng_task_index).
func (h *Handler) aggregate(w http.ResponseWriter, r *http.Request) {
	body, _, ok := h.readObject(w, r, "the aggregate_metrics request")
	if !ok {
		return
	}
	raw, ok := body.Get("verify_responses")
	if !ok || string(raw) == "null" {
		writeError(w, http.StatusBadRequest, `the aggregate_metrics request has no "verify_responses": send {"verify_responses": [<verify answer>, ...]}`)
		return
	}
	if count := countElements(raw); count > MaxAggregateItems {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(`"verify_responses" has %d items, more than %d items: send them in batches and merge the metrics`, count, MaxAggregateItems))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), AggregateTimeout)
	defer cancel()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		writeError(w, http.StatusBadRequest, `"verify_responses": want a list of objects`)
		return
	}
	var all rollout.Metrics
	tasks := map[int]*rollout.Metrics{}
	n := 0
	for ; dec.More(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			writeError(w, http.StatusServiceUnavailable, fmt.Sprintf(`aggregating "verify_responses" took longer than %v (%d items done): send fewer at once`, AggregateTimeout, n))
			return
		}
		var elem json.RawMessage
		if err := dec.Decode(&elem); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(`"verify_responses"[%d]: %v`, n, err))
			return
		}
		res, err := metricsResult(elem)
		if errors.Is(err, rollout.ErrNotObject) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(`"verify_responses": want a list of objects: [%d]: %v`, n, err))
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(`"verify_responses"[%d]: %v`, n, err))
			return
		}
		all.Add(res)
		m := tasks[res.TaskIndex]
		if m == nil {
			m = &rollout.Metrics{}
			tasks[res.TaskIndex] = m
		}
		m.Add(res)
	}
	type answer struct {
		GroupLevel []map[string]float64 `json:"group_level_metrics"`
		Agent      map[string]float64   `json:"agent_metrics"`
		Key        map[string]float64   `json:"key_metrics"`
	}
	a := answer{GroupLevel: []map[string]float64{}, Agent: map[string]float64{}, Key: map[string]float64{}}
	if n > 0 {
		a.Agent = finiteOnly(all.Agent(""), nil)
		for k, v := range a.Agent {
			if strings.HasPrefix(k, "mean/") {
				a.Key[k] = v
			}
		}
		indices := make([]int, 0, len(tasks))
		for ti := range tasks {
			indices = append(indices, ti)
		}
		slices.Sort(indices)
		for _, ti := range indices {
			g := finiteOnly(tasks[ti].Agent(""), []string{"mean/", "max/", "min/", "median/", "std/"})
			g[rollout.KeyTaskIndex] = float64(ti)
			a.GroupLevel = append(a.GroupLevel, g)
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // only finite numbers
	}
	httpjson.WriteJSON(w, http.StatusOK, b)
}

// countElements counts the elements of raw, a valid JSON array, without
// decoding them.
func countElements(raw []byte) int {
	n, depth, empty := 0, 0, true
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
			empty = false
		case '[', '{':
			if depth == 1 {
				empty = false
			}
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 1 {
				n++
			}
		case ' ', '\t', '\r', '\n':
		default:
			if depth == 1 {
				empty = false
			}
		}
	}
	if empty {
		return 0
	}
	return n + 1
}

// metricsResult reads a verify answer for rollout.Metrics, as one agent's
// rollout, with the numeric members of response.usage added as fields (as
// NeMo Gym's RewardProfiler does).
func metricsResult(raw []byte) (*rollout.Result, error) {
	res, err := rollout.ParseResult(raw)
	if err != nil {
		return nil, err
	}
	res.Agent = ""
	if res.Response != nil {
		if raw, ok := res.Response.Get("usage"); ok {
			if usage, err := rollout.ParseObject(raw); err == nil {
				for _, f := range usage.Fields() {
					res.Fields.Set(f.Name, f.Value)
				}
			}
		}
	}
	return res, nil
}

// finiteOnly drops non-finite values (sums of huge numbers overflow) and,
// if prefixes are given, the keys without one of them.
func finiteOnly(m map[string]float64, prefixes []string) map[string]float64 {
	for k, v := range m {
		keep := finite(v)
		if keep && prefixes != nil {
			keep = slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) })
		}
		if !keep {
			delete(m, k)
		}
	}
	return m
}

// readObject reads the request body, which must be a JSON object, or
// answers the error and returns false.
func (h *Handler) readObject(w http.ResponseWriter, r *http.Request, what string) (rollout.Object, []byte, bool) {
	data, err := httpjson.ReadBody(w, r, h.maxBody, what)
	if err != nil {
		writeError(w, httpjson.StatusOf(err), err.Error())
		return rollout.Object{}, nil, false
	}
	o, err := rollout.ParseObject(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, describeJSONError(what, data, err))
		return rollout.Object{}, nil, false
	}
	return o, data, true
}

// readArgs reads the arguments of a call of the tool name, which must be a
// JSON object, or answers the error as readObject does and returns false.
// The arguments are checked without building an Object (which the route
// does not use) and named only in an error.
func (h *Handler) readArgs(w http.ResponseWriter, r *http.Request, name string) ([]byte, bool) {
	const what = "the arguments of "
	data, err := httpjson.ReadBodyOf(w, r, h.maxBody, what, name)
	if err != nil {
		writeError(w, httpjson.StatusOf(err), err.Error())
		return nil, false
	}
	if isObject(data) {
		return data, true
	}
	if _, err := rollout.ParseObject(data); err != nil {
		writeError(w, http.StatusBadRequest, describeJSONError(what+name, data, err))
		return nil, false
	}
	return data, true
}

// isObject reports whether data is a JSON object that rollout.ParseObject
// accepts — valid JSON, UTF-8, an object — without building it.
func isObject(data []byte) bool {
	i := 0
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i < len(data) && data[i] == '{' && rollout.Valid(data) && utf8.Valid(data)
}

// describeJSONError says what is wrong with data and where.
func describeJSONError(what string, data []byte, err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		at := max(se.Offset-1, 0) // the byte that made the syntax wrong
		line, col := position(data, at)
		return fmt.Sprintf("%s is not valid JSON: %v at line %d, column %d (byte offset %d)", what, se, line, col, at)
	}
	if errors.Is(err, rollout.ErrNotObject) {
		return fmt.Sprintf("%s must be a JSON object, not %s", what, jsonKind(data))
	}
	return fmt.Sprintf("%s: %v", what, err)
}

// position returns the 1-based line and column of the byte at offset.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func jsonKind(data []byte) string {
	var c byte
	if data = bytes.TrimLeft(data, " \t\r\n"); len(data) > 0 {
		c = data[0]
	}
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case 0:
		return "empty"
	default:
		return "a number"
	}
}

// sessionID returns the session id of the request's cookie: "" if it has
// none (an error unless optional), and false after answering the error of
// a cookie that is not ours (forged, tampered or signed with another key).
func (h *Handler) sessionID(w http.ResponseWriter, r *http.Request, required bool) (string, bool) {
	cookies := r.CookiesNamed(sessionCookie)
	if len(cookies) == 0 {
		if required {
			writeError(w, http.StatusBadRequest, "no session: POST /seed_session first and send the cookie it sets with every tool call and with /verify")
			return "", false
		}
		return "", true
	}
	for _, c := range cookies {
		if id, ok := h.open(c.Value); ok {
			return id, true
		}
	}
	writeError(w, http.StatusBadRequest, "invalid session cookie (forged, tampered with, or signed by another server): POST /seed_session to start a new session")
	return "", false
}

// acquireCookie is sessionID (required) and acquire in one: it returns the
// session of the request's cookie, acquired, or answers the error and
// returns false. A cookie equal to the value its session was given at
// seed is ours without computing its HMAC again; any other goes through
// sessionID's check, which tells a forged cookie from an expired session.
func (h *Handler) acquireCookie(w http.ResponseWriter, r *http.Request) (*entry, bool) {
	if e := h.quickCookie(r); e != nil {
		return e, true
	}
	for _, c := range r.CookiesNamed(sessionCookie) {
		id, _, ok := strings.Cut(c.Value, ".")
		if !ok {
			continue
		}
		h.mu.Lock()
		e := h.sessions[id]
		if e != nil && subtle.ConstantTimeCompare([]byte(e.value), []byte(c.Value)) == 1 {
			e.busy++
			h.mu.Unlock()
			return e, true
		}
		h.mu.Unlock()
	}
	id, ok := h.sessionID(w, r, true)
	if !ok {
		return nil, false
	}
	e := h.acquire(id)
	if e == nil {
		writeError(w, http.StatusBadRequest, "the session has expired or was closed (by /verify or after being idle): POST /seed_session to start a new one")
		return nil, false
	}
	return e, true
}

// quickCookie is acquireCookie's first loop without parsing the Cookie
// header into http.Cookies: it returns the session, acquired, of the first
// session cookie whose value (unquoted, as net/http reads it) is the one
// its session was given, or nil, leaving every other case to
// acquireCookie's own loop. A value equal to ours is a valid cookie value,
// and the Cookie lines are split into name=value pairs as net/http splits
// them, so both loops find the same cookie first. A request with more than
// a few cookies takes the other loop, which applies net/http's bound on
// their number.
func (h *Handler) quickCookie(r *http.Request) *entry {
	lines := r.Header["Cookie"]
	count := 0
	for _, line := range lines {
		count += strings.Count(line, ";") + 1
	}
	if count > maxQuickCookies {
		return nil
	}
	for _, line := range lines {
		for rest := line; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ";")
			name, val, _ := strings.Cut(textproto.TrimString(part), "=")
			if textproto.TrimString(name) != sessionCookie {
				continue
			}
			if len(val) > 1 && val[0] == '"' && val[len(val)-1] == '"' {
				val = val[1 : len(val)-1]
			}
			id, _, ok := strings.Cut(val, ".")
			if !ok {
				continue
			}
			h.mu.Lock()
			e := h.sessions[id]
			if e != nil && subtle.ConstantTimeCompare([]byte(e.value), []byte(val)) == 1 {
				e.busy++
				h.mu.Unlock()
				return e
			}
			h.mu.Unlock()
		}
	}
	return nil
}

// maxQuickCookies bounds the cookies of a request that quickCookie reads.
const maxQuickCookies = 16

// sign returns the cookie value of a session id: the id and its HMAC.
func (h *Handler) sign(id string) string {
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(id))
	return id + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// open checks a cookie value and returns its session id.
func (h *Handler) open(value string) (string, bool) {
	id, sig, ok := strings.Cut(value, ".")
	if !ok {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return "", false
	}
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(id))
	return id, hmac.Equal(got, mac.Sum(nil))
}

// cookieHeader returns the Set-Cookie line of a signed cookie value.
func cookieHeader(value string) string {
	return (&http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}).String()
}

// setCookie sets the session's cookie on the answer (the line computed at
// seed: http.SetCookie's, without signing and formatting it again).
//
// An answer with no other cookie gets the session's own one-line slice
// (net/http only reads it; its capacity of one makes an append copy it).
func (e *entry) setCookie(w http.ResponseWriter) {
	h := w.Header()
	if old := h["Set-Cookie"]; len(old) > 0 {
		h["Set-Cookie"] = append(old, e.header...)
		return
	}
	h["Set-Cookie"] = e.header[:1:1]
}

// allow reports whether r's method is one of methods, and otherwise
// answers 405 with an Allow header.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if err := httpjson.CheckMethod(w, r, methods...); err != nil {
		writeError(w, httpjson.StatusOf(err), err.Error())
		return false
	}
	return true
}

// writeError answers a client error: {"error": msg}, as a tool error reads
// (NeMo Gym's agent shows a 4xx answer of a tool call to the model).
func writeError(w http.ResponseWriter, status int, msg string) {
	httpjson.WriteJSON(w, status, []byte(ErrorOutput(msg)))
}

// writeFailure answers a failure of the environment with HTTP 500 and the
// failure as an error object (httpjson.WriteError), from which Remote
// rebuilds it.
func writeFailure(w http.ResponseWriter, err error) {
	httpjson.WriteError(w, http.StatusInternalServerError, rollout.AsFailure(err))
}
