package pyjson

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// NumberEnd returns where the JSON number starting at d[i] ends, and false
// if no number in JSON's grammar starts there (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?).
func NumberEnd(d []byte, i int) (int, bool) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = DigitRun(d, i+1)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		s := i + 1
		if i = DigitRun(d, s); i == s {
			return i, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		s := i
		if i = DigitRun(d, s); i == s {
			return i, false
		}
	}
	return i, true
}

// DigitRun returns the end of the run of ASCII digits at i, eight bytes at
// a time: a logprob has a dozen or more.
func DigitRun(d []byte, i int) int {
	const hi4 = 0xF0F0F0F0F0F0F0F0
	for i+8 <= len(d) {
		x := binary.LittleEndian.Uint64(d[i:])
		// Each byte is '0'..'9': high nibble 3, and adding 6 keeps it so.
		// A byte of nd is zero for a digit; the first nonzero one ends
		// the run (a carry of the addition only reaches bytes after it).
		if nd := (x&hi4 ^ 0x3030303030303030) | ((x+0x0606060606060606)&hi4 ^ 0x3030303030303030); nd != 0 {
			return i + bits.TrailingZeros64(nd)/8
		}
		i += 8
	}
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// FitsFloat64 reports whether a JSON number is within float64's range (a
// value too small for it reads as 0, as in Python; one too large is out of
// range, where Python's json would read inf). It reads the number's order of
// magnitude from its digits and exponent, and parses only a number within a
// factor of ten of the largest float64.
func FitsFloat64(num []byte) bool {
	if len(num) < 300 {
		// The common case, read from the end: no exponent, or a negative
		// one (a logprob such as -3.4e-05), with fewer than 300 digits.
		j := len(num) - 1
		for j >= 0 && num[j] >= '0' && num[j] <= '9' {
			j--
		}
		if j < 0 || num[j] == '.' || (num[j] == '-' && j > 0 && (num[j-1] == 'e' || num[j-1] == 'E')) {
			return true
		}
		if num[j] == '-' && j == 0 {
			return true // a negative integer
		}
	}
	i := 0
	if i < len(num) && num[i] == '-' {
		i++
	}
	// order: the value is below 10^order, and at least 10^(order-1).
	order, seen := 0, false
	for ; i < len(num) && num[i] >= '0' && num[i] <= '9'; i++ {
		if seen || num[i] != '0' {
			seen = true
			order++
		}
	}
	if i < len(num) && num[i] == '.' {
		for i++; i < len(num) && num[i] >= '0' && num[i] <= '9'; i++ {
			if !seen {
				if num[i] != '0' {
					seen = true
				} else {
					order--
				}
			}
		}
	}
	if !seen {
		return true // zero
	}
	if i < len(num) && (num[i] == 'e' || num[i] == 'E') {
		i++
		neg := false
		if i < len(num) && (num[i] == '+' || num[i] == '-') {
			neg = num[i] == '-'
			i++
		}
		exp := 0
		for ; i < len(num) && num[i] >= '0' && num[i] <= '9'; i++ {
			exp = min(exp*10+int(num[i]-'0'), 1<<20)
		}
		if neg {
			exp = -exp
		}
		order += exp
	}
	switch {
	case order <= 308:
		return true
	case order >= 310:
		return false
	}
	_, err := strconv.ParseFloat(string(num), 64)
	return err == nil
}
