package model

import (
	"hash/maphash"
	"sync/atomic"
)

// pool picks one of several endpoints for a call: every call of one rollout
// (one Request.Session) goes to the same endpoint, so the server's prefix
// cache holds the conversation; calls without a session are spread round
// robin.
type pool[T any] struct {
	items []T
	seed  maphash.Seed
	next  atomic.Uint64
}

func newPool[T any](items []T) *pool[T] {
	return &pool[T]{items: items, seed: maphash.MakeSeed()}
}

// pick returns the endpoint for session.
func (p *pool[T]) pick(session string) T {
	if len(p.items) == 1 {
		return p.items[0]
	}
	if session == "" {
		return p.items[p.next.Add(1)%uint64(len(p.items))]
	}
	return p.items[maphash.String(p.seed, session)%uint64(len(p.items))]
}
