package pyslice

import (
	"fmt"
	"testing"
)

func TestClamp(t *testing.T) {
	// As Python's slice(i, None).indices(5)[0] for a list of five.
	for _, c := range []struct{ i, want int }{
		{0, 0}, {3, 3}, {5, 5}, {9, 5}, {-1, 4}, {-5, 0}, {-9, 0},
	} {
		if got := Clamp(c.i, 5); got != c.want {
			t.Errorf("Clamp(%d, 5) = %d, want %d", c.i, got, c.want)
		}
		if got := Clamp(int64(c.i), 5); got != int64(c.want) {
			t.Errorf("Clamp(int64(%d), 5) = %d, want %d", c.i, got, c.want)
		}
	}
	if got := Clamp(-1, 0); got != 0 {
		t.Errorf("Clamp(-1, 0) = %d, want 0", got)
	}
}

func ExampleClamp() {
	s := []string{"a", "b", "c", "d"}
	n := len(s)
	fmt.Println(s[Clamp(1, n):Clamp(-1, n)], s[Clamp(-10, n):Clamp(10, n)])
	// Output: [b c] [a b c d]
}
