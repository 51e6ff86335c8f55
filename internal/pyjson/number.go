package pyjson

import (
	"bytes"
	"encoding/binary"
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
		i = digitRun(d, i+1)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		s := i + 1
		if i = digitRun(d, s); i == s {
			return i, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		s := i
		if i = digitRun(d, s); i == s {
			return i, false
		}
	}
	return i, true
}

// digitRun returns the end of the run of ASCII digits at i, eight bytes at
// a time: a logprob has a dozen or more.
func digitRun(d []byte, i int) int {
	const hi4 = 0xF0F0F0F0F0F0F0F0
	for i+8 <= len(d) {
		x := binary.LittleEndian.Uint64(d[i:])
		// Each byte is '0'..'9': high nibble 3, and adding 6 keeps it so.
		if x&hi4 != 0x3030303030303030 || (x+0x0606060606060606)&hi4 != 0x3030303030303030 {
			break
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
// range, where Python's json would read inf).
func FitsFloat64(num []byte) bool {
	if len(num) < 20 && bytes.IndexAny(num, "eE") < 0 {
		return true // fewer than 20 digits and no exponent: always finite
	}
	_, err := strconv.ParseFloat(string(num), 64)
	return err == nil
}
