package model

import (
	"sync/atomic"

	"github.com/gymkit/gym/rollout"
)

// pool picks one of several endpoints for a call: every call of one rollout
// attempt (one Request.ID) goes to the same endpoint — the SHA-256 of the
// ID's session key modulo the number of endpoints, as NeMo Gym's vllm_model
// pins a session — so the server's prefix cache holds the conversation;
// calls without an identity are spread round robin.
type pool[T any] struct {
	items []T
	next  atomic.Uint64
}

func newPool[T any](items []T) *pool[T] {
	return &pool[T]{items: items}
}

// pick returns the endpoint for id.
func (p *pool[T]) pick(id rollout.ID) T {
	if len(p.items) == 1 {
		return p.items[0]
	}
	if i := id.Endpoint(len(p.items)); i >= 0 {
		return p.items[i]
	}
	return p.items[p.next.Add(1)%uint64(len(p.items))]
}
