package pyjson

import (
	"math/rand/v2"
	"testing"
)

// DigitRun ends where a byte-by-byte scan ends, wherever the run starts
// and stops within its eight-byte words.
func TestDigitRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		d := make([]byte, rng.IntN(40))
		for k := range d {
			d[k] = '0' + byte(rng.IntN(10))
			if rng.IntN(12) == 0 {
				d[k] = byte(rng.IntN(256))
			}
		}
		i := 0
		if len(d) > 0 {
			i = rng.IntN(len(d) + 1)
		}
		want := i
		for want < len(d) && d[want] >= '0' && d[want] <= '9' {
			want++
		}
		if got := DigitRun(d, i); got != want {
			t.Fatalf("DigitRun(%q, %d) = %d, want %d", d, i, got, want)
		}
	}
}
