package ifeval

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/neurosnap/sentences"
	"github.com/neurosnap/sentences/data"
)

// Punkt is NLTK's Punkt sentence tokenizer with its English parameters
// (tokenizers/punkt/english.pickle, which punkt_tab/english carries too):
// neurosnap/sentences decides, with those parameters, whether a candidate
// break is a sentence break (its port of Punkt's word tokenizer and of both
// annotation passes), and the candidates, their contexts and the spans are
// NLTK's PunktSentenceTokenizer.span_tokenize's: every ".", "?" or "!"
// followed by punctuation or by whitespace and a token is a candidate; the
// whitespace between two sentences belongs to neither; closing quotes and
// brackets after a break are moved to the sentence before; no sentence is
// empty.
func Punkt(text string) []string {
	var out []string
	for _, sp := range punktSpans(text) {
		out = append(out, text[sp[0]:sp[1]])
	}
	return out
}

func punktSpans(text string) [][2]int {
	tok := punkt()
	if tok == nil {
		return nil
	}
	var slices [][2]int
	lastBreak := 0
	for _, c := range endContexts(text) {
		if !containsSentBreak(tok, c.context) {
			continue
		}
		slices = append(slices, [2]int{lastBreak, c.end})
		if c.nextTok >= 0 {
			lastBreak = c.nextTok
		} else {
			lastBreak = c.end
		}
	}
	slices = append(slices, [2]int{lastBreak, len(strings.TrimRightFunc(text, isSpace))})
	return realignBoundaries(text, slices)
}

// endContext is a candidate sentence break: the end of its punctuation
// mark, where the next token starts (-1 when punctuation follows), and the
// text Punkt annotates to decide.
type endContext struct {
	end, nextTok int
	context      string
}

// isNonWordChar is PunktLanguageVars._re_non_word_chars for English.
func isNonWordChar(c byte) bool { return strings.IndexByte(`)";}]*:@'({[?!`, c) >= 0 }

// endContexts is PunktSentenceTokenizer._match_potential_end_contexts.
func endContexts(text string) []endContext {
	type match struct {
		start, end, nextTok int
		after               string
	}
	var out []endContext
	var prev *match
	prevStart, prevStop := 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '?' && c != '!' {
			continue
		}
		m := &match{start: i, end: i + 1, nextTok: -1}
		rest := text[i+1:]
		if rest != "" && isNonWordChar(rest[0]) {
			m.after = rest[:1]
		} else {
			tok := strings.TrimLeftFunc(rest, isSpace)
			ws := len(rest) - len(tok)
			if ws == 0 || tok == "" {
				continue
			}
			n := strings.IndexFunc(tok, isSpace)
			if n < 0 {
				n = len(tok)
			}
			m.after, m.nextTok = rest[:ws+n], i+1+ws
		}
		before := text[prevStop:m.start]
		wordStart := strings.LastIndexAny(before, " \t\n\r\v\f")
		if wordStart > 0 {
			wordStart += prevStop + 1
		} else {
			wordStart = prevStart
		}
		if prev != nil && prevStop <= wordStart {
			out = append(out, endContext{prev.end, prev.nextTok, text[prevStart:prevStop] + text[prev.start:prev.end] + prev.after})
		}
		prev, prevStart, prevStop = m, wordStart, m.start
	}
	if prev != nil {
		out = append(out, endContext{prev.end, prev.nextTok, text[prevStart:prevStop] + text[prev.start:prev.end] + prev.after})
	}
	return out
}

// containsSentBreak is PunktSentenceTokenizer.text_contains_sentbreak: some
// token but the last is annotated as ending a sentence. The context is
// split into tokens as NLTK's Punkt does (punktTokens), and annotated by
// neurosnap/sentences with the English parameters.
func containsSentBreak(tok *sentences.DefaultSentenceTokenizer, context string) bool {
	tokens := punktTokens(context)
	if len(tokens) < 2 {
		return false
	}
	found := false
	for _, t := range tok.AnnotateTokens(tokens, tok.Annotations...) {
		if found {
			return true
		}
		// NLTK's first pass breaks after a lone "." (a sentence-end
		// character), which neurosnap/sentences takes for an empty
		// abbreviation; the second pass leaves such a break alone.
		if t.SentBreak || t.Tok == "." {
			found = true
		}
	}
	return false
}

// punktTokens is PunktBaseClass._tokenize_words: each non-blank line split
// by PunktLanguageVars.word_tokenize, the first token of a line marked as
// starting it, and as starting a paragraph after a blank line.
func punktTokens(text string) []*sentences.Token {
	var out []*sentences.Token
	paraStart := false
	for line := range strings.SplitSeq(text, "\n") {
		if pyStrip(line) == "" {
			paraStart = true
			continue
		}
		first := true
		punktWords(line, func(w string) {
			t := sentences.NewToken(w)
			if first {
				t.LineStart, t.ParaStart = true, paraStart
				paraStart, first = false, false
			}
			out = append(out, t)
		})
	}
	return out
}

// punktWords is PunktLanguageVars.word_tokenize for English: the matches
// of (multi-char punctuation | a word that starts with a word-start
// character and ends before whitespace, punctuation or a word-final comma
// | any other non-space character).
func punktWords(line string, yield func(string)) {
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		if isSpace(r) {
			i += size
			continue
		}
		if n := multiCharPunct(line[i:]); n > 0 {
			yield(line[i : i+n])
			i += n
			continue
		}
		if strings.IndexByte("(\"`{[:;&#*@)}]-,", line[i]) < 0 {
			j := i + size
			for j < len(line) && !wordEnds(line, j) {
				r, size := utf8.DecodeRuneInString(line[j:])
				if isSpace(r) {
					break
				}
				j += size
			}
			yield(line[i:j])
			i = j
			continue
		}
		yield(line[i : i+size])
		i += size
	}
}

// wordEnds is the lookahead that ends a Punkt word at line[j:].
func wordEnds(line string, j int) bool {
	if j >= len(line) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(line[j:])
	if isSpace(r) || isNonWordChar(line[j]) || multiCharPunct(line[j:]) > 0 {
		return true
	}
	if line[j] == ',' {
		k := j + 1
		if k >= len(line) {
			return true
		}
		r, _ := utf8.DecodeRuneInString(line[k:])
		return isSpace(r) || isNonWordChar(line[k]) || multiCharPunct(line[k:]) > 0
	}
	return false
}

// multiCharPunct is the length of (?:\-{2,}|\.{2,}|(?:\.\s){2,}\.) at the
// start of s, or 0.
func multiCharPunct(s string) int {
	run := func(c byte) int {
		n := 0
		for n < len(s) && s[n] == c {
			n++
		}
		return n
	}
	if n := run('-'); n >= 2 {
		return n
	}
	if n := run('.'); n >= 2 {
		return n
	}
	// (?:\.\s){2,}\. : greedy pairs, then a final period.
	i, pairs := 0, 0
	var ends []int
	for i < len(s) && s[i] == '.' {
		r, size := utf8.DecodeRuneInString(s[i+1:])
		if size == 0 || !isSpace(r) {
			break
		}
		i += 1 + size
		pairs++
		ends = append(ends, i)
	}
	for k := pairs; k >= 2; k-- {
		if end := ends[k-1]; end < len(s) && s[end] == '.' {
			return end + 1
		}
	}
	return 0
}

// realignBoundaries is PunktSentenceTokenizer._realign_boundaries.
func realignBoundaries(text string, slices [][2]int) [][2]int {
	var out [][2]int
	realign := 0
	for i, s1 := range slices {
		s1[0] += realign
		nonEmpty := s1[0] < s1[1]
		if i == len(slices)-1 {
			if nonEmpty {
				out = append(out, s1)
			}
			continue
		}
		s2 := slices[i+1]
		var next string
		if s2[0] < s2[1] {
			next = text[s2[0]:s2[1]]
		}
		if k, end, ok := boundaryRealignment(next); ok {
			out = append(out, [2]int{s1[0], s2[0] + k})
			realign = end
			continue
		}
		realign = 0
		if nonEmpty {
			out = append(out, s1)
		}
	}
	return out
}

// boundaryRealignment matches ["')\]}]+?(?:\s+|(?=--)|$) (multiline) at the
// start of s: k is the length of the closing marks, end that of the match.
func boundaryRealignment(s string) (k, end int, ok bool) {
	for k = 1; k <= len(s) && strings.IndexByte(`"')]}`, s[k-1]) >= 0; k++ {
		rest := s[k:]
		if t := strings.TrimLeftFunc(rest, isSpace); len(t) < len(rest) {
			return k, k + len(rest) - len(t), true
		}
		if strings.HasPrefix(rest, "--") || rest == "" || rest[0] == '\n' {
			return k, k, true
		}
	}
	return 0, 0, false
}

// CountSentences is instructions_util.count_sentences: the number of
// sentences Punkt finds.
func CountSentences(text string) int { return len(Punkt(text)) }

var punkt = sync.OnceValue(func() *sentences.DefaultSentenceTokenizer {
	b, err := data.Asset("data/english.json")
	if err != nil {
		return nil
	}
	training, err := sentences.LoadTraining(b)
	if err != nil {
		return nil
	}
	return sentences.NewSentenceTokenizer(training)
})

// The regular expressions of instructions_util.split_into_sentences, with
// Python's Unicode \s.
var (
	reSplitPrefixes = regexp.MustCompile(`(Mr|St|Mrs|Ms|Dr)[.]`)
	reSplitWebsites = regexp.MustCompile(`[.](com|net|org|io|gov|edu|me)`)
	reSplitDigits   = regexp.MustCompile(`([0-9])[.]([0-9])`)
	reSplitDots     = regexp.MustCompile(`\.{2,}`)
	reSplitInitial  = regexp.MustCompile(`[` + pySpaceClass + `]([A-Za-z])[.] `)
	reSplitAcronym  = regexp.MustCompile(`([A-Z][.][A-Z][.](?:[A-Z][.])?) ` + splitStarters)
	reSplitABC      = regexp.MustCompile(`([A-Za-z])[.]([A-Za-z])[.]([A-Za-z])[.]`)
	reSplitAB       = regexp.MustCompile(`([A-Za-z])[.]([A-Za-z])[.]`)
	reSplitSuffixSt = regexp.MustCompile(` (Inc|Ltd|Jr|Sr|Co)[.] ` + splitStarters)
	reSplitSuffix   = regexp.MustCompile(` (Inc|Ltd|Jr|Sr|Co)[.]`)
	reSplitLetter   = regexp.MustCompile(` ([A-Za-z])[.]`)
)

const splitStarters = `(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He[` + pySpaceClass + `]|She[` + pySpaceClass + `]|It[` + pySpaceClass + `]|They[` + pySpaceClass + `]|Their[` + pySpaceClass + `]|Our[` + pySpaceClass + `]|We[` + pySpaceClass + `]|But[` + pySpaceClass + `]|However[` + pySpaceClass + `]|That[` + pySpaceClass + `]|This[` + pySpaceClass + `]|Wherever)`

// SplitIntoSentences is instructions_util.split_into_sentences, the
// rule-based splitter (not Punkt) that several checkers use: it protects
// the periods of titles, websites, decimals, ellipses, initials and
// acronyms, then breaks after every ".", "?" and "!".
func SplitIntoSentences(text string) []string {
	text = " " + text + "  "
	text = strings.ReplaceAll(text, "\n", " ")
	// The gates skip a rule that cannot match: Go's regexp has no literal
	// prefix to scan for in most of them.
	if containsAny(text, "Mr.", "St.", "Ms.", "Dr.", "Mrs.") {
		text = reSplitPrefixes.ReplaceAllString(text, "${1}<prd>")
	}
	if containsAny(text, ".com", ".net", ".org", ".io", ".gov", ".edu", ".me") {
		text = reSplitWebsites.ReplaceAllString(text, "<prd>${1}")
	}
	if hasDotBetween(text, isDigitByte, isDigitByte) {
		text = reSplitDigits.ReplaceAllString(text, "${1}<prd>${2}")
	}
	if strings.Contains(text, "..") {
		text = reSplitDots.ReplaceAllStringFunc(text, func(m string) string {
			return strings.Repeat("<prd>", len(m)) + "<stop>"
		})
	}
	if strings.Contains(text, "Ph.D") {
		text = strings.ReplaceAll(text, "Ph.D.", "Ph<prd>D<prd>")
	}
	letterDot := hasDotBetween(text, isASCIILetter, func(byte) bool { return true })
	if letterDot && hasSingleLetterDot(text) {
		text = reSplitInitial.ReplaceAllString(text, " ${1}<prd> ")
	}
	if letterDot && hasLetterDotLetterDot(text) {
		text = reSplitAcronym.ReplaceAllString(text, "${1}<stop> ${2}")
		text = reSplitABC.ReplaceAllString(text, "${1}<prd>${2}<prd>${3}<prd>")
		text = reSplitAB.ReplaceAllString(text, "${1}<prd>${2}<prd>")
	}
	if containsAny(text, "Inc.", "Ltd.", "Jr.", "Sr.", "Co.") {
		text = reSplitSuffixSt.ReplaceAllString(text, " ${1}<stop> ${2}")
		text = reSplitSuffix.ReplaceAllString(text, " ${1}<prd>")
	}
	if letterDot && hasSingleLetterDot(text) {
		text = reSplitLetter.ReplaceAllString(text, " ${1}<prd>")
	}
	text = strings.ReplaceAll(text, ".”", "”.")
	text = strings.ReplaceAll(text, `."`, `".`)
	text = strings.ReplaceAll(text, `!"`, `"!`)
	text = strings.ReplaceAll(text, `?"`, `"?`)
	text = strings.ReplaceAll(text, ".", ".<stop>")
	text = strings.ReplaceAll(text, "?", "?<stop>")
	text = strings.ReplaceAll(text, "!", "!<stop>")
	text = strings.ReplaceAll(text, "<prd>", ".")
	out := strings.Split(text, "<stop>")
	for i, s := range out {
		out[i] = pyStrip(s)
	}
	if n := len(out); n > 0 && out[n-1] == "" {
		out = out[:n-1]
	}
	return out
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// hasLetterDotLetterDot reports whether s has "X.Y." with ASCII letters,
// which the acronym rules need.
func hasLetterDotLetterDot(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if s[i+1] == '.' && s[i+3] == '.' && isASCIILetter(s[i]) && isASCIILetter(s[i+2]) {
			return true
		}
	}
	return false
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// hasDotBetween reports whether some "." of s follows a byte before and
// precedes a byte after; the rules it gates need such a period.
func hasDotBetween(s string, before, after func(byte) bool) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && before(s[i-1]) && after(s[i+1]) {
			return true
		}
	}
	return false
}

// hasSingleLetterDot reports whether s may have a one-letter word followed
// by "." (after whitespace), which the initial and letter rules need.
func hasSingleLetterDot(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i+1] == '.' && isASCIILetter(s[i]) {
			if c := s[i-1]; c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c >= 0x80 {
				return true
			}
		}
	}
	return false
}
