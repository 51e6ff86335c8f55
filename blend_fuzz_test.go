package gym_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/gymkit/gym"
)

// FuzzBlendQuotas: for any weights and batch size, every block holds each
// source's floor or ceiling of P·w and the counts stay within a row of
// their targets.
func FuzzBlendQuotas(f *testing.F) {
	f.Add(uint8(4), 1.0, 1.0, 1.0)
	f.Add(uint8(2), 0.00025, 0.5377, 0.2457)
	f.Add(uint8(128), 3.0, 1e-9, 1e9)
	f.Fuzz(func(t *testing.T, p uint8, w0, w1, w2 float64) {
		if p == 0 {
			return
		}
		ws := []float64{w0, w1, w2}
		b := gym.Blend{Epochs: -1}
		var total float64
		for i, w := range ws {
			if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) || w > 1e12 || (w > 0 && w < 1e-12) {
				return
			}
			name := "s" + strconv.Itoa(i)
			b.Sources = append(b.Sources, gym.Source{Name: name, Rows: gym.FromSlice(rowsOf(t, name, 2)), Weight: w})
			if w == 0 {
				ws[i] = 1
			}
			total += ws[i]
		}
		cum := make([]int, 3)
		block := make([]int, 3)
		n := 0
		for task, err := range b.Rows(int(p)) {
			if err != nil {
				t.Fatal(err)
			}
			i, _ := strconv.Atoi(task.AgentName()[1:])
			block[i]++
			n++
			if n%int(p) != 0 {
				continue
			}
			s := n / int(p)
			for i := range ws {
				exact := float64(p) * ws[i] / total
				if block[i] < int(math.Floor(exact)) || block[i] > int(math.Ceil(exact)) {
					t.Fatalf("block %d: source %d has %d rows for a share of %v", s, i, block[i], exact)
				}
				cum[i] += block[i]
				if d := math.Abs(float64(cum[i]) - exact*float64(s)); d > 1+1e-6 {
					t.Fatalf("after %d blocks source %d is %v rows off", s, i, d)
				}
				block[i] = 0
			}
			if s == 50 {
				return
			}
		}
	})
}
