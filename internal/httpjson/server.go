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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gymkit/gym/rollout"
)

// WriteJSON answers body, a JSON document, with status.
func WriteJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

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
// larger body, 400 for one that cannot be read.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, what string) ([]byte, error) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	if err != nil {
		if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "%s is larger than the limit of %d bytes", what, tooLarge.Limit)
		}
		return nil, Errorf(http.StatusBadRequest, "reading %s: %w", what, err)
	}
	return body, nil
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
func readAll(rd io.Reader, declared, limit int64) ([]byte, error) {
	size := int64(512)
	if declared > 0 && declared < limit {
		size = min(declared+1, maxPresize) // +1 to see the end without growing
	}
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
			b = append(b, 0)[:len(b)]
		}
	}
}
