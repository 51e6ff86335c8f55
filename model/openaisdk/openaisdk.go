// Package openaisdk sends the model clients' requests through OpenAI's
// official Go SDK (github.com/openai/openai-go): its retries, its
// middleware, its credentials (Azure, organisations, projects) and every
// other request option it has.
//
//	m, err := model.NewOpenAI(model.OpenAIConfig{
//		BaseURL: "https://api.openai.com/v1",
//		Model:   "gpt-4.1",
//		Poster:  openaisdk.Poster(option.WithAPIKey(key), option.WithMaxRetries(5)),
//	})
//
// The model package posts with a client of its own by default, with the
// SDK's headers and retry policy, so that a program that does not ask for
// the SDK does not compile it; this package is that choice. Items travel as
// raw JSON either way: fields the SDK's types do not know survive.
package openaisdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/gymkit/gym/model"
)

// Poster returns a model.Poster that posts through an openai-go client made
// with opts. The request's URL is absolute (the model clients' base URL and
// route), so option.WithBaseURL is set for each request; set the API key with
// option.WithAPIKey (the SDK otherwise reads OPENAI_API_KEY).
func Poster(opts ...option.RequestOption) model.Poster {
	return &poster{client: openai.NewClient(opts...)}
}

type poster struct{ client openai.Client }

// Post sends body to url. The SDK's error for an answer of 400 or more
// becomes a *model.APIError with the server's body, so that the model
// clients report the server's message as they do for their own transport.
func (p *poster) Post(ctx context.Context, url string, body []byte) ([]byte, error) {
	// The SDK takes a base URL and a relative path.
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("openaisdk: %q is not an absolute URL", url)
	}
	path := strings.TrimPrefix(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	var raw []byte
	// A *bytes.Buffer: the SDK gives each retry a fresh reader of it.
	err = p.client.Post(ctx, path, bytes.NewBuffer(body), &raw,
		option.WithBaseURL(u.Scheme+"://"+u.Host+"/"), option.WithHeader("Content-Type", "application/json"))
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return nil, &model.APIError{StatusCode: apiErr.StatusCode, Body: []byte(apiErr.RawJSON())}
	}
	return raw, err
}
