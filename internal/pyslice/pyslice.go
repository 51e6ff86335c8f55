package pyslice

// Clamp is a slice bound i as Python resolves it for a sequence of length
// n: a negative i counts from the end, and the result is in 0..n.
func Clamp[I ~int | ~int64](i, n I) I {
	if i < 0 {
		i += n
		if i < 0 {
			i = 0
		}
	}
	if i > n {
		i = n
	}
	return i
}
