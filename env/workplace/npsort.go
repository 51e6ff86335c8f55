package workplace

// pandas sorts a datetime column with numpy's quicksort (an introsort that
// is not stable), and for a descending sort it sorts the reversed values
// and reverses the result. Equal timestamps (emails sent in the same
// episode share one) come out in the order that algorithm leaves them,
// which npArgsortDescending reproduces.

const smallQuicksort = 15

// npArgsortDescending is the row order of
// df.sort_values(col, ascending=False) for a column of int64 timestamps.
func npArgsortDescending(keys []int64) []int {
	n := len(keys)
	rev := make([]int64, n)
	for i, k := range keys {
		rev[n-1-i] = k
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	aquicksort(rev, perm)
	out := make([]int, n)
	for i, p := range perm {
		out[n-1-i] = n - 1 - p
	}
	return out
}

// aquicksort is numpy's aquicksort_ (npysort/quicksort.cpp): median-of-3
// quicksort, insertion sort below 16 elements, heapsort past the depth
// limit.
func aquicksort(v []int64, tosort []int) {
	num := len(tosort)
	if num < 2 {
		return
	}
	type frame struct{ pl, pr, depth int }
	var stack []frame
	pl, pr := 0, num-1
	cdepth := msb(num) * 2
	for {
		if cdepth < 0 {
			aheapsort(v, tosort[pl:pr+1])
		} else {
			for pr-pl > smallQuicksort {
				pm := pl + ((pr - pl) >> 1)
				if v[tosort[pm]] < v[tosort[pl]] {
					tosort[pm], tosort[pl] = tosort[pl], tosort[pm]
				}
				if v[tosort[pr]] < v[tosort[pm]] {
					tosort[pr], tosort[pm] = tosort[pm], tosort[pr]
				}
				if v[tosort[pm]] < v[tosort[pl]] {
					tosort[pm], tosort[pl] = tosort[pl], tosort[pm]
				}
				vp := v[tosort[pm]]
				pi, pj := pl, pr-1
				tosort[pm], tosort[pj] = tosort[pj], tosort[pm]
				for {
					for {
						pi++
						if !(v[tosort[pi]] < vp) {
							break
						}
					}
					for {
						pj--
						if !(vp < v[tosort[pj]]) {
							break
						}
					}
					if pi >= pj {
						break
					}
					tosort[pi], tosort[pj] = tosort[pj], tosort[pi]
				}
				pk := pr - 1
				tosort[pi], tosort[pk] = tosort[pk], tosort[pi]
				cdepth--
				if pi-pl < pr-pi {
					stack = append(stack, frame{pi + 1, pr, cdepth})
					pr = pi - 1
				} else {
					stack = append(stack, frame{pl, pi - 1, cdepth})
					pl = pi + 1
				}
			}
			for pi := pl + 1; pi <= pr; pi++ {
				vi := tosort[pi]
				vp := v[vi]
				pj, pk := pi, pi-1
				for pj > pl && vp < v[tosort[pk]] {
					tosort[pj] = tosort[pk]
					pj--
					pk--
				}
				tosort[pj] = vi
			}
		}
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, cdepth = f.pl, f.pr, f.depth
	}
}

func msb(n int) int {
	d := 0
	for n >>= 1; n > 0; n >>= 1 {
		d++
	}
	return d
}

// aheapsort is numpy's aheapsort_ on tosort (1-based heap indexing).
func aheapsort(v []int64, tosort []int) {
	n := len(tosort)
	a := func(i int) *int { return &tosort[i-1] }
	for l := n >> 1; l > 0; l-- {
		tmp := *a(l)
		i, j := l, l<<1
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
	for n > 1 {
		tmp := *a(n)
		*a(n) = *a(1)
		n--
		i, j := 1, 2
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
}
