package verifier

import (
	"strings"

	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/rollout"
)

// OutputText returns the text a Responses API response answered with, as
// the openai Python SDK's Response.output_text computes it (and NeMo Gym's
// servers read it): the text of every output_text part of every message
// item, joined without separator. Items of other types (reasoning,
// function calls) and parts of other types (refusal) are skipped; a
// message whose content is a plain string contributes nothing, as in the
// SDK, whose output messages always carry a list of parts.
func OutputText(output []rollout.Item) string {
	var b strings.Builder
	for _, it := range output {
		if it.Type() != rollout.TypeMessage {
			continue
		}
		raw, ok := it.Get("content")
		if !ok || len(raw) == 0 || raw[0] != '[' {
			continue
		}
		_ = jsonscan.Array(raw, func(part []byte) error {
			var typ, text string
			_ = jsonscan.Object(part, func(key string, v []byte) error {
				switch key {
				case "type":
					typ, _ = jsonscan.String(v)
				case "text":
					text, _ = jsonscan.String(v)
				}
				return nil
			})
			if typ == "output_text" {
				b.WriteString(text)
			}
			return nil
		})
	}
	return b.String()
}
