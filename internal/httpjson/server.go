// Package httpjson holds what the module's HTTP servers (env.Handler,
// agent.Handler, model.Handler) and clients (env.Remote, agent.Remote)
// share: JSON answers and error bodies, request hardening (bounded bodies,
// method checks, panics answered rather than dropped), and on the client
// side the classification of an exchange that failed into a
// *rollout.Failure.
//
// Errors travel as one JSON shape, an OpenAI API error with the members of
// a *rollout.Failure added:
//
//	{"error": {"message": ..., "type": ..., "param": null, "code": ...,
//	           "class": ..., "stage": ..., "retryable": ...}}
//
// openai-go reads it as an *openai.Error; ReadError (and so every client
// of the module) rebuilds the failure from it.
package httpjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/gymkit/gym/rollout"
)

// WriteJSON answers body, a JSON document, with status.
func WriteJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType // canonical keys: no Set, no new slice
	h["Content-Length"] = contentLength(len(body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// contentLength returns the Content-Length header value of an n-byte body:
// for the lengths of most answers, one slice shared by every answer, as
// jsonType is (a slice of capacity one: an append copies it).
func contentLength(n int) []string {
	if n >= len(smallLengths) {
		return []string{strconv.Itoa(n)}
	}
	lengthsOnce.Do(func() {
		for i := range smallLengths {
			smallLengths[i] = []string{strconv.Itoa(i)}
		}
	})
	return smallLengths[n]
}

var (
	lengthsOnce  sync.Once
	smallLengths [2048][]string
)

// jsonType is the Content-Type header WriteJSON sets, shared by every
// answer (net/http only reads it).
var jsonType = []string{"application/json"}

// StatusError is an error that carries the HTTP status to answer it with.
type StatusError struct {
	Status int
	Err    error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// Errorf returns a *StatusError of status with the message fmt.Errorf
// formats.
func Errorf(status int, format string, args ...any) error {
	return &StatusError{Status: status, Err: fmt.Errorf(format, args...)}
}

// StatusOf returns the status to answer err with: a *StatusError's, else
// the Status of its *rollout.Failure if that is a 4xx or 5xx, else 500.
func StatusOf(err error) int {
	if se, ok := errors.AsType[*StatusError](err); ok {
		return se.Status
	}
	if f, ok := errors.AsType[*rollout.Failure](err); ok && f.Status >= 400 && f.Status <= 599 {
		return f.Status
	}
	return http.StatusInternalServerError
}

// WriteError answers err as an error object (see the package
// documentation), with status, or StatusOf(err) if status is 0. type is
// the OpenAI category of the status ("invalid_request_error",
// "rate_limit_error", "server_error", ...). When err holds a
// *rollout.Failure, code and class are its class, stage and retryable are
// its own (the stack stays in the server), and the X-Should-Retry header
// tells openai-go whether to retry; otherwise code is null.
func WriteError(w http.ResponseWriter, status int, err error) {
	if status == 0 {
		status = StatusOf(err)
	}
	var e errorBody
	e.Error.Message = "unknown error"
	if err != nil {
		e.Error.Message = err.Error()
	}
	e.Error.Type = errorType(status)
	if f, ok := errors.AsType[*rollout.Failure](err); ok {
		e.Error.Code = &f.Class
		e.Error.Class = f.Class
		e.Error.Stage = f.Stage
		e.Error.Retryable = &f.Retryable
		w.Header().Set("X-Should-Retry", strconv.FormatBool(f.Retryable))
	}
	body, _ := json.Marshal(&e) // strings and a bool: never fails
	WriteJSON(w, status, body)
}

// errorBody is the error answer WriteError writes and ReadError reads.
type errorBody struct {
	Error wireError `json:"error"`
}

type wireError struct {
	Message   string                `json:"message"`
	Type      string                `json:"type"`
	Param     *string               `json:"param"`
	Code      *rollout.FailureClass `json:"code"`
	Class     rollout.FailureClass  `json:"class,omitempty"` // = Code, where env.Handler's errors have always carried it
	Stage     string                `json:"stage,omitempty"`
	Retryable *bool                 `json:"retryable,omitempty"`
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status == http.StatusNotImplemented:
		return "not_implemented_error"
	case status < 500:
		return "invalid_request_error"
	}
	return "server_error"
}

// ReadBody reads r's body, of at most limit bytes; what names it in
// errors ("the request body"). The error is a *StatusError: 413 for a
// larger body, 408 for a sender too slow, 503 when the server has too many
// bodies in memory to take one more in time, 400 for a body that cannot be
// read.
//
// A body is refused before a byte of it is read when its declared length
// is over the limit, and cut off at the limit as it streams otherwise. The
// bodies being read at once take at most BodyBudget bytes between them
// (each reserves twice its declared length, or twice the limit if it
// declares none, for its buffer): memory does not grow with the number of
// requests. A sender must keep up: the body must have arrived
// within BodyGrace plus one second per MinBodyRate bytes, or the
// connection is dropped, so that a trickle cannot hold it for long. (The
// connection's read deadline moves in steps of a sixteenth of BodyGrace,
// not at every read: a sender gets up to that much longer.)
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	return readBody(w, r, limit, what, "")
}

// ReadBodyOf is ReadBody with what+name naming the body, joined only for
// an error: a route that names its body after a tool ("the arguments of
// " + the tool's name) formats nothing per request.
func ReadBodyOf(w http.ResponseWriter, r *http.Request, limit int64, what, name string) ([]byte, error) {
	return readBody(w, r, limit, what, name)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64, what, name string) ([]byte, error) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // do not read the rest to reuse the connection
		return nil, Errorf(http.StatusRequestEntityTooLarge, "%s%s is larger than the limit of %d bytes", what, name, limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	budget, grace, rate := bodyLimits()
	p := paced{d: readDeadliner(w), start: time.Now(), grace: grace, rate: rate}
	if p.d != nil { // nil: unsupported (a recorder), no deadline
		p.extend()
		defer func() { _ = p.d.SetReadDeadline(time.Time{}) }()
	}

	// Reserve what reading the body can take: twice its size (or the
	// limit's, not knowing it), for the buffer grows by doubling.
	reserve := limit
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	reserve = min(max(2*reserve, 1), budget.size)
	if !budget.sem.TryAcquire(reserve) { // the common case takes no timer
		wait, cancel := context.WithDeadline(r.Context(), p.deadline(0))
		err := budget.sem.Acquire(wait, reserve)
		cancel()
		if err != nil {
			if r.Context().Err() != nil {
				return nil, Errorf(http.StatusBadRequest, "reading %s%s: %w", what, name, r.Context().Err())
			}
			w.Header().Set("Retry-After", "1")
			return nil, Errorf(http.StatusServiceUnavailable, "the server is reading too many request bodies at once; retry %s%s", what, name)
		}
	}
	budget.take(reserve)
	defer budget.give(reserve)

	p.r = http.MaxBytesReader(w, r.Body, limit)
	body, err := readAll(&p, r.ContentLength, limit)
	if err != nil {
		if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "%s%s is larger than the limit of %d bytes", what, name, tooLarge.Limit)
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			w.Header().Set("Connection", "close")
			return nil, Errorf(http.StatusRequestTimeout, "reading %s%s: the body came too slowly (%d bytes in %v)", what, name, len(body), time.Since(p.start).Round(time.Millisecond))
		}
		return nil, Errorf(http.StatusBadRequest, "reading %s%s: %w", what, name, err)
	}
	return body, nil
}

// Pace and budget of request bodies (see ReadBody).
const (
	BodyGrace   = 10 * time.Second
	MinBodyRate = 64 << 10 // bytes per second
	BodyBudget  = 1 << 30
)

// deadliner is what http.ResponseController sets a read deadline through.
type deadliner interface {
	SetReadDeadline(time.Time) error
}

// readDeadliner returns what sets w's read deadline, unwrapping w as
// http.ResponseController does, or nil if nothing does. (A
// ResponseController would be allocated per request, and report an
// unsupported deadline with a new error at every call.)
func readDeadliner(w http.ResponseWriter) deadliner {
	for {
		switch t := w.(type) {
		case deadliner:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
}

// paced reads a body and moves the read deadline on as it arrives.
type paced struct {
	r     io.Reader
	d     deadliner // nil: no deadline
	start time.Time
	grace time.Duration
	rate  int64
	n     int64     // bytes read
	set   time.Time // the deadline last set
}

// deadline is when the first n bytes must have arrived by.
func (p *paced) deadline(n int64) time.Time {
	return p.start.Add(p.grace + time.Duration(float64(n)/float64(p.rate)*float64(time.Second)))
}

// extend sets the deadline of the bytes read so far plus a sixteenth of
// the grace, so that it need not move again before that much more time's
// worth of bytes has arrived (a small body is read with one deadline).
func (p *paced) extend() {
	p.set = p.deadline(p.n).Add(p.grace / 16)
	_ = p.d.SetReadDeadline(p.set)
}

func (p *paced) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.n += int64(n)
		if p.d != nil && p.deadline(p.n).After(p.set) {
			p.extend()
		}
	}
	return n, err
}

// bodyBudget bounds the bytes of the bodies read at once, in the process.
type bodyBudget struct {
	sem  *semaphore.Weighted
	size int64

	mu         sync.Mutex
	held, peak int64
}

func (b *bodyBudget) take(n int64) {
	b.mu.Lock()
	b.held += n
	b.peak = max(b.peak, b.held)
	b.mu.Unlock()
}

func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	b.held -= n
	b.mu.Unlock()
	b.sem.Release(n)
}

var (
	budget = newBudget(BodyBudget)

	paceMu              sync.Mutex
	paceGrace, paceRate = BodyGrace, int64(MinBodyRate)
)

func newBudget(n int64) *bodyBudget { return &bodyBudget{sem: semaphore.NewWeighted(n), size: n} }

func bodyLimits() (*bodyBudget, time.Duration, int64) {
	paceMu.Lock()
	defer paceMu.Unlock()
	return budget, paceGrace, paceRate
}

// SetBodyLimitsForTest replaces the body budget and pace of the process
// until the test ends, and returns a function that reports the peak of
// the bytes reserved at once since.
func SetBodyLimitsForTest(t interface{ Cleanup(func()) }, budgetBytes int64, grace time.Duration, rate int64) (peak func() int64) {
	paceMu.Lock()
	oldBudget, oldGrace, oldRate := budget, paceGrace, paceRate
	budget, paceGrace, paceRate = newBudget(budgetBytes), grace, rate
	b := budget
	paceMu.Unlock()
	t.Cleanup(func() {
		paceMu.Lock()
		budget, paceGrace, paceRate = oldBudget, oldGrace, oldRate
		paceMu.Unlock()
	})
	return func() int64 {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.peak
	}
}

// CheckMethod returns nil if r's method is one of methods (GET admits
// HEAD too). Otherwise it sets the Allow header to methods and returns a
// 405 *StatusError for the caller to answer.
func CheckMethod(w http.ResponseWriter, r *http.Request, methods ...string) error {
	for _, m := range methods {
		if r.Method == m || m == http.MethodGet && r.Method == http.MethodHead {
			return nil
		}
	}
	allow := strings.Join(methods, ", ")
	w.Header().Set("Allow", allow)
	return Errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s; use %s", r.Method, r.URL.Path, allow)
}

// NotFound answers a request for an unknown route with HTTP 404, adding
// hint (the routes there are, say) to the message if it is not empty.
func NotFound(w http.ResponseWriter, r *http.Request, hint string) {
	msg := fmt.Sprintf("no route %s %s", r.Method, r.URL.Path)
	if hint != "" {
		msg += "; " + hint
	}
	WriteError(w, http.StatusNotFound, errors.New(msg))
}

// Recover, deferred by a handler, answers a panic with HTTP 500 and the
// error errOf makes of the panic's value (WriteError), instead of letting
// net/http drop the connection. errOf runs on the panicking goroutine, so
// it can log debug.Stack(). http.ErrAbortHandler is panicked again, as
// net/http expects.
func Recover(w http.ResponseWriter, errOf func(p any) error) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	WriteError(w, http.StatusInternalServerError, errOf(p))
}

// maxPresize bounds the buffer readAll allocates on the word of the
// declared length: a peer may declare a length it never sends.
const maxPresize = 1 << 20

// readAll reads rd to the end into a buffer sized once from the declared
// length (when it is known and within limit and maxPresize), as
// os.ReadFile does, instead of growing it step by step; a longer body
// grows the buffer as it arrives.
func readAll(rd *paced, declared, limit int64) ([]byte, error) {
	size := int64(512)
	if declared > 0 && declared < limit {
		size = min(declared+1, maxPresize) // +1 to see the end without growing
	}
	size = min(size, limit+1)
	b := make([]byte, 0, size)
	for {
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			// Grow as append does, but never past the limit (+1 to see
			// the end): a body at the limit does not take twice its size.
			b = slices.Grow(b, int(max(min(int64(cap(b)), limit+1-int64(cap(b))), 1)))
		}
	}
}
