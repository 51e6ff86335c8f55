package gymtest

// The fake OpenAI-compatible server.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gymkit/gym/rollout"
)

const (
	maxBodyBytes = 64 << 20
	maxModelLen  = 32768 // what /tokenize reports
	defaultModel = "gymtest"
)

// A Server is a fake OpenAI-compatible model server on a local port, for
// tests and offline examples. It serves
//
//	POST /v1/responses         OpenAI Responses API
//	POST /v1/chat/completions  Chat Completions, with vLLM's token ids on request
//	POST /tokenize             vLLM's tokenizer endpoint
//
// A [Handler] decides each model call's [Reply]; the server builds a
// complete response around it that openai-go decodes. Every request is
// recorded (see [Server.Requests]).
//
// A chat completion carries vLLM's token fields when the request asks as it
// would ask vLLM: with "logprobs": true, choices[0].logprobs.content has an
// entry per generated token, named "token_id:<id>" when
// "return_tokens_as_token_ids" is true and by its text otherwise; with
// "return_token_ids": true, the top-level prompt_token_ids and
// choices[0].token_ids. Token ids come from the fake tokenizer and chat
// template (see [RenderChat]), so prompts stay prefix-stable across the turns
// of a tool loop, and /tokenize renders "messages" the same way.
//
// Streaming is not supported: a request with "stream": true gets HTTP 400.
type Server struct {
	// URL is the base URL of the OpenAI API, "http://127.0.0.1:PORT/v1": give
	// it to option.WithBaseURL or use it as a policy_base_url. vLLM's
	// /tokenize lives at the root, URL without its "/v1" suffix.
	URL string

	ts      *httptest.Server
	handler Handler
	ctx     context.Context // parent of every request's context
	cancel  context.CancelFunc
	closed  sync.Once
	seq     atomic.Int64 // for ids

	h2c bool // serve unencrypted HTTP/2 too; set by WithHTTP2

	rate   float64 // chance of injecting a fault; set by WithFaults
	faults []Fault // the faults to inject

	mu       sync.Mutex // guards requests and rng
	requests recordLog
	rng      *rand.Rand // nil: no injected faults
}

// An Option configures a [Server].
type Option func(*Server)

// WithFaults makes the server misbehave at random: each request (before the
// handler sees it) gets, with probability rate, one of faults chosen
// uniformly, drawn from a generator seeded with seed. An injected [Latency]
// delays the request, which then goes on as usual; any other injected fault
// is the whole answer and does not reach the handler, so a [Script] is not
// advanced by it. Without faults it picks among RateLimited(0),
// ServerError(), Malformed() and Reset().
//
// The draws are deterministic in the order requests arrive; concurrent
// clients make that order vary. It panics if rate is not in [0, 1].
func WithFaults(rate float64, seed int64, faults ...Fault) Option {
	if !(rate >= 0 && rate <= 1) {
		panic(fmt.Sprintf("gymtest: WithFaults rate %v is not in [0, 1]", rate))
	}
	if len(faults) == 0 {
		faults = []Fault{RateLimited(0), ServerError(), Malformed(), Reset()}
	}
	faults = slices.Clone(faults)
	return func(s *Server) {
		s.rate = rate
		s.faults = faults
		s.rng = rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	}
}

// WithHTTP2 makes the server speak unencrypted HTTP/2 (h2c) besides
// HTTP/1.1, so that one process can keep tens of thousands of calls in
// flight over a hundred connections or so instead of one socket each. Use
// Client for a client that speaks it.
func WithHTTP2() Option { return func(s *Server) { s.h2c = true } }

// Client returns an HTTP client for the server: over HTTP/2 when the server
// was started WithHTTP2, many calls share each connection.
func (s *Server) Client() *http.Client {
	if !s.h2c {
		return s.ts.Client()
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{
		Protocols:       &p,
		MaxConnsPerHost: h2Conns,
	}}
}

// HTTP/2 connections: calls per connection (the server's
// SETTINGS_MAX_CONCURRENT_STREAMS) and connections per client, 16,384
// calls in flight at most (more wait for a connection in the client). One
// connection is one server goroutine that reads its frames, starts its
// handlers and writes their answers, and one client goroutine that reads
// the answers; with a thousand calls on each (ten connections for 10,000
// calls) those few loops got a small share of the CPU beside the callers'
// goroutines, and calls queued at them — waiting to write their headers,
// handlers waiting to write their answers — each holding its request,
// stream and goroutines: BenchmarkInFlight's peak heap per call in flight
// was 29–34 KiB with 1,000 streams a connection, 21–26 KiB with 128.
const (
	h2Streams = 128
	h2Conns   = 128
)

// NewServer starts a Server whose model calls h answers, on a free local
// port. A nil h answers every call with Text(""). Close the Server when done.
func NewServer(h Handler, opts ...Option) *Server {
	s, _ := listen(nil, h, opts...)
	return s
}

// Listen is NewServer on addr ("127.0.0.1:8000", ":0"), for a fake policy
// that other programs reach at a known address (cmd/fakepolicy).
func Listen(addr string, h Handler, opts ...Option) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gymtest: %w", err)
	}
	return listen(l, h, opts...)
}

func listen(l net.Listener, h Handler, opts ...Option) (*Server, error) {
	if h == nil {
		h = HandlerFunc(func(context.Context, *Request) Reply { return Text("") })
	}
	s := &Server{handler: h}
	for _, opt := range opts {
		opt(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if l != nil {
		s.ts.Listener.Close()
		s.ts.Listener = l
	}
	// Request contexts derive from s.ctx, so Close can end hanging and
	// delayed requests: httptest.Server.Close waits for them.
	s.ts.Config.BaseContext = func(net.Listener) context.Context { return s.ctx }
	if s.h2c {
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetUnencryptedHTTP2(true)
		s.ts.Config.Protocols = &p
		s.ts.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: h2Streams}
	}
	s.ts.Start()
	s.URL = s.ts.URL + "/v1"
	return s, nil
}

// Close cancels the context of every request in flight, so hanging and
// delayed requests drop their connection, then shuts the server down and
// waits for its handlers to return. It may be called more than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		s.cancel()
		s.ts.Close()
	})
}

// Requests returns every request received so far, in arrival order,
// including those that got a fault or an error.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	recs := s.requests.all()
	s.mu.Unlock()
	out := make([]Request, len(recs))
	for i, rec := range recs {
		out[i] = rec.request()
	}
	return out
}

// A record is what the server keeps of a request: what it received. The
// decoded fields of Request are decoded again from the body when
// Requests asks (decoding is deterministic), so that a long run keeps one
// copy of each body rather than the body and its decoded pieces.
type record struct {
	method, path string
	header       http.Header
	body         []byte
	time         time.Time
	decode       bool // the fields of a model call were decoded from body
}

func (rec *record) request() Request {
	req := Request{Method: rec.method, Path: rec.path, Header: rec.header.Clone(), Body: rec.body, Time: rec.time}
	if rec.decode {
		var p modelParams
		_ = parse(&req, &p)
	}
	return req
}

// recordLog is an append-only list of records in blocks of fixed size, so
// that it grows without copying (a slice of a million requests would copy
// them all, twice its size in flight, each time it doubles).
type recordLog struct {
	blocks [][]record
	n      int
	header http.Header // the last header kept: a client sends the same one again and again
}

const recordBlock = 256

func (l *recordLog) add(rec record) {
	if sameHeader(rec.header, l.header) {
		rec.header = l.header
	} else {
		l.header = rec.header
	}
	if l.n%recordBlock == 0 {
		l.blocks = append(l.blocks, make([]record, 0, recordBlock))
	}
	b := &l.blocks[len(l.blocks)-1]
	*b = append(*b, rec)
	l.n++
}

func sameHeader(a, b http.Header) bool {
	if len(a) != len(b) || a == nil || b == nil {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

func (l *recordLog) all() []record {
	out := make([]record, 0, l.n)
	for _, b := range l.blocks {
		out = append(out, b...)
	}
	return out
}

// apiError is an HTTP error answer.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, "invalid_request_error", fmt.Sprintf(format, args...)}
}

// serve answers one request: record it, maybe inject a fault, then route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, readErr := readBody(w, r)
	// The server does not reuse a request's header map: it is recorded as
	// it is (Requests returns copies).
	req := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header, Body: body, Time: time.Now()}

	var (
		params   modelParams
		build    func(Reply) ([]byte, error)
		isModel  bool
		parseErr error
	)
	switch r.URL.Path {
	case "/v1/responses":
		build = func(rep Reply) ([]byte, error) { return s.responseBody(req, &params, rep) }
		isModel = true
	case "/v1/chat/completions":
		build = func(rep Reply) ([]byte, error) { return s.chatBody(req, &params, rep) }
		isModel = true
	case "/tokenize":
		build = func(Reply) ([]byte, error) { return tokenizeBody(req, &params) }
	}
	decode := build != nil && readErr == nil
	if decode {
		parseErr = parse(req, &params)
	}
	s.record(req, decode)

	switch {
	case build == nil:
		writeError(w, &apiError{http.StatusNotFound, "not_found_error", "gymtest: no route for " + r.URL.Path})
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, &apiError{http.StatusMethodNotAllowed, "invalid_request_error", "gymtest: " + r.URL.Path + " takes POST"})
		return
	case readErr != nil:
		writeError(w, badRequest("gymtest: reading the body: %v", readErr))
		return
	}

	if f, ok := s.injectFault(); ok {
		if f.kind != faultLatency {
			s.fail(ctx, w, f, build, Reply{})
			return
		}
		sleep(ctx, f.delay)
	}
	if parseErr != nil {
		writeError(w, parseErr)
		return
	}

	var rep Reply
	if isModel {
		if params.Stream {
			writeError(w, badRequest("gymtest: streaming is not supported; send \"stream\": false"))
			return
		}
		rep = s.handler.Reply(ctx, req)
		switch rep.Fault.kind {
		case faultNone:
		case faultLatency:
			sleep(ctx, rep.Fault.delay)
		default:
			s.fail(ctx, w, rep.Fault, build, rep)
			return
		}
	}
	out, err := build(rep)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) record(req *Request, decode bool) {
	rec := record{method: req.Method, path: req.Path, header: req.Header, body: req.Body, time: req.Time, decode: decode}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.add(rec)
}

// readBody reads r's body, at most maxBodyBytes of it, into a buffer of
// its Content-Length when the client sent one (io.ReadAll's buffer grows
// to up to twice the body, and the server keeps every body).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	n := r.ContentLength
	if n <= 0 || n > maxBodyBytes {
		return io.ReadAll(body)
	}
	buf := make([]byte, n)
	if k, err := io.ReadFull(body, buf); err != nil {
		return buf[:k], err
	}
	// Content-Length is the body's length on the wire; read to its end so
	// that an error the connection reports there is not lost.
	var one [1]byte
	if k, err := body.Read(one[:]); k > 0 || (err != nil && err != io.EOF) {
		if err == nil {
			err = errors.New("body longer than its Content-Length")
		}
		return buf, err
	}
	return buf, nil
}

func (s *Server) injectFault() (Fault, bool) {
	if s.rng == nil {
		return Fault{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rng.Float64() >= s.rate {
		return Fault{}, false
	}
	return s.faults[s.rng.IntN(len(s.faults))], true
}

// id returns a new id such as "resp_7"; ids are unique within a Server.
func (s *Server) id(prefix string) string {
	return prefix + strconv.FormatInt(s.seq.Add(1), 10)
}

// sleep waits for d. If ctx ends first, the client is gone or the server is
// closing, and the connection is dropped without an answer.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		panic(http.ErrAbortHandler) // net/http drops the connection quietly
	}
}

// fail answers with a fault other than latency. A Malformed fault truncates
// the answer build makes of rep.
func (s *Server) fail(ctx context.Context, w http.ResponseWriter, f Fault, build func(Reply) ([]byte, error), rep Reply) {
	switch f.kind {
	case faultRateLimit:
		ms := f.delay.Milliseconds()
		w.Header().Set("Retry-After", strconv.FormatInt((ms+999)/1000, 10))
		w.Header().Set("retry-after-ms", strconv.FormatInt(ms, 10))
		writeError(w, &apiError{http.StatusTooManyRequests, "rate_limit_error", f.msg})
	case faultServerError:
		writeError(w, &apiError{http.StatusInternalServerError, "server_error", f.msg})
	case faultMalformed:
		out, err := build(rep)
		if err != nil {
			out = []byte(`{"error":{"message":` + quote(err.Error()) + `}}`)
		}
		writeJSON(w, http.StatusOK, out[:len(out)/2])
	case faultHang:
		<-ctx.Done()
		panic(http.ErrAbortHandler)
	case faultReset:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		_ = conn.Close()
	default:
		writeError(w, &apiError{http.StatusInternalServerError, "server_error", "gymtest: unknown fault " + f.String()})
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers with an OpenAI error object.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{http.StatusInternalServerError, "server_error", err.Error()}
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": e.msg, "type": e.typ, "param": nil, "code": nil,
	}})
	writeJSON(w, e.status, body)
}

// modelParams are the request fields the server reads besides those it
// hands to the Handler in Request.
type modelParams struct {
	Model        string            `json:"model"`
	Input        json.RawMessage   `json:"input"`
	Instructions json.RawMessage   `json:"instructions"`
	Tools        []json.RawMessage `json:"tools"`
	Messages     []json.RawMessage `json:"messages"`
	Stream       bool              `json:"stream"`

	// Echoed in a Responses object.
	MaxOutputTokens   json.RawMessage `json:"max_output_tokens"`
	Metadata          json.RawMessage `json:"metadata"`
	ParallelToolCalls json.RawMessage `json:"parallel_tool_calls"`
	Temperature       json.RawMessage `json:"temperature"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	TopP              json.RawMessage `json:"top_p"`

	// vLLM.
	Logprobs               bool    `json:"logprobs"`
	TopLogprobs            int     `json:"top_logprobs"`
	ReturnTokensAsTokenIDs bool    `json:"return_tokens_as_token_ids"`
	ReturnTokenIDs         bool    `json:"return_token_ids"`
	AddGenerationPrompt    *bool   `json:"add_generation_prompt"`
	Prompt                 *string `json:"prompt"`
	ReturnTokenStrs        bool    `json:"return_token_strs"`
}

func (p *modelParams) addGenerationPrompt() bool {
	return p.AddGenerationPrompt == nil || *p.AddGenerationPrompt
}

// parse decodes the body into p and fills the decoded fields of req.
func parse(req *Request, p *modelParams) error {
	if !quickParams(req.Body, p) {
		*p = modelParams{}
		if err := json.Unmarshal(req.Body, p); err != nil {
			return badRequest("gymtest: the body of %s is not a valid request: %v", req.Path, err)
		}
	}
	req.Model = p.Model
	req.Tools = p.Tools
	req.Messages = p.Messages
	if len(p.Instructions) > 0 && string(p.Instructions) != "null" {
		if err := json.Unmarshal(p.Instructions, &req.Instructions); err != nil {
			return badRequest("gymtest: \"instructions\" is not a string: %v", err)
		}
	}
	input := bytes.TrimSpace(p.Input)
	switch {
	case len(input) == 0 || string(input) == "null":
	case input[0] == '"':
		req.Input = []json.RawMessage{json.RawMessage(`{"type":"message","role":"user","content":` + string(input) + `}`)}
	default:
		if items, ok := rawList(input); ok {
			req.Input = items
		} else if err := json.Unmarshal(input, &req.Input); err != nil {
			return badRequest("gymtest: \"input\" is neither a string nor a list of items: %v", err)
		}
	}
	var err error
	req.Turn, err = turns(req)
	return err
}

// turns counts the model turns already in the conversation (see Request.Turn).
func turns(req *Request) (int, error) {
	n := 0
	for i, raw := range req.Messages {
		var m struct {
			Role string `json:"role"`
		}
		var ok bool
		if _, m.Role, ok = quickTypeRole(raw); !ok {
			m.Role = ""
			if err := json.Unmarshal(raw, &m); err != nil {
				return 0, badRequest("gymtest: message %d: %v", i, err)
			}
		}
		if m.Role == "assistant" {
			n++
		}
	}
	inRun := false
	for i, raw := range req.Input {
		var it struct {
			Type string `json:"type"`
			Role string `json:"role"`
		}
		var ok bool
		if it.Type, it.Role, ok = quickTypeRole(raw); !ok {
			it.Type, it.Role = "", ""
			if err := json.Unmarshal(raw, &it); err != nil {
				return 0, badRequest("gymtest: input item %d: %v", i, err)
			}
		}
		model := it.Type == "function_call" || it.Type == "reasoning" ||
			(it.Type == "message" || it.Type == "") && it.Role == "assistant"
		if model && !inRun {
			n++
		}
		inRun = model
	}
	return n, nil
}

// Responses API.

type responseObject struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	CreatedAt         int64             `json:"created_at"`
	Status            string            `json:"status"`
	Error             json.RawMessage   `json:"error"`
	IncompleteDetails *incompleteReason `json:"incomplete_details"`
	Instructions      json.RawMessage   `json:"instructions"`
	MaxOutputTokens   json.RawMessage   `json:"max_output_tokens"`
	Metadata          json.RawMessage   `json:"metadata"`
	Model             string            `json:"model"`
	Output            []json.RawMessage `json:"output"`
	ParallelToolCalls json.RawMessage   `json:"parallel_tool_calls"`
	Temperature       json.RawMessage   `json:"temperature"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	Tools             []json.RawMessage `json:"tools"`
	TopP              json.RawMessage   `json:"top_p"`
	Usage             rollout.Usage     `json:"usage"`
}

type incompleteReason struct {
	Reason string `json:"reason"`
}

func (s *Server) responseBody(req *Request, p *modelParams, rep Reply) ([]byte, error) {
	output, err := s.outputItems(rep)
	if err != nil {
		return nil, err
	}
	resp := responseObject{
		ID:                s.id("resp_"),
		Object:            "response",
		CreatedAt:         time.Now().Unix(),
		Status:            "completed",
		Instructions:      p.Instructions,
		MaxOutputTokens:   p.MaxOutputTokens,
		Metadata:          orDefault(p.Metadata, `{}`),
		Model:             modelName(req),
		Output:            output,
		ParallelToolCalls: orDefault(p.ParallelToolCalls, `true`),
		Temperature:       p.Temperature,
		ToolChoice:        orDefault(p.ToolChoice, `"auto"`),
		Tools:             nonNil(req.Tools),
		TopP:              p.TopP,
	}
	if rep.IncompleteReason != "" {
		resp.Status = "incomplete"
		resp.IncompleteDetails = &incompleteReason{rep.IncompleteReason}
	}
	usage := Usage{InputTokens: len(req.Body)}
	for _, item := range output {
		usage.OutputTokens += len(item)
	}
	if rep.Usage != nil {
		usage = *rep.Usage
	}
	resp.Usage.InputTokens = usage.InputTokens
	resp.Usage.OutputTokens = usage.OutputTokens
	resp.Usage.TotalTokens = usage.InputTokens + usage.OutputTokens
	return json.Marshal(resp)
}

func modelName(req *Request) string {
	if req.Model == "" {
		return defaultModel
	}
	return req.Model
}

func orDefault(raw json.RawMessage, def string) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(def)
	}
	return raw
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Output items built from a Reply's Text, Reasoning and Calls.
type (
	reasoningItem struct {
		ID      string        `json:"id"`
		Type    string        `json:"type"`
		Summary []textContent `json:"summary"`
		Status  string        `json:"status"`
	}
	messageItem struct {
		ID      string        `json:"id"`
		Type    string        `json:"type"`
		Role    string        `json:"role"`
		Status  string        `json:"status"`
		Content []textContent `json:"content"`
	}
	textContent struct {
		Type        string            `json:"type"`
		Text        string            `json:"text"`
		Annotations []json.RawMessage `json:"annotations,omitempty"`
	}
	functionCallItem struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
		Status    string `json:"status"`
	}
)

// outputItems returns the Responses output of rep.
func (s *Server) outputItems(rep Reply) ([]json.RawMessage, error) {
	if rep.Output != nil {
		items := make([]json.RawMessage, len(rep.Output))
		for i, raw := range rep.Output {
			item, err := s.fillItem(raw)
			if err != nil {
				return nil, fmt.Errorf("gymtest: Reply.Output[%d]: %w", i, err)
			}
			items[i] = item
		}
		return items, nil
	}
	var items []any
	if rep.Reasoning != "" {
		items = append(items, reasoningItem{
			ID: s.id("rs_"), Type: "reasoning", Status: "completed",
			Summary: []textContent{{Type: "summary_text", Text: rep.Reasoning}},
		})
	}
	if rep.Text != "" || len(rep.Calls) == 0 {
		items = append(items, messageItem{
			ID: s.id("msg_"), Type: "message", Role: "assistant", Status: "completed",
			Content: []textContent{{Type: "output_text", Text: rep.Text, Annotations: []json.RawMessage{}}},
		})
	}
	for _, c := range s.withCallIDs(rep.Calls) {
		items = append(items, functionCallItem{
			ID: s.id("fc_"), Type: "function_call", CallID: c.ID,
			Name: c.Name, Arguments: c.Arguments, Status: "completed",
		})
	}
	out := make([]json.RawMessage, len(items))
	for i, item := range items {
		b, err := json.Marshal(item)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// withCallIDs returns calls with every missing ID generated.
func (s *Server) withCallIDs(calls []Call) []Call {
	calls = slices.Clone(calls)
	for i := range calls {
		if calls[i].ID == "" {
			calls[i].ID = s.id("call_")
		}
	}
	return calls
}

// fillItem adds the fields a script may leave out of an output item ("id",
// a function call's "call_id", "status") by appending them, so every byte
// the script gave is kept.
func (s *Server) fillItem(raw json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("not a JSON object: %s", raw)
	}
	var typ string
	_ = json.Unmarshal(fields["type"], &typ)
	var add [][2]string
	if _, ok := fields["id"]; !ok {
		prefix := map[string]string{"message": "msg_", "function_call": "fc_", "reasoning": "rs_"}[typ]
		if prefix == "" {
			prefix = "item_"
		}
		add = append(add, [2]string{"id", quote(s.id(prefix))})
	}
	if _, ok := fields["call_id"]; !ok && typ == "function_call" {
		add = append(add, [2]string{"call_id", quote(s.id("call_"))})
	}
	if _, ok := fields["status"]; !ok {
		add = append(add, [2]string{"status", `"completed"`})
	}
	if len(add) == 0 {
		return raw, nil
	}
	trimmed := bytes.TrimSpace(raw)
	out := slices.Clone(trimmed[:len(trimmed)-1]) // without the closing '}'
	for i, kv := range add {
		if i > 0 || len(fields) > 0 {
			out = append(out, ',')
		}
		out = append(out, quote(kv[0])+":"+kv[1]...)
	}
	return append(out, '}'), nil
}

// Chat Completions.

type chatCompletion struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	Choices           []chatChoice    `json:"choices"`
	Usage             chatUsage       `json:"usage"`
	SystemFingerprint json.RawMessage `json:"system_fingerprint"`
	PromptTokenIDs    []int           `json:"prompt_token_ids"` // vLLM, with return_token_ids
}

type chatChoice struct {
	Index        int             `json:"index"`
	Message      chatReply       `json:"message"`
	Logprobs     *chatLogprobs   `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
	StopReason   json.RawMessage `json:"stop_reason"`
	TokenIDs     []int           `json:"token_ids"` // vLLM, with return_token_ids
}

type chatReply struct {
	Role             string         `json:"role"`
	Content          *string        `json:"content"`
	Refusal          *string        `json:"refusal"`
	ReasoningContent *string        `json:"reasoning_content"`
	ToolCalls        []chatToolCall `json:"tool_calls"`
}

type chatLogprobs struct {
	Content []tokenLogprob `json:"content"`
}

type tokenLogprob struct {
	Token       string       `json:"token"`
	Logprob     float64      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []topLogprob `json:"top_logprobs"`
}

type topLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (s *Server) chatBody(req *Request, p *modelParams, rep Reply) ([]byte, error) {
	reasoning, content, calls := rep.Reasoning, rep.Text, rep.Calls
	if rep.Output != nil {
		var err error
		if reasoning, content, calls, err = fromItems(rep.Output); err != nil {
			return nil, err
		}
	}
	calls = s.withCallIDs(calls)

	prompt, err := RenderChat(req.Messages, req.Tools, p.addGenerationPrompt())
	if err != nil {
		return nil, badRequest("%v", err)
	}
	promptIDs := Tokenize(prompt)
	generation := assistantBody(reasoning, content, calls)
	finish := "stop"
	if len(calls) > 0 {
		finish = "tool_calls"
	}
	switch rep.IncompleteReason {
	case "":
		generation += imEnd
	case "content_filter":
		finish = "content_filter"
	default:
		finish = "length" // cut off: no end of turn
	}
	genIDs := Tokenize(generation)

	msg := chatReply{Role: "assistant", ToolCalls: make([]chatToolCall, len(calls))}
	if content != "" || len(calls) == 0 {
		msg.Content = &content
	}
	if reasoning != "" {
		msg.ReasoningContent = &reasoning
	}
	for i, c := range calls {
		msg.ToolCalls[i].ID = c.ID
		msg.ToolCalls[i].Type = "function"
		msg.ToolCalls[i].Function.Name = c.Name
		msg.ToolCalls[i].Function.Arguments = c.Arguments
	}
	choice := chatChoice{Message: msg, FinishReason: finish}
	if p.Logprobs {
		choice.Logprobs = logprobs(genIDs, p.ReturnTokensAsTokenIDs, p.TopLogprobs)
	}
	resp := chatCompletion{
		ID:      s.id("chatcmpl-"),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   modelName(req),
	}
	if p.ReturnTokenIDs {
		resp.PromptTokenIDs = promptIDs
		choice.TokenIDs = genIDs
	}
	resp.Choices = []chatChoice{choice}
	usage := Usage{InputTokens: len(promptIDs), OutputTokens: len(genIDs)}
	if rep.Usage != nil {
		usage = *rep.Usage
	}
	resp.Usage = chatUsage{usage.InputTokens, usage.OutputTokens, usage.InputTokens + usage.OutputTokens}
	return json.Marshal(resp)
}

// logProb is the fake log probability of the i-th generated token, in
// [-0.07, -0.01].
func logProb(i int) float64 { return -float64(i%7+1) / 100 }

// logprobs returns vLLM's per-token logprobs of a generation. With asIDs
// (return_tokens_as_token_ids) a token is named "token_id:<id>", as vLLM
// does, otherwise by its text.
func logprobs(ids []int, asIDs bool, top int) *chatLogprobs {
	lp := &chatLogprobs{Content: make([]tokenLogprob, len(ids))}
	for i, id := range ids {
		text := tokenText(id)
		t := tokenLogprob{Token: text, Logprob: logProb(i), Bytes: make([]int, len(text))}
		if asIDs {
			t.Token = "token_id:" + strconv.Itoa(id)
		}
		for j := range len(text) {
			t.Bytes[j] = int(text[j])
		}
		t.TopLogprobs = []topLogprob{}
		if top > 0 { // only the sampled token: the fake has no alternatives
			t.TopLogprobs = []topLogprob{{Token: t.Token, Logprob: t.Logprob, Bytes: t.Bytes}}
		}
		lp.Content[i] = t
	}
	return lp
}

// fromItems converts Responses output items to a chat assistant message:
// message text, function calls and reasoning summaries; other items are
// skipped.
func fromItems(items []json.RawMessage) (reasoning, content string, calls []Call, err error) {
	for i, raw := range items {
		var it struct {
			Type      string          `json:"type"`
			Content   json.RawMessage `json:"content"`
			Summary   json.RawMessage `json:"summary"`
			CallID    string          `json:"call_id"`
			Name      string          `json:"name"`
			Arguments string          `json:"arguments"`
		}
		if err := json.Unmarshal(raw, &it); err != nil {
			return "", "", nil, fmt.Errorf("gymtest: Reply.Output[%d]: %w", i, err)
		}
		switch it.Type {
		case "message":
			text, err := contentText(it.Content)
			if err != nil {
				return "", "", nil, fmt.Errorf("gymtest: Reply.Output[%d]: %w", i, err)
			}
			content += text
		case "reasoning":
			text, err := contentText(it.Summary)
			if err != nil {
				return "", "", nil, fmt.Errorf("gymtest: Reply.Output[%d]: %w", i, err)
			}
			reasoning += text
		case "function_call":
			calls = append(calls, Call{ID: it.CallID, Name: it.Name, Arguments: it.Arguments})
		}
	}
	return reasoning, content, calls, nil
}

// vLLM's /tokenize.

type tokenizeResponse struct {
	Count       int      `json:"count"`
	MaxModelLen int      `json:"max_model_len"`
	Tokens      []int    `json:"tokens"`
	TokenStrs   []string `json:"token_strs"`
}

// tokenizeBody answers /tokenize: "messages" (and "tools") rendered with the
// chat template, with the generation prompt unless add_generation_prompt is
// false, or else "prompt" as it is.
func tokenizeBody(req *Request, p *modelParams) ([]byte, error) {
	var text string
	switch {
	case p.Messages != nil:
		var err error
		if text, err = RenderChat(req.Messages, req.Tools, p.addGenerationPrompt()); err != nil {
			return nil, badRequest("%v", err)
		}
	case p.Prompt != nil:
		text = *p.Prompt
	default:
		return nil, badRequest(`gymtest: /tokenize needs "messages" or "prompt"`)
	}
	ids := Tokenize(text)
	resp := tokenizeResponse{Count: len(ids), MaxModelLen: maxModelLen, Tokens: ids}
	if p.ReturnTokenStrs {
		resp.TokenStrs = make([]string, len(ids))
		for i, id := range ids {
			resp.TokenStrs[i] = tokenText(id)
		}
	}
	return json.Marshal(resp)
}
