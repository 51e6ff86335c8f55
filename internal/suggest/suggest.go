// Package suggest finds the likely intended name for a misspelt one, for
// "did you mean" hints in error messages.
package suggest

// Closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a likely typo: at most a quarter of the name's length
// (at least one edit) and less than the whole name.
func Closest(name string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := Distance(name, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	n := len([]rune(name))
	return best, bestDist >= 0 && bestDist < n && bestDist <= max(1, n/4)
}

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Similar returns the candidate most similar to name, as Python's
// difflib.get_close_matches(name, candidates, n=1) picks it for NeMo Gym's
// "Did you mean" hints: the highest similarity ratio 2·M/T (M the longest
// common subsequence, T both lengths), if it is at least 0.6. It finds what
// Closest finds and also prefixes and transpositions ("rnu" → "run").
func Similar(name string, candidates []string) (string, bool) {
	if c, ok := Closest(name, candidates); ok {
		return c, true
	}
	best, bestRatio := "", 0.0
	for _, c := range candidates {
		if r := ratio(name, c); r > bestRatio {
			best, bestRatio = c, r
		}
	}
	return best, bestRatio >= 0.6
}

func ratio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra)+len(rb) == 0 {
		return 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			if ra[i-1] == rb[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(rb)]) / float64(len(ra)+len(rb))
}
