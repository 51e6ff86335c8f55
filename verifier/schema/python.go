package schema

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// pyDigits checks Python's numeric literal digits with underscores (int()
// and float() accept "1_000", never "_1", "1_" or "1__0") and returns them
// with the underscores removed and every Unicode decimal digit made ASCII.
func pyDigits(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	prevUnderscore := true // no leading underscore
	for _, r := range s {
		if r == '_' {
			if prevUnderscore {
				return "", false
			}
			prevUnderscore = true
			continue
		}
		prevUnderscore = false
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
			continue
		}
		if !unicode.Is(unicode.Nd, r) {
			return "", false
		}
		b.WriteByte(byte('0' + digitValue(r)))
	}
	if prevUnderscore {
		return "", false
	}
	return b.String(), true
}

// digitValue is the value of a Unicode decimal digit: decimal digits come
// in runs of ten, 0 to 9.
func digitValue(r rune) int {
	for _, rng := range unicode.Nd.R16 {
		if uint16(r) >= rng.Lo && uint16(r) <= rng.Hi && r <= 0xffff {
			return int(uint16(r)-rng.Lo) % 10
		}
	}
	for _, rng := range unicode.Nd.R32 {
		if uint32(r) >= rng.Lo && uint32(r) <= rng.Hi {
			return int(uint32(r)-rng.Lo) % 10
		}
	}
	return 0
}

// pyInt is Python's int(s): surrounding whitespace, a sign, decimal digits
// (any script) with single underscores between them.
func pyInt(s string) (json.Number, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = "-"
		}
		s = s[1:]
	}
	d, ok := pyDigits(s)
	if !ok || len(d) > maxIntDigits {
		return "", false
	}
	n, ok := new(big.Int).SetString(sign+d, 10)
	if !ok {
		return "", false
	}
	return json.Number(n.String()), true
}

// pyFloat is Python's float(s): surrounding whitespace, a sign, then
// digits with an optional fraction and exponent, or inf, infinity or nan
// in any case.
func pyFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	neg := false
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	sign := 1.0
	if neg {
		sign = -1
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return math.Inf(int(sign)), true
	case "nan":
		return math.NaN(), true
	}
	mant, exp := body, ""
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		mant, exp = body[:i], body[i+1:]
		if exp == "" {
			return 0, false
		}
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	var lit strings.Builder
	if intPart != "" {
		d, ok := pyDigits(intPart)
		if !ok {
			return 0, false
		}
		lit.WriteString(d)
	} else {
		lit.WriteByte('0')
	}
	if hasDot && frac != "" {
		d, ok := pyDigits(frac)
		if !ok {
			return 0, false
		}
		lit.WriteString("." + d)
	}
	if intPart == "" && frac == "" {
		return 0, false
	}
	if exp != "" {
		esign := ""
		if exp[0] == '+' || exp[0] == '-' {
			esign, exp = exp[:1], exp[1:]
		}
		d, ok := pyDigits(exp)
		if !ok {
			return 0, false
		}
		lit.WriteString("e" + esign + d)
	}
	f, err := strconv.ParseFloat(lit.String(), 64)
	if err != nil && !math.IsInf(f, 0) && f != 0 {
		return 0, false
	}
	return sign * f, true
}
