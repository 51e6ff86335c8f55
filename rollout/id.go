package rollout

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// Keys under which a row records the identity of the attempt that produced
// it (see ID). NeMo Gym's own _ng_attempt_index (a 0-based re-dispatch
// counter) and _ng_rollout_id (an explicit capture id) are different keys
// with different meanings; a row that carries them keeps them unchanged.
const (
	KeyAttempt    = "_ng_rollout_attempt" // the attempt, 1-based
	KeyRolloutUID = "_ng_rollout_uid"     // the attempt's unique id
)

// ID is the identity of one attempt of one rollout: which task (the row's
// _ng_task_index), which rollout of it (_ng_rollout_index), which attempt
// (1 for the first run, 2 for the first retry, ...) and a unique id drawn
// for the attempt. A Collector gives every attempt one; it reaches every
// model call (model.Request.ID), the resources server's Seed (IDFrom on its
// context), the verifier (verifier.Request.ID) and the output or failure
// row (_ng_task_index, _ng_rollout_index, KeyAttempt, KeyRolloutUID).
//
// The zero ID means "no identity" (a call made outside a collection).
type ID struct {
	Task    int
	Rollout int
	Attempt int    // 1-based; 0 only in the zero ID
	UID     string // unique per attempt: 32 hex digits
}

// NewID returns the identity of an attempt with a fresh unique id.
func NewID(task, rollout, attempt int) ID {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return ID{Task: task, Rollout: rollout, Attempt: attempt, UID: hex.EncodeToString(b[:])}
}

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// SessionKey is the key that pins an attempt to one endpoint of a model with
// several base URLs, as NeMo Gym pins a session: the unique id, so that a
// retry (a new attempt) may move to another server; without one, NeMo Gym's
// rollout id "<task>-<rollout>" with "-a<attempt>" after the first attempt.
// The zero ID has no key ("").
func (id ID) SessionKey() string {
	switch {
	case id.UID != "":
		return id.UID
	case id.IsZero():
		return ""
	}
	s := strconv.Itoa(id.Task) + "-" + strconv.Itoa(id.Rollout)
	if id.Attempt > 1 {
		s += "-a" + strconv.Itoa(id.Attempt-1)
	}
	return s
}

// String returns "task 3 rollout 2 attempt 1 (uid)", for logs and errors.
func (id ID) String() string {
	if id.IsZero() {
		return "no rollout"
	}
	s := "task " + strconv.Itoa(id.Task) + " rollout " + strconv.Itoa(id.Rollout) + " attempt " + strconv.Itoa(id.Attempt)
	if id.UID != "" {
		s += " (" + id.UID + ")"
	}
	return s
}

// Endpoint returns which of n endpoints serves the attempt: the first eight
// bytes of the SHA-256 of its SessionKey, big-endian, modulo n — the rule of
// NeMo Gym's vllm_model for a session id, so every call of one attempt goes
// to one server. It returns -1 for the zero ID (no key: the caller spreads
// such calls as it likes) and 0 when n is 1.
func (id ID) Endpoint(n int) int {
	if n <= 1 {
		return 0
	}
	key := id.SessionKey()
	if key == "" {
		return -1
	}
	sum := sha256.Sum256([]byte(key))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

type idKey struct{}

// WithID returns a context that carries id, so that everything run under it
// (a resources server's Seed, a tool, a remote call) knows the attempt.
//
// A ctx whose type registers derived contexts itself (an AfterFunc method,
// as the Collector's attempt contexts have) keeps doing so through the
// returned context: package context looks for that method on the parent
// it is given, and would watch a plain value context with a goroutine per
// derived context instead.
func WithID(ctx context.Context, id ID) context.Context {
	if a, ok := ctx.(afterFuncer); ok {
		return &idAfterCtx{idCtx{ctx, id}, a}
	}
	return &idCtx{ctx, id}
}

type afterFuncer interface {
	AfterFunc(func()) func() bool
}

// idCtx is a context carrying an ID.
type idCtx struct {
	context.Context
	id ID
}

func (c *idCtx) Value(key any) any {
	if key == (idKey{}) {
		return c.id
	}
	return c.Context.Value(key)
}

func (c *idCtx) String() string { return "rollout.WithID(" + c.id.String() + ")" }

// idAfterCtx is an idCtx over a context with an AfterFunc method.
type idAfterCtx struct {
	idCtx
	a afterFuncer
}

func (c *idAfterCtx) AfterFunc(f func()) func() bool { return c.a.AfterFunc(f) }

// IDFrom returns the ID carried by ctx, and whether there is one.
func IDFrom(ctx context.Context) (ID, bool) {
	id, ok := ctx.Value(idKey{}).(ID)
	return id, ok
}

// RolloutID returns the identity a row records: its _ng_task_index,
// _ng_rollout_index, _ng_rollout_attempt and _ng_rollout_uid. A row without
// an attempt or a unique id (any row of NeMo Gym's) has the zero ID.
func (t Task) RolloutID() ID {
	var id ID
	if t.Decode(KeyAttempt, &id.Attempt) != nil || id.Attempt < 0 {
		id.Attempt = 0
	}
	id.UID = t.String(KeyRolloutUID)
	if id.Attempt == 0 && id.UID == "" {
		return ID{}
	}
	if t.Decode(KeyTaskIndex, &id.Task) != nil {
		id.Task = 0
	}
	if t.Decode(KeyRolloutIndex, &id.Rollout) != nil {
		id.Rollout = 0
	}
	return id
}

// WithRolloutID returns a copy of the row that records id (its indices,
// attempt and unique id), as a row sent to a remote agent carries the
// identity of the attempt. The zero ID returns the row unchanged.
func (t Task) WithRolloutID(id ID) Task {
	if id.IsZero() {
		return t
	}
	c := Task{Object: t.Clone()}
	c.Set(KeyTaskIndex, Int(id.Task))
	c.Set(KeyRolloutIndex, Int(id.Rollout))
	if id.Attempt > 0 {
		c.Set(KeyAttempt, Int(id.Attempt))
	}
	if id.UID != "" {
		c.Set(KeyRolloutUID, Quote(id.UID))
	}
	return c
}
