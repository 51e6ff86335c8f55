package env_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
)

// counter is a rollout's state: the row's id and a running total.
type counter struct {
	ID       string
	Total    int
	closed   atomic.Int32
	closeErr error
}

func (c *counter) Close() error {
	c.closed.Add(1)
	return c.closeErr
}

type addArgs struct {
	N int `json:"n"`
}

type total struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

func add(_ context.Context, c *counter, in addArgs) (total, error) {
	c.Total += in.N
	return total{ID: c.ID, Total: c.Total}, nil
}

func task(t testing.TB, row string) rollout.Task {
	t.Helper()
	tk, err := rollout.ParseTask([]byte(row))
	require.NoError(t, err)
	return tk
}

func row(id string) string {
	return `{"responses_create_params":{"input":"hi"},"id":"` + id + `"}`
}

// counterServer returns a Server whose state is a *counter made from the
// row's id; every state it made is recorded in states.
func counterServer(states *sync.Map) *env.Server {
	srv := env.NewServer(env.NewStateTool("add", "Add n to the total.", add))
	srv.NewState = func(_ context.Context, task rollout.Task) (any, error) {
		c := &counter{ID: task.String("id")}
		if c.ID == "" {
			return nil, errors.New("the row has no id")
		}
		if states != nil {
			states.Store(c.ID, c)
		}
		return c, nil
	}
	return srv
}

func TestServerState(t *testing.T) {
	var states sync.Map
	srv := counterServer(&states)
	ctx := context.Background()
	sess, err := srv.Seed(ctx, task(t, row("r1")))
	require.NoError(t, err)

	out, err := sess.CallTool(ctx, "add", json.RawMessage(`{"n": 2}`))
	require.NoError(t, err)
	require.Equal(t, `{"id": "r1", "total": 2}`, out)
	out, err = sess.CallTool(ctx, "add", json.RawMessage(`{"n": 5}`))
	require.NoError(t, err)
	require.Equal(t, `{"id": "r1", "total": 7}`, out)

	st, ok := env.StateOf[*counter](sess)
	require.True(t, ok)
	v, _ := states.Load("r1")
	require.Same(t, v.(*counter), st, "StateOf returns the state NewState made")
	require.Equal(t, 7, st.Total)

	_, ok = env.StateOf[counter](sess)
	require.False(t, ok, "a value is not the pointer")
	_, ok = env.StateOf[string](sess)
	require.False(t, ok)
	c, ok := env.StateOf[interface{ Close() error }](sess)
	require.True(t, ok, "an interface the state implements")
	require.Same(t, st, c)

	require.Zero(t, st.closed.Load())
	require.NoError(t, sess.Close())
	require.EqualValues(t, 1, st.closed.Load(), "Close closes an io.Closer state")
}

func TestStateOfOtherSessions(t *testing.T) {
	_, ok := env.StateOf[*counter](nil)
	require.False(t, ok)
	_, ok = env.StateOf[*counter](&fakeSession{})
	require.False(t, ok, "not a Server session")
	_, ok = env.StateOf[*counter](&counter{})
	require.False(t, ok, "the state itself is not a session")

	sess, err := env.NewServer().Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	_, ok = env.StateOf[*counter](sess)
	require.False(t, ok, "a Server without NewState has no state")
	_, ok = env.StateOf[any](sess)
	require.False(t, ok, "no state is no state, even as any")
	require.NoError(t, sess.Close())
}

type fakeSession struct{}

func (*fakeSession) CallTool(context.Context, string, json.RawMessage) (string, error) {
	return "", nil
}
func (*fakeSession) Close() error { return nil }

func TestSeedError(t *testing.T) {
	sess, err := counterServer(nil).Seed(context.Background(), task(t, `{"responses_create_params":{}}`))
	require.EqualError(t, err, "the row has no id")
	require.Nil(t, sess)
}

func TestSessionCloseError(t *testing.T) {
	srv := env.NewServer()
	closeErr := errors.New("disk full")
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &counter{closeErr: closeErr}, nil }
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	require.ErrorIs(t, sess.Close(), closeErr)
}

func TestStateThatIsNotACloser(t *testing.T) {
	srv := env.NewServer()
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return map[string]int{"a": 1}, nil }
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	m, ok := env.StateOf[map[string]int](sess)
	require.True(t, ok)
	require.Equal(t, 1, m["a"])
	require.NoError(t, sess.Close())
}

func TestStatelessToolOnStatefulServer(t *testing.T) {
	srv := env.NewServer(
		env.NewStateTool("add", "", add),
		env.NewTool("echo", "", func(_ context.Context, in weatherArgs) (weatherArgs, error) { return in, nil }),
	)
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &counter{ID: "x"}, nil }
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	out, err := sess.CallTool(context.Background(), "echo", json.RawMessage(`{"city":"Oslo"}`))
	require.NoError(t, err)
	require.Equal(t, `{"city": "Oslo"}`, out)
}

func TestStateToolWithoutState(t *testing.T) {
	var got *counter
	srv := env.NewServer(env.NewStateTool("peek", "", func(_ context.Context, c *counter, _ struct{}) (bool, error) {
		got = c
		return c == nil, nil
	}))
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	out, err := sess.CallTool(context.Background(), "peek", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Equal(t, "true", out, "a state tool of a stateless server gets the zero state")
	require.Nil(t, got)
}

func TestStateOfTheWrongType(t *testing.T) {
	type other struct{}
	srv := env.NewServer(env.NewStateTool("peek", "", func(context.Context, *other, struct{}) (int, error) { return 1, nil }))
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return &counter{}, nil }
	sess, err := srv.Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	// The environment is built wrong: the rollout fails, the model is not told.
	out, err := sess.CallTool(context.Background(), "peek", json.RawMessage(`{}`))
	require.Empty(t, out)
	f := rollout.AsFailure(err)
	require.Equal(t, rollout.FailEnvironment, f.Class)
	require.Equal(t, "tool", f.Stage)
	require.ErrorContains(t, err, "*env_test.counter")
	require.ErrorContains(t, err, "*env_test.other")
}

// Each rollout has its own state, also when they run at once (-race).
func TestConcurrentSessionsDoNotShareState(t *testing.T) {
	var states sync.Map
	srv := counterServer(&states)
	const rollouts, calls = 32, 20
	var wg sync.WaitGroup
	errs := make([]error, rollouts)
	for i := range rollouts {
		wg.Go(func() {
			errs[i] = func() error {
				ctx := context.Background()
				id := fmt.Sprint("r", i)
				sess, err := srv.Seed(ctx, task(t, row(id)))
				if err != nil {
					return err
				}
				defer sess.Close()
				for j := 1; j <= calls; j++ {
					out, err := sess.CallTool(ctx, "add", json.RawMessage(fmt.Sprintf(`{"n": %d}`, i)))
					if err != nil {
						return err
					}
					if want := fmt.Sprintf(`{"id": %q, "total": %d}`, id, i*j); out != want {
						return fmt.Errorf("call %d: got %s, want %s", j, out, want)
					}
				}
				st, ok := env.StateOf[*counter](sess)
				if !ok || st.ID != id || st.Total != i*calls {
					return fmt.Errorf("state of %s: %+v", id, st)
				}
				return nil
			}()
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "rollout %d", i)
	}
	n := 0
	states.Range(func(_, v any) bool {
		n++
		require.EqualValues(t, 1, v.(*counter).closed.Load())
		return true
	})
	require.Equal(t, rollouts, n)
}

func TestServerTools(t *testing.T) {
	noop := func(context.Context, struct{}) (int, error) { return 0, nil }
	b, a, c := env.NewTool("b", "", noop), env.NewTool("a", "", noop), env.NewTool("c", "", noop)
	srv := env.NewServer(b, a, c)
	require.Equal(t, []*env.Tool{b, a, c}, srv.Tools(), "in the order given")
	got, ok := srv.Tool("a")
	require.True(t, ok)
	require.Same(t, a, got)
	_, ok = srv.Tool("d")
	require.False(t, ok)

	require.Empty(t, (&env.Server{}).Tools(), "the zero Server has no tools")
	sess, err := (&env.Server{}).Seed(context.Background(), rollout.Task{})
	require.NoError(t, err)
	out, err := sess.CallTool(context.Background(), "a", json.RawMessage(`{}`))
	require.NoError(t, err)
	require.Contains(t, errorOf(t, out), `unknown tool "a"`)
}

type wrappedSession struct{ env.Session }

func (w wrappedSession) Unwrap() env.Session { return w.Session }

// StateOf sees through a session wrapped by middleware.
func TestStateOfUnwraps(t *testing.T) {
	srv := env.NewServer()
	srv.NewState = func(context.Context, rollout.Task) (any, error) { return new(int), nil }
	task, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"x"}}`))
	require.NoError(t, err)
	sess, err := srv.Seed(context.Background(), task)
	require.NoError(t, err)
	defer sess.Close()
	st, ok := env.StateOf[*int](wrappedSession{wrappedSession{sess}})
	require.True(t, ok)
	require.NotNil(t, st)
	_, ok = env.StateOf[*int](struct{ env.Session }{sess}) // no Unwrap: not seen through
	require.False(t, ok)
}
