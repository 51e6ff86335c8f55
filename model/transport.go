package model

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"time"
)

// APIError is an answer of an OpenAI-compatible server with an HTTP status
// of 400 or more, after any retries.
type APIError struct {
	StatusCode int
	// Body is the answer's body as sent (an OpenAI error object, vLLM's
	// error, or plain text).
	Body []byte
}

func (e *APIError) Error() string {
	if text := http.StatusText(e.StatusCode); text != "" {
		return fmt.Sprintf("OpenAI API error: %d %s", e.StatusCode, text)
	}
	return fmt.Sprintf("OpenAI API error: %d", e.StatusCode)
}

// Poster sends one JSON request body to url and returns the answer's body:
// the transport of the OpenAI and VLLM clients. An answer with an HTTP
// status of 400 or more is an *APIError. By default the clients post with
// their own (net/http, with the headers and retry policy of OpenAI's Go
// SDK); set OpenAIConfig.Poster or VLLMConfig.Poster to send through
// something else — openaisdk.Poster sends through OpenAI's official Go SDK,
// with every option it has (its retries, middleware, Azure credentials).
type Poster interface {
	Post(ctx context.Context, url string, body []byte) ([]byte, error)
}

// client posts JSON bodies to one OpenAI-compatible server with the
// headers and the retry policy of OpenAI's Go SDK (openai-go), which this
// package used before: 408, 409, 429 and 5xx answers and connection errors
// are tried again (or as the server's x-should-retry header says), after
// the server's Retry-After-Ms or Retry-After (up to 2 minutes; longer
// keeps the answer) or an exponential backoff of 0.5 s × 2ⁿ capped at 8 s
// minus up to a quarter of jitter. It is written here so that a program
// using the package does not compile the SDK's generated API.
type client struct {
	hc      *http.Client
	header  http.Header
	retries int

	// shared holds the header of each attempt (X-Stainless-Retry-Count
	// 0 to retries), given as it is to every request when nothing on the
	// way changes a request's header map: no cookie jar (http.Client adds
	// its cookies to the map) and net/http's own Transport (a RoundTripper
	// of the caller's might set headers, though it should not). Otherwise
	// nil, and each request gets a copy.
	shared []http.Header
}

const (
	defaultRetries       = 2
	maxBackoff           = 8 * time.Second
	maxRetryAfter        = 2 * time.Minute
	clientUserAgentValue = "gym (OpenAI-compatible client)"
)

// newClient returns a client with key as its bearer token ("EMPTY" when
// empty: local servers want none), headers added to every request, and
// retries as in OpenAIConfig.MaxRetries.
func newClient(key string, headers map[string]string, retries int, hc *http.Client) *client {
	if key == "" {
		key = "EMPTY"
	}
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", clientUserAgentValue)
	h.Set("Authorization", "Bearer "+key)
	// openai-go reads these two from the environment; so do we.
	if v := os.Getenv("OPENAI_ORG_ID"); v != "" {
		h.Set("OpenAI-Organization", v)
	}
	if v := os.Getenv("OPENAI_PROJECT_ID"); v != "" {
		h.Set("OpenAI-Project", v)
	}
	for k, v := range headers {
		h.Set(k, v)
	}
	switch {
	case retries < 0:
		retries = 0
	case retries == 0:
		retries = defaultRetries
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &client{hc: hc, header: h, retries: retries}
	if _, ok := hc.Transport.(*http.Transport); hc.Jar == nil && (ok || hc.Transport == nil) {
		c.shared = make([]http.Header, retries+1)
		for i := range c.shared {
			c.shared[i] = c.attemptHeader(i)
		}
	}
	return c
}

// attemptHeader returns a new header for the attempt'th try of a request.
func (c *client) attemptHeader(attempt int) http.Header {
	h := c.header.Clone()
	h.Set("X-Stainless-Retry-Count", strconv.Itoa(attempt))
	return h
}

// post sends body to url and returns the answer's body; an answer with a
// status of 400 or more is an *APIError.
func (c *client) Post(ctx context.Context, url string, body []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if attempt < len(c.shared) {
			req.Header = c.shared[attempt]
		} else {
			req.Header = c.attemptHeader(attempt)
		}
		res, err := c.hc.Do(req)
		if ctx.Err() != nil {
			if res != nil {
				_ = res.Body.Close()
			}
			return nil, ctx.Err()
		}
		var data []byte
		if err == nil {
			data, err = readBody(res)
			if err != nil {
				res = nil // a body cut off is a connection error
			}
		}
		if attempt < c.retries && shouldRetry(res, err) {
			if delay, ok := retryDelay(res, attempt); ok {
				t := time.NewTimer(delay)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				case <-t.C:
				}
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if res.StatusCode >= 400 {
			return nil, &APIError{StatusCode: res.StatusCode, Body: data}
		}
		return data, nil
	}
}

// readBody reads and closes res's body into a buffer sized by its
// Content-Length when the server sent one.
func readBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	if n := res.ContentLength; n > 0 && n < 1<<30 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(res.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(res.Body)
}

func shouldRetry(res *http.Response, err error) bool {
	if err != nil || res == nil {
		return true // connection error
	}
	switch res.Header.Get("x-should-retry") {
	case "true":
		return true
	case "false":
		return false
	}
	s := res.StatusCode
	return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooManyRequests || s >= 500
}

// retryDelay is the wait before the next attempt; false when the server
// asks for a wait longer than maxRetryAfter (its answer is kept).
func retryDelay(res *http.Response, attempt int) (time.Duration, bool) {
	if res != nil {
		for _, h := range []struct {
			name string
			unit time.Duration
		}{{"Retry-After-Ms", time.Millisecond}, {"Retry-After", time.Second}} {
			v := res.Header.Get(h.name)
			if v == "" {
				continue
			}
			if f, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
				switch {
				case math.IsInf(f, 1) || f*float64(h.unit) > float64(maxRetryAfter):
					return 0, false
				case math.IsNaN(f) || f < 0:
					continue
				}
				return time.Duration(f * float64(h.unit)), true
			}
			if h.unit == time.Second {
				if t, err := time.Parse(time.RFC1123, v); err == nil {
					d := time.Until(t)
					if d > maxRetryAfter {
						return 0, false
					}
					return max(d, 0), true
				}
			}
		}
	}
	delay := maxBackoff
	if attempt < 4 {
		delay = time.Duration(0.5 * float64(time.Second) * math.Pow(2, float64(attempt)))
	}
	if j := int64(delay / 4); j > 0 {
		delay -= time.Duration(rand.Int64N(j))
	}
	return delay, true
}

// poster returns the configured Poster, or the built-in client.
func (cfg OpenAIConfig) poster() Poster {
	if cfg.Poster != nil {
		return cfg.Poster
	}
	return newClient(cfg.APIKey, cfg.DefaultHeaders, cfg.MaxRetries, cfg.HTTPClient)
}

// poster returns the configured Poster, or the built-in client.
func (cfg VLLMConfig) poster() Poster {
	if cfg.Poster != nil {
		return cfg.Poster
	}
	return newClient(cfg.APIKey, cfg.DefaultHeaders, cfg.MaxRetries, cfg.HTTPClient)
}
