package workplace

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/gymkit/gym/internal/pyjson"
)

// appendJSON appends v as NeMo Gym's server sends it: FastAPI serializes
// the response model with pydantic-core, which writes compact JSON (no
// spaces), non-ASCII text as UTF-8, NaN and infinities as null, and floats
// the way Rust's ryu does (1.0, 1e16, 1e-7).
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendRyu(b, x)
	case string:
		return appendString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']')
	case *dict:
		b = append(b, '{')
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x.vals[i])
		}
		return append(b, '}')
	}
	return appendString(b, pyStr(v))
}

// appendRyu writes a float as serde_json (ryu) does.
func appendRyu(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	// Shortest round-trip digits and the decimal exponent.
	e := strconv.AppendFloat(nil, f, 'e', -1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		b = append(b, '-')
	}
	var digits []byte
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits = append(digits, e[i])
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	n := len(digits)
	kk := exp + 1 // 10^(kk-1) <= |f| < 10^kk
	k := kk - n   // f = digits × 10^k
	switch {
	case 0 <= k && kk <= 16:
		b = append(b, digits...)
		for range k {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	case 0 < kk && kk <= 16:
		b = append(b, digits[:kk]...)
		b = append(b, '.')
		return append(b, digits[kk:]...)
	case -5 < kk && kk <= 0:
		b = append(b, '0', '.')
		for range -kk {
			b = append(b, '0')
		}
		return append(b, digits...)
	case n == 1:
		b = append(b, digits[0], 'e')
		return strconv.AppendInt(b, int64(kk-1), 10)
	default:
		b = append(b, digits[0], '.')
		b = append(b, digits[1:]...)
		b = append(b, 'e')
		return strconv.AppendInt(b, int64(kk-1), 10)
	}
}

// appendString writes a JSON string as serde_json does: only ", \ and
// control characters are escaped, other text is written as it is. Each
// byte that is not valid UTF-8 is written as U+FFFD itself.
func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // one U+FFFD a bad byte, as serde_json's caller sees it
	}
	return pyjson.AppendString(b, s, false)
}
