package pyre

import (
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// Python's classes in .NET syntax: Python's \s also matches
// U+001C..U+001F, and its word characters (\w, \b) are letters, numbers
// and "_", where .NET adds combining marks and connector punctuation.
const (
	Space = `[\s\x1c-\x1f]`
	Word  = `[\p{L}\p{N}_]`
	B     = `(?:(?<=` + Word + `)(?!` + Word + `)|(?<!` + Word + `)(?=` + Word + `))`
	NotB  = `(?:(?<=` + Word + `)(?=` + Word + `)|(?<!` + Word + `)(?!` + Word + `))`
)

// Timeout bounds one match of a pattern that comes with the data, whose
// backtracking could otherwise run for ever.
const Timeout = 2 * time.Second

// Compile compiles a Python pattern with opt (regexp2.IgnoreCase, ...) and
// the Timeout.
func Compile(pattern string, opt regexp2.RegexOptions) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(Translate(pattern), opt)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = Timeout
	return re, nil
}

// Translate rewrites a Python regular expression for regexp2 so that
// it means what it means in Python: \s, \S, \w, \W, \b and \B get
// Python's classes (whitespace with U+001C..U+001F; word characters are
// letters, numbers and "_"), and (?P<name>...) and (?P=name) become .NET's
// (?<name>...) and \k<name>.
func Translate(pattern string) string {
	var b strings.Builder
	inClass, classStart := false, 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			e := pattern[i]
			switch {
			case e == 's' && inClass:
				b.WriteString(`\s\x1c-\x1f`)
			case e == 's':
				b.WriteString(Space)
			case e == 'S' && !inClass:
				b.WriteString(`[^\s\x1c-\x1f]`)
			case e == 'w' && inClass:
				b.WriteString(`\p{L}\p{N}_`)
			case e == 'w':
				b.WriteString(Word)
			case e == 'W' && !inClass:
				b.WriteString(`[^\p{L}\p{N}_]`)
			case e == 'b' && !inClass:
				b.WriteString(B)
			case e == 'B' && !inClass:
				b.WriteString(NotB)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		case c == '[' && !inClass:
			inClass, classStart = true, i
		case c == ']' && inClass:
			// Python takes a ] right after [ or [^ literally.
			if i != classStart+1 && !(i == classStart+2 && pattern[classStart+1] == '^') {
				inClass = false
			}
		case !inClass && strings.HasPrefix(pattern[i:], "(?P<"):
			b.WriteString("(?<")
			i += len("(?P<") - 1
			continue
		case !inClass && strings.HasPrefix(pattern[i:], "(?P="):
			if end := strings.IndexByte(pattern[i:], ')'); end > 0 {
				b.WriteString(`\k<` + pattern[i+4:i+end] + ">")
				i += end
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
