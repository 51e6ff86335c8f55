package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/rollout"
)

// Client POSTs JSON to one server and turns whatever goes wrong into a
// *rollout.Failure. The zero value is not usable: set Base and MaxAnswer.
type Client struct {
	Base      string        // the server's URL, without a trailing slash; a request goes to Base + path
	Server    string        // what the server is, for messages: "agent server"
	Prefix    string        // prepended to every error message: "agent: "
	HTTP      *http.Client  // nil: http.DefaultClient
	Timeout   time.Duration // bounds each exchange, the answer's body included; 0: only the caller's context
	MaxAnswer int64         // the largest answer body read; a larger one is a failure
}

// Answer is a server's answer to a request.
type Answer struct {
	Request string // the request in messages: "agent: POST http://host/run"
	Status  int
	Body    []byte
	Cookies []*http.Cookie
}

// OK reports whether the answer is 2xx.
func (a *Answer) OK() bool { return a.Status >= 200 && a.Status < 300 }

// Post sends body to path at stage, with cookies, and reads the answer,
// whatever its status. The error, always a *rollout.Failure, is for no
// (complete) answer: the caller's cancellation (FailCancelled) or deadline
// (FailTimeout, retryable); a refused or broken connection or the Client's
// Timeout (FailRemote, retryable); a request that cannot be made, or an
// answer larger than MaxAnswer (FailRemote).
func (c *Client) Post(ctx context.Context, stage, path string, body []byte, cookies []*http.Cookie) (*Answer, error) {
	parent := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	u := c.Base + path
	request := c.Prefix + "POST " + u
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: stage, Err: fmt.Errorf("%s: %w", request, err)}
	}
	// A header of its own, whose two values are the slice every request
	// shares (as WriteJSON's answers do): setting a header replaces its
	// slice, and nothing writes into one.
	req.Header = http.Header{"Content-Type": jsonType, "Accept": jsonType}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.noAnswer(parent, stage, request, err)
	}
	defer resp.Body.Close()
	data, err := readAll(&paced{r: io.LimitReader(resp.Body, c.MaxAnswer+1)}, resp.ContentLength, c.MaxAnswer+1)
	if err != nil {
		return nil, c.noAnswer(parent, stage, request, fmt.Errorf("reading the answer: %w", err))
	}
	if int64(len(data)) > c.MaxAnswer {
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: stage, Status: resp.StatusCode,
			Err: fmt.Errorf("%s: the answer is larger than %d bytes", request, c.MaxAnswer)}
	}
	return &Answer{Request: request, Status: resp.StatusCode, Body: data, Cookies: resp.Cookies()}, nil
}

// noAnswer classifies an exchange that got no (complete) answer: the
// caller's cancellation or deadline (parent's) as such; a refused or
// broken connection, or the Client's own timeout, as a retryable
// FailRemote.
func (c *Client) noAnswer(parent context.Context, stage, request string, err error) *rollout.Failure {
	if class := failure.Class(parent, ""); class != "" {
		return &rollout.Failure{Class: class, Stage: stage, Retryable: class == rollout.FailTimeout, Err: fmt.Errorf("%s: %w", request, err)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within the request timeout of %v: %w", c.Timeout, err)
	} else {
		err = fmt.Errorf("%w (is the %s running at %s?)", err, c.Server, c.Base)
	}
	return &rollout.Failure{Class: rollout.FailRemote, Stage: stage, Retryable: true, Err: fmt.Errorf("%s: %w", request, err)}
}

// Failure returns the *rollout.Failure of an answer that is not 2xx, at
// stage: a FailRemote, retryable for 408, 429 and 5xx, unless the body is
// an error object that carries a known class (see ReadError). Its message
// names the request, the status and the body's message.
func (a *Answer) Failure(stage string) *rollout.Failure {
	f := &rollout.Failure{Class: rollout.FailRemote, Stage: stage, Status: a.Status,
		Retryable: a.Status >= 500 || a.Status == http.StatusRequestTimeout || a.Status == http.StatusTooManyRequests}
	msg := ReadError(a.Body, f)
	status := strconv.Itoa(a.Status)
	if text := http.StatusText(a.Status); text != "" {
		status += " " + text
	}
	f.Err = fmt.Errorf("%s: %s: %s", a.Request, status, msg)
	return f
}

// maxErrorText bounds the message ReadError takes from a body that is not
// an error object.
const maxErrorText = 512

// ReadError returns the message of an error answer's body, and sets f's
// class, stage and retryability from an error object that carries a known
// class. It reads
//
//   - {"error": {"message", "class" or "code", "stage", "retryable"}}, as
//     WriteError writes it (and env.Handler's and OpenAI's errors read);
//   - {"error": "<message>"}, as env.Handler answers a client error;
//   - anything else — FastAPI's {"detail": ...}, a proxy's HTML page — as
//     its own text, trimmed and cut after 512 bytes; an empty body is
//     "(empty body)".
func ReadError(body []byte, f *rollout.Failure) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var s string
		if json.Unmarshal(e.Error, &s) == nil && s != "" {
			return s
		}
		var we wireError
		if json.Unmarshal(e.Error, &we) == nil && we.Message != "" {
			class := we.Class
			if class == "" && we.Code != nil {
				class = *we.Code
			}
			if class.Known() {
				f.Class = class
				if we.Stage != "" {
					f.Stage = we.Stage
				}
				if we.Retryable != nil {
					f.Retryable = *we.Retryable
				}
			}
			return we.Message
		}
	}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return "(empty body)"
	}
	if len(text) > maxErrorText {
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}
