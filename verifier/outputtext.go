package verifier

import (
	"encoding/json"
	"strings"

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
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &parts) != nil {
			continue
		}
		for _, p := range parts {
			if p.Type == "output_text" {
				b.WriteString(p.Text)
			}
		}
	}
	return b.String()
}
