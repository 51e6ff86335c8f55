package gym_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/rollout"
)

// rowsOf returns n rows of agent name, each with a distinct "id".
func rowsOf(t testing.TB, name string, n int) []gym.Task {
	out := make([]gym.Task, n)
	for i := range out {
		out[i] = row(t, name, name+" "+strconv.Itoa(i), `"id":`+strconv.Itoa(i))
	}
	return out
}

func idOf(t testing.TB, task gym.Task) int {
	var id int
	require.NoError(t, task.Decode("id", &id))
	return id
}

// The quota property: in every block of P rows each source has
// floor(P·w) or ceil(P·w) rows, and after s blocks its count is within one
// row of P·w·s, for 1,000 blocks and several weightings.
func TestBlendExactQuotas(t *testing.T) {
	cases := []struct {
		weights []float64
		p       int
	}{
		{[]float64{1, 1}, 1},
		{[]float64{1, 1}, 7},
		{[]float64{3, 1}, 128},
		{[]float64{0.7, 0.2, 0.1}, 128},
		{[]float64{0.7, 0.2, 0.1}, 5},
		{[]float64{1, 1, 1}, 128},
		{[]float64{0.5, 0.25, 0.125, 0.0625, 0.0625}, 3},
		{[]float64{0.001, 0.999}, 16},
		{[]float64{0.00025, 0.5377, 0.00052, 0.006, 0.0024, 0.0063, 0.2012, 0.2457}, 2}, // a case where a greedy largest-deficit rule drifts past one row
		{[]float64{math.Pi, math.E, math.Sqrt2, 1}, 64},
		{[]float64{2, 0, 5}, 9}, // 0 means 1
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.weights, tc.p), func(t *testing.T) {
			b := gym.Blend{Seed: 7, Epochs: -1}
			var total float64
			w := make([]float64, len(tc.weights))
			for i, x := range tc.weights {
				name := "env" + strconv.Itoa(i)
				b.Sources = append(b.Sources, gym.Source{Name: name, Rows: gym.FromSlice(rowsOf(t, name, 3+i)), Weight: x})
				if x == 0 {
					x = 1
				}
				w[i] = x
				total += x
			}
			for i := range w {
				w[i] /= total
			}
			const blocks = 1000
			cum := make([]int, len(w))
			block := make([]int, len(w))
			n := 0
			for task, err := range b.Rows(tc.p) {
				require.NoError(t, err)
				i, err := strconv.Atoi(task.AgentName()[3:])
				require.NoError(t, err)
				block[i]++
				n++
				if n%tc.p != 0 {
					continue
				}
				s := n / tc.p
				for i := range w {
					exact := float64(tc.p) * w[i]
					require.Contains(t, []int{int(math.Floor(exact)), int(math.Ceil(exact))}, block[i],
						"block %d, source %d: %d rows for a share of %.4f", s, i, block[i], exact)
					cum[i] += block[i]
					require.LessOrEqual(t, math.Abs(float64(cum[i])-exact*float64(s)), 1+1e-9,
						"after %d blocks source %d has %d rows, target %.3f", s, i, cum[i], exact*float64(s))
					block[i] = 0
				}
				if s == blocks {
					break
				}
			}
			require.Equal(t, blocks*tc.p, n)
		})
	}
}

func blendOrder(t *testing.T, b *gym.Blend, p, n int) []string {
	var out []string
	for task, err := range b.Rows(p) {
		require.NoError(t, err)
		out = append(out, task.AgentName()+"/"+strconv.Itoa(idOf(t, task)))
		if len(out) == n {
			break
		}
	}
	return out
}

func TestBlendDeterministicForASeed(t *testing.T) {
	mk := func(seed uint64) *gym.Blend {
		return &gym.Blend{Seed: seed, Epochs: -1, Sources: []gym.Source{
			{Rows: gym.FromSlice(rowsOf(t, "a", 10)), Weight: 2},
			{Rows: gym.FromSlice(rowsOf(t, "b", 7)), Weight: 1},
		}}
	}
	first := blendOrder(t, mk(42), 6, 300)
	require.Equal(t, first, blendOrder(t, mk(42), 6, 300), "the same seed gives the same order")
	require.NotEqual(t, first, blendOrder(t, mk(43), 6, 300), "another seed gives another order")
}

// Each epoch draws every row of a source exactly once; the blend ends when
// the sources have made their passes.
func TestBlendEpochsWithoutReplacement(t *testing.T) {
	b := gym.Blend{Seed: 1, Epochs: 3, Sources: []gym.Source{{Rows: gym.FromSlice(rowsOf(t, "a", 5))}}}
	got := blendOrder(t, &b, 2, 1000)
	require.Len(t, got, 15)
	for e := range 3 {
		epoch := slices.Clone(got[e*5 : e*5+5])
		slices.Sort(epoch)
		require.Equal(t, []string{"a/0", "a/1", "a/2", "a/3", "a/4"}, epoch, "epoch %d", e)
	}
	require.NotEqual(t, got[:5], got[5:10], "each epoch is a fresh shuffle")
}

func TestBlendDrySource(t *testing.T) {
	mk := func(p gym.DryPolicy, dried *[]string) *gym.Blend {
		return &gym.Blend{Seed: 3, OnDry: p, Dry: func(s string) { *dried = append(*dried, s) }, Sources: []gym.Source{
			{Rows: gym.FromSlice(rowsOf(t, "a", 20))},
			{Rows: gym.FromSlice(rowsOf(t, "b", 4))},
		}}
	}
	t.Run("renormalize", func(t *testing.T) {
		var dried []string
		got := blendOrder(t, mk(gym.Renormalize, &dried), 4, 1000)
		require.Len(t, got, 24, "every row of both sources")
		require.Equal(t, []string{"b", "a"}, dried)
		// The first two blocks are 2 + 2; once b is dry, a fills the blocks.
		for _, r := range got[8:] {
			require.Equal(t, "a", r[:1])
		}
	})
	t.Run("stop", func(t *testing.T) {
		var dried []string
		got := blendOrder(t, mk(gym.StopWhenDry, &dried), 4, 1000)
		require.Len(t, got, 8, "two whole blocks; the block in which b runs dry is not handed out")
		require.Equal(t, []string{"b"}, dried)
	})
}

func TestBlendErrors(t *testing.T) {
	b := gym.Blend{Sources: []gym.Source{{Name: "x", Rows: gym.FromSlice(nil), Weight: -1}}}
	for _, err := range b.Rows(1) {
		require.ErrorIs(t, err, gym.ErrBadWeight)
		require.ErrorContains(t, err, "source 0 (x)")
	}
	var empty gym.Blend
	for _, err := range empty.Rows(1) {
		require.ErrorContains(t, err, "no sources")
	}
	// An invalid row is passed on for the Collector to report; an I/O
	// error ends the blend.
	bad := func(yield func(gym.Task, error) bool) {
		if !yield(gym.Task{}, &rollout.LineError{Path: "d.jsonl", Line: 3, Err: errors.New("bad json")}) {
			return
		}
		yield(row(t, "a", "ok"), nil)
	}
	b = gym.Blend{Sources: []gym.Source{{Rows: bad}}}
	var errs []error
	n := 0
	for task, err := range b.Rows(1) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		require.Equal(t, "a", task.AgentName())
		n++
	}
	require.Len(t, errs, 1)
	require.ErrorContains(t, errs[0], "d.jsonl:3")
	require.Equal(t, 1, n)

	broken := func(yield func(gym.Task, error) bool) { yield(gym.Task{}, errors.New("disk on fire")) }
	b = gym.Blend{Sources: []gym.Source{{Name: "f", Rows: broken}}}
	for _, err := range b.Rows(1) {
		require.ErrorContains(t, err, "blend source f: disk on fire")
	}
}
