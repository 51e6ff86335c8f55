// Package endpointtest checks that a model client with several base URLs
// keeps every call of one rollout on one server: Tracker wraps the policy
// each fake server answers with and records, per rollout, which servers
// answered its calls.
//
// Rollouts are told apart on the wire, where a request carries no identity:
// the first call of a rollout draws a nonce and prefixes it to the call_id of
// every function call it answers; later calls of the rollout find the
// nonce in the function calls of their input.
package endpointtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// Tracker records which server answered each call of each rollout.
type Tracker struct {
	mu      sync.Mutex
	servers map[string][]int // rollout nonce → server of each call, in order
}

// Policy returns m as served by server: its calls are recorded, and the
// call_ids of its function calls carry the rollout's nonce.
func (t *Tracker) Policy(server int, m model.Model) model.Model {
	return model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		nonce := ""
		for _, it := range req.Input {
			if it.Type() == rollout.TypeFunctionCall {
				if n, _, ok := strings.Cut(it.CallID(), "~"); ok {
					nonce = n
					break
				}
			}
		}
		if nonce == "" {
			nonce = rand.Text()
		}
		t.mu.Lock()
		if t.servers == nil {
			t.servers = make(map[string][]int)
		}
		t.servers[nonce] = append(t.servers[nonce], server)
		t.mu.Unlock()
		resp, err := m.Respond(ctx, req)
		if err != nil || resp == nil {
			return resp, err
		}
		for i, it := range resp.Output {
			if it.Type() == rollout.TypeFunctionCall && !strings.Contains(it.CallID(), "~") {
				it = it.Clone()
				it.Set("call_id", rollout.Quote(nonce+"~"+it.CallID()))
				resp.Output[i] = it
			}
		}
		return resp, nil
	})
}

// Calls returns the server of each call, per rollout.
func (t *Tracker) Calls() map[string][]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string][]int, len(t.servers))
	for k, v := range t.servers {
		out[k] = slices.Clone(v)
	}
	return out
}

// Check returns a problem for each rollout whose calls went to more than
// one server, for rollouts that made fewer than minCalls calls, and when
// fewer than two servers served any rollout; nil when all is well.
func (t *Tracker) Check(rollouts, minCalls int) []string {
	calls := t.Calls()
	var problems []string
	if len(calls) != rollouts {
		problems = append(problems, fmt.Sprintf("%d rollouts reached the servers, want %d", len(calls), rollouts))
	}
	used := map[int]bool{}
	for _, nonce := range slices.Sorted(maps.Keys(calls)) {
		servers := calls[nonce]
		if len(servers) < minCalls {
			problems = append(problems, fmt.Sprintf("rollout %s made %d calls, want at least %d", nonce, len(servers), minCalls))
		}
		for _, s := range servers {
			used[s] = true
			if s != servers[0] {
				problems = append(problems, fmt.Sprintf("rollout %s: calls went to servers %v", nonce, servers))
				break
			}
		}
	}
	if len(used) < 2 {
		problems = append(problems, fmt.Sprintf("every rollout went to servers %v: the test shows nothing", slices.Sorted(maps.Keys(used))))
	}
	return problems
}
