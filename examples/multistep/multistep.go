// Package multistep is NeMo Gym's example_multi_step environment: the model
// looks up the value of each synonym of the term a user query is about
// (get_synonym_value), then submits the values in order
// (extract_synonym_values); the verifier rewards the exact list.
package multistep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Names of the environment's NeMo Gym config instances.
const (
	AgentName  = "example_multi_step_simple_agent"
	ServerName = "example_multi_step_resources_server"
)

// SynonymArgs are the arguments of get_synonym_value.
type SynonymArgs struct {
	Synonym string `json:"synonym" jsonschema:"description=The synonym to get the value for."`
}

// SynonymValue is get_synonym_value's result.
type SynonymValue struct {
	SynonymValue int `json:"synonym_value"`
}

// ExtractArgs are the arguments of extract_synonym_values.
type ExtractArgs struct {
	SynonymValues []int `json:"synonym_values" jsonschema:"description=The synonym values corresponding to the term for the user query."`
}

// ExtractResult is extract_synonym_values's result.
type ExtractResult struct {
	Success bool `json:"success"`
}

// Value is the value of a synonym: the sum of its code points.
func Value(synonym string) int {
	n := 0
	for _, r := range synonym {
		n += int(r)
	}
	return n
}

// NewServer returns the resources server with both tools; it has no state.
func NewServer() *env.Server {
	return env.NewServer(
		env.NewTool("get_synonym_value", "Get the synonym value for a synonym.",
			func(_ context.Context, in SynonymArgs) (SynonymValue, error) {
				return SynonymValue{SynonymValue: Value(in.Synonym)}, nil
			}),
		env.NewTool("extract_synonym_values", "Extract the synonym values you retrieved for the term that is relevant to the user query.",
			func(_ context.Context, in ExtractArgs) (ExtractResult, error) {
				return ExtractResult{Success: true}, nil
			}),
	)
}

// Task is the verifier's data in a row.
type Task struct {
	ExpectedSynonymValues []int  `json:"expected_synonym_values"`
	MinefieldLabel        string `json:"minefield_label"`
	MinefieldLabelValue   int    `json:"minefield_label_value"`
}

// NewVerifier returns the verifier. It reads the last extract_synonym_values
// call and returns reward 1.0 iff its values equal expected_synonym_values in
// order, with parsed_synonym_values, accuracy, set_overlap,
// original_term_minefield_hit and order_instruction_following_failure, as
// NeMo Gym computes them. Arguments that do not parse count as no values
// (NeMo Gym's server fails the request instead).
func NewVerifier() verifier.Verifier {
	return verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		var t Task
		for _, f := range []struct {
			name string
			dst  any
		}{
			{"expected_synonym_values", &t.ExpectedSynonymValues},
			{"minefield_label", &t.MinefieldLabel},
			{"minefield_label_value", &t.MinefieldLabelValue},
		} {
			if err := req.Task.Decode(f.name, f.dst); err != nil {
				return nil, rollout.Fail(rollout.FailInvalidRow, "verify", fmt.Errorf("multistep: row: %w", err))
			}
		}
		if len(t.ExpectedSynonymValues) == 0 {
			return nil, rollout.Fail(rollout.FailInvalidRow, "verify", errors.New(`multistep: the row has no "expected_synonym_values"`))
		}
		actual := []int{}
		if call, ok := verifier.LastCall(req.Response.Output, "extract_synonym_values"); ok {
			var args ExtractArgs
			if json.Unmarshal([]byte(call.Arguments()), &args) == nil && args.SynonymValues != nil {
				actual = args.SynonymValues
			}
		}
		accuracy := slices.Equal(t.ExpectedSynonymValues, actual)
		overlap := float64(len(intersect(actual, t.ExpectedSynonymValues))) / float64(len(t.ExpectedSynonymValues))
		reward := 0.0
		if accuracy {
			reward = 1.0
		}
		v := verifier.Reward(reward)
		v.Set("parsed_synonym_values", actual)
		v.Set("accuracy", accuracy)
		v.Set("set_overlap", overlap)
		// The label is a string and the values are ints: as in NeMo Gym, only
		// the label's value can be hit.
		v.Set("original_term_minefield_hit", slices.Contains(actual, t.MinefieldLabelValue))
		v.Set("order_instruction_following_failure", !accuracy && overlap == 1.0)
		return v, nil
	})
}

func intersect(a, b []int) map[int]struct{} {
	in := make(map[int]struct{}, len(b))
	for _, x := range b {
		in[x] = struct{}{}
	}
	both := make(map[int]struct{})
	for _, x := range a {
		if _, ok := in[x]; ok {
			both[x] = struct{}{}
		}
	}
	return both
}

// Environment returns the environment with m as its policy model.
func Environment(m model.Model) gym.Environment {
	return gym.Environment{Model: m, Resources: NewServer(), Verifier: NewVerifier()}
}

var synonymLine = regexp.MustCompile(`The term '([^']+)' has a synonym '([^']+)'\.`)

// Policy returns a scripted policy for offline runs. It reads the synonym
// list from the system prompt, picks the term whose name or a synonym
// appears in the user query, looks up each of the term's synonyms with one
// call per turn, submits the values, and answers with them.
func Policy() model.Model {
	return model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
		var system json.RawMessage
		var user string
		var values []int
		submitted := false
		for _, it := range req.Input {
			switch it.Type() {
			case rollout.TypeMessage:
				switch it.Role() {
				case "system", "developer":
					system, _ = it.Get("content")
				case "user":
					user = it.Text()
				}
			case rollout.TypeFunctionCall:
				submitted = submitted || it.Name() == "extract_synonym_values"
			case rollout.TypeFunctionCallOutput:
				var v SynonymValue
				if json.Unmarshal([]byte(it.Output()), &v) == nil && v.SynonymValue != 0 {
					values = append(values, v.SynonymValue)
				}
			}
		}
		if submitted {
			b, _ := json.Marshal(values)
			return model.NewResponse(rollout.NewOutputMessage("msg_policy", string(b))), nil
		}
		synonyms := parsePrompt(system).synonymsFor(user)
		step := len(values)
		if step < len(synonyms) {
			args, _ := json.Marshal(SynonymArgs{Synonym: synonyms[step]})
			return model.NewResponse(rollout.NewFunctionCall(fmt.Sprintf("call_%d", step), "get_synonym_value", string(args))), nil
		}
		if values == nil {
			values = []int{}
		}
		args, _ := json.Marshal(ExtractArgs{SynonymValues: values})
		return model.NewResponse(rollout.NewFunctionCall(fmt.Sprintf("call_%d", step), "extract_synonym_values", string(args))), nil
	})
}

// prompt is the synonym list of a system prompt.
type prompt struct {
	byTerm  map[string][]string // term → its synonyms, in prompt order
	byTermW map[string]string   // lower-case term → term
	bySynW  map[string]string   // lower-case synonym → the first term that has it
}

// prompts caches parsed system prompts by their raw JSON: a dataset has few
// distinct system prompts, and every turn of every rollout sends one.
var (
	promptsMu sync.RWMutex
	prompts   = map[string]*prompt{}
)

const maxCachedPrompts = 1024

func parsePrompt(raw json.RawMessage) *prompt {
	promptsMu.RLock()
	p, ok := prompts[string(raw)] // no copy of raw: the compiler elides it
	promptsMu.RUnlock()
	if ok {
		return p
	}
	msg := rollout.NewMessage("system", "")
	msg.Set("content", raw) // a string or a list of text parts
	p = &prompt{byTerm: map[string][]string{}, byTermW: map[string]string{}, bySynW: map[string]string{}}
	for _, m := range synonymLine.FindAllStringSubmatch(msg.Text(), -1) {
		term, syn := m[1], m[2]
		p.byTerm[term] = append(p.byTerm[term], syn)
		p.byTermW[strings.ToLower(term)] = term
		if _, ok := p.bySynW[strings.ToLower(syn)]; !ok {
			p.bySynW[strings.ToLower(syn)] = term
		}
	}
	promptsMu.Lock()
	if len(prompts) < maxCachedPrompts {
		prompts[string(raw)] = p
	}
	promptsMu.Unlock()
	return p
}

// synonymsFor returns, in prompt order, the synonyms of the term that the
// user query mentions by name or, failing that, by one of its synonyms.
func (p *prompt) synonymsFor(user string) []string {
	words := strings.FieldsFunc(strings.ToLower(user), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r == '-')
	})
	for _, w := range words {
		if term, ok := p.byTermW[w]; ok {
			return p.byTerm[term]
		}
	}
	for _, w := range words {
		if term, ok := p.bySynW[w]; ok {
			return p.byTerm[term]
		}
	}
	return nil
}
