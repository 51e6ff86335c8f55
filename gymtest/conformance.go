package gymtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// Check runs the conformance checks of an environment on rows of its
// dataset and returns every problem found (none means it conforms):
//
//   - each tool of its resources server (when it lists them, as env.Server
//     does) has a strict schema: an object with additionalProperties false
//     and every property required, as OpenAI's strict function calling
//     wants; a tool the rows themselves offer with "strict": false (as
//     NeMo Gym's workplace_assistant rows do) need only have an object
//     root, since its arguments are optional by the dataset's own contract;
//   - a tool called with arguments that do not fit answers with an output
//     for the model, not a failure;
//   - every row, collected concurrently (run it under -race) with the given
//     policy, finishes without failing and with a finite reward;
//   - every session the resources server opened is closed;
//   - a tool's state type agrees with the server's NewState (a mismatch is
//     a failure of class rollout.FailEnvironment, named as such);
//   - every row offers the model tools (responses_create_params.tools) when
//     the resources server has some: a row without them is warned about,
//     since the model can call nothing.
//
// The environment's own Model is replaced by policy.
func Check(ctx context.Context, e gym.Environment, policy model.Model, rows []rollout.Task) []string {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	if lister, ok := e.Resources.(env.ToolLister); ok {
		lax := declaredNonStrict(rows)
		for _, t := range lister.Tools() {
			ps := strictProblems(t.Parameters, "parameters")
			if lax[t.Name] {
				ps = rootProblems(t.Parameters, "parameters")
			}
			for _, p := range ps {
				add("tool %q: %s", t.Name, p)
			}
			sess, err := e.Resources.Seed(ctx, firstOr(rows))
			if err != nil {
				add("seed: %v", err)
				continue
			}
			if _, err := sess.CallTool(ctx, t.Name, json.RawMessage(`{"gymtest_unexpected_argument": [1, 2]}`)); err != nil {
				if rollout.AsFailure(err).Class == rollout.FailEnvironment {
					add("tool %q: the environment is put together wrong: %v", t.Name, err)
				} else {
					add("tool %q: arguments that do not fit are a failure (%v), not an output for the model", t.Name, err)
				}
			}
			if err := sess.Close(); err != nil {
				add("closing a session: %v", err)
			}
		}
	}

	if lister, ok := e.Resources.(env.ToolLister); ok && len(lister.Tools()) > 0 {
		var names []string
		for _, t := range lister.Tools() {
			names = append(names, t.Name)
		}
		for i, row := range rows {
			if params, err := row.Params(); err == nil {
				if tools, err := params.Tools(); err == nil && len(tools) == 0 {
					add("warning: row %d offers the model no tools (responses_create_params.tools), but the environment has %v: the model can call none of them", i, names)
				}
			}
		}
	}

	counted := &countingServer{ResourcesServer: e.Resources}
	e.Resources, e.Model = counted, policy
	var reg gym.Registry
	if err := reg.Register("gymtest", e); err != nil {
		return append(problems, err.Error())
	}
	c := gym.Collector{Registry: &reg, DefaultAgent: "gymtest", Concurrency: 8}
	for res, err := range c.Collect(ctx, gym.FromSlice(rows)) {
		if err != nil {
			return append(problems, err.Error())
		}
		switch {
		case res.Err != nil && rollout.AsFailure(res.Err).Class == rollout.FailEnvironment:
			add("row %d: the environment is put together wrong: %v", res.TaskIndex, res.Err)
		case res.Err != nil:
			add("row %d: the rollout failed: %v", res.TaskIndex, res.Err)
		case math.IsNaN(res.Reward) || math.IsInf(res.Reward, 0):
			add("row %d: reward %v", res.TaskIndex, res.Reward)
		}
	}
	if n := counted.open.Load(); n != 0 {
		add("%d sessions were not closed", n)
	}
	return problems
}

func firstOr(rows []rollout.Task) rollout.Task {
	if len(rows) > 0 {
		return rows[0]
	}
	t, _ := rollout.ParseTask([]byte(`{"responses_create_params":{"input":""}}`))
	return t
}

// declaredNonStrict returns the names of the tools the rows offer with
// "strict": false.
func declaredNonStrict(rows []rollout.Task) map[string]bool {
	lax := map[string]bool{}
	for _, r := range rows {
		p, err := r.Params()
		if err != nil {
			continue
		}
		tools, err := p.Tools()
		if err != nil {
			continue
		}
		for _, t := range tools {
			if t.Strict != nil && !*t.Strict {
				lax[t.Name] = true
			}
		}
	}
	return lax
}

// rootProblems reports a schema that is not a JSON object of type object.
func rootProblems(schema json.RawMessage, where string) []string {
	var s map[string]any
	if err := json.Unmarshal(schema, &s); err != nil {
		return []string{fmt.Sprintf("%s: not a JSON object: %v", where, err)}
	}
	if s["type"] != "object" {
		return []string{fmt.Sprintf("%s: the root is not an object", where)}
	}
	return nil
}

// strictProblems lists how a JSON Schema falls short of strict mode.
func strictProblems(schema json.RawMessage, where string) []string {
	var s map[string]any
	if err := json.Unmarshal(schema, &s); err != nil {
		return []string{fmt.Sprintf("%s: not a JSON object: %v", where, err)}
	}
	var out []string
	var walk func(node map[string]any, at string)
	walk = func(node map[string]any, at string) {
		if ref, ok := node["$ref"]; ok {
			out = append(out, fmt.Sprintf("%s: $ref %v (strict schemas are inlined)", at, ref))
		}
		props, hasProps := node["properties"].(map[string]any)
		if node["type"] == "object" || hasProps {
			if node["additionalProperties"] != false {
				out = append(out, fmt.Sprintf("%s: additionalProperties is not false", at))
			}
			required := map[string]bool{}
			if list, ok := node["required"].([]any); ok {
				for _, r := range list {
					if name, ok := r.(string); ok {
						required[name] = true
					}
				}
			}
			for name, p := range props {
				if !required[name] {
					out = append(out, fmt.Sprintf("%s: property %q is not required", at, name))
				}
				if sub, ok := p.(map[string]any); ok {
					walk(sub, at+"."+name)
				}
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(items, at+"[]")
		}
	}
	if s["type"] != "object" {
		out = append(out, fmt.Sprintf("%s: the root is not an object", where))
	}
	walk(s, where)
	return out
}

// countingServer counts the sessions open at once.
type countingServer struct {
	env.ResourcesServer
	open atomic.Int64
}

func (c *countingServer) Seed(ctx context.Context, task rollout.Task) (env.Session, error) {
	s, err := c.ResourcesServer.Seed(ctx, task)
	if err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &countingSession{Session: s, open: &c.open}, nil
}

type countingSession struct {
	env.Session
	open   *atomic.Int64
	closed atomic.Bool
}

// Unwrap returns the session counted, so env.StateOf sees through it.
func (s *countingSession) Unwrap() env.Session { return s.Session }

func (s *countingSession) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.open.Add(-1)
	}
	return s.Session.Close()
}
