package ifeval

import (
	"errors"

	"github.com/dlclark/regexp2"
	"strings"
	"unicode/utf8"
)

// ---- length

func buildNumberSentences(a *args) checkFunc {
	n := a.count("num_sentences")
	less := a.relation("relation")
	return func(s string) (bool, error) { return compare(CountSentences(s), less, n), nil }
}

func buildNumberWords(a *args) checkFunc {
	n := a.count("num_words")
	less := a.relation("relation")
	return func(s string) (bool, error) { return compare(countWords(s), less, n), nil }
}

// splitMarkdownDivider is re.split(r"\s?\*\*\*\s?", s).
func splitMarkdownDivider(s string) []string {
	var parts []string
	last := 0
	for i := 0; i < len(s); {
		start, j := i, i
		r, size := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) && strings.HasPrefix(s[i+size:], "***") {
			j = i + size
		}
		if !strings.HasPrefix(s[j:], "***") {
			i += size
			continue
		}
		end := j + 3
		if r, size := utf8.DecodeRuneInString(s[end:]); size > 0 && isSpace(r) {
			end += size
		}
		parts = append(parts, s[last:start])
		last, i = end, end
	}
	return append(parts, s[last:])
}

// countParagraphs counts the paragraphs of parts as the paragraph checkers
// do: empty first and last parts do not count, and an empty part between
// two others fails the check (ok false).
func countParagraphs(parts []string) (n int, ok bool) {
	n = len(parts)
	for i, p := range parts {
		if pyStrip(p) == "" {
			if i == 0 || i == len(parts)-1 {
				n--
			} else {
				return 0, false
			}
		}
	}
	return n, true
}

// markdownParagraphs is the number of paragraphs between *** dividers, or
// -1 where an empty paragraph fails the check.
func markdownParagraphs(s string) int {
	n, ok := countParagraphs(splitMarkdownDivider(s))
	if !ok {
		return -1
	}
	return n
}

func buildNumberParagraphs(a *args) checkFunc {
	n := a.count("num_paragraphs")
	return func(s string) (bool, error) {
		got := markdownParagraphs(s)
		return got >= 0 && float64(got) == n, nil
	}
}

func checkParagraphs2(s string) bool {
	n, ok := countParagraphs(strings.Split(s, "\n\n"))
	return ok && n == 2
}

func buildNthParagraphFirstWord(a *args) checkFunc {
	num := a.count("num_paragraphs")
	nthN, ok := a.num("nth_paragraph")
	if a.err == nil && (!ok || nthN.f <= 0 || nthN.f > num) {
		a.unset("nth_paragraph")
	}
	nth := a.index("nth_paragraph", nthN)
	first, ok := a.str("first_word")
	if a.err == nil && !ok {
		a.unset("first_word")
	}
	first = pyLower(first)
	if a.err != nil {
		return nil
	}
	return func(s string) (bool, error) {
		paragraphs := strings.Split(s, "\n\n")
		count := len(paragraphs)
		for _, p := range paragraphs {
			if pyStrip(p) == "" {
				count--
			}
		}
		if nth > count {
			return false, nil
		}
		p := pyStrip(paragraphs[nth-1])
		if p == "" {
			return false, nil
		}
		word, _ := pyFirstField(p)
		word = strings.TrimLeft(word, "'")
		word = strings.TrimLeft(word, `"`)
		var b strings.Builder
		for _, r := range word {
			if strings.ContainsRune(`.,?!'"`, r) {
				break
			}
			b.WriteString(pyLower(string(r)))
		}
		return float64(count) == num && b.String() == first, nil
	}
}

// ---- content

func buildPlaceholders(a *args) checkFunc {
	n := a.count("num_placeholders")
	return func(s string) (bool, error) { return float64(countPlaceholders(s)) >= n, nil }
}

// countPlaceholders is len(re.findall(r"\[.*?\]", s)).
func countPlaceholders(s string) int {
	n := 0
	for i := 0; i < len(s); {
		open := strings.IndexByte(s[i:], '[')
		if open < 0 {
			break
		}
		open += i
		rest := s[open+1:]
		end := strings.IndexAny(rest, "]\n")
		if end >= 0 && rest[end] == ']' {
			n++
			i = open + 1 + end + 1
			continue
		}
		i = open + 1
	}
	return n
}

var (
	rePostscriptPPS = fixedPattern(`\s*p\.\s?p\.\s?s`, regexp2.None)
	rePostscriptPS  = fixedPattern(`\s*p\.\s?s\.`, regexp2.None)
)

func buildPostscript(a *args) checkFunc {
	marker, ok := a.str("postscript_marker")
	if a.err == nil && !ok {
		a.unset("postscript_marker")
	}
	if a.err != nil {
		return nil
	}
	marker = pyStrip(marker)
	var p *pattern
	switch marker {
	case "P.P.S":
		p = rePostscriptPPS
	case "P.S.":
		p = rePostscriptPS
	default:
		// re.findall(r"\s*" + marker.lower() + r".*$", flags=re.M) finds
		// something iff the marker's pattern matches anywhere: \s* may be
		// empty and .*$ always matches.
		var err error
		if p, err = compilePattern(`\s*`+pyLower(marker), false); err != nil {
			return failing(err)
		}
	}
	return func(s string) (bool, error) { return p.search(newText(pyLower(s))) }
}

// ---- format

func buildBulletLists(a *args) checkFunc {
	n := a.count("num_bullets")
	return func(s string) (bool, error) {
		got, err := countBullets(s)
		return err == nil && float64(got) == n, err
	}
}

// countBullets is the number of matches of ^\s*\*[^\*].*$ plus that of
// ^\s*-.*$ (multiline; \s also skips blank lines).
func countBullets(s string) (int, error) {
	return countLineMatches(s, func(rest string) (int, bool) {
		if len(rest) >= 2 && rest[0] == '*' && rest[1] != '*' {
			// [^\*] takes one character, a newline included; .* then
			// runs to the end of that character's line.
			_, size := utf8.DecodeRuneInString(rest[1:])
			return 1 + size, true
		}
		return 0, false
	}) + countLineMatches(s, func(rest string) (int, bool) {
		return 1, rest != "" && rest[0] == '-'
	}), nil
}

// countLineMatches counts the non-overlapping matches of ^\s*X.*$ in
// multiline mode, where head matches X at the start of rest and says how
// long it is.
func countLineMatches(s string, head func(rest string) (int, bool)) int {
	n := 0
	for p := 0; p <= len(s); {
		q := p + len(s[p:]) - len(strings.TrimLeftFunc(s[p:], isSpace))
		if size, ok := head(s[q:]); ok {
			n++
			end := q + size
			if nl := strings.IndexByte(s[end:], '\n'); nl >= 0 {
				end += nl
			} else {
				end = len(s)
			}
			p = end
			if p < len(s) {
				p++ // the next ^ is after this line's newline
			} else {
				break
			}
			continue
		}
		nl := strings.IndexByte(s[p:], '\n')
		if nl < 0 {
			break
		}
		p += nl + 1
	}
	return n
}

func buildConstrainedResponse(a *args) checkFunc {
	return func(s string) (bool, error) {
		s = pyStrip(s)
		for _, opt := range []string{"My answer is yes.", "My answer is no.", "My answer is maybe."} {
			if strings.Contains(s, opt) {
				return true, nil
			}
		}
		return false, nil
	}
}

func buildHighlights(a *args) checkFunc {
	n := a.count("num_highlights")
	return func(s string) (bool, error) { return float64(countHighlights(s)) >= n, nil }
}

// countHighlights counts the non-blank matches of \*[^\n\*]*\* and of
// \*\*[^\n\*]*\*\*.
func countHighlights(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] != '*' {
			i++
			continue
		}
		end := strings.IndexAny(s[i+1:], "*\n")
		if end < 0 || s[i+1+end] != '*' {
			i++
			continue
		}
		if pyStrip(strings.Trim(s[i:i+end+2], "*")) != "" {
			n++
		}
		i += end + 2
	}
	for i := 0; i+1 < len(s); {
		if s[i] != '*' || s[i+1] != '*' {
			i++
			continue
		}
		end := strings.IndexAny(s[i+2:], "*\n")
		if end < 0 || !strings.HasPrefix(s[i+2+end:], "**") {
			i++
			continue
		}
		if pyStrip(s[i+2:i+2+end]) != "" {
			n++
		}
		i += end + 4
	}
	return n
}

func buildSections(a *args) checkFunc {
	splitter, ok := a.str("section_spliter")
	if a.err == nil && !ok {
		a.unset("section_spliter")
	}
	n := a.count("num_sections")
	if a.err != nil {
		return nil
	}
	p, err := compilePattern(`\s?`+pyStrip(splitter)+`\s?\d+\s?`, false)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		got, err := p.count(newText(s))
		return err == nil && float64(got) >= n, err
	}
}

// checkJSON is JsonFormat: the response, less a Markdown code fence, is
// one JSON value as Python's json.loads reads it.
func checkJSON(s string) bool {
	s = pyStrip(s)
	for _, prefix := range []string{"```json", "```Json", "```JSON", "```"} {
		s = strings.TrimPrefix(s, prefix)
	}
	s = pyStrip(strings.TrimSuffix(s, "```"))
	return pyJSONValid(s)
}

// checkTitle is TitleChecker: some <<title>> on one line that is not blank.
func checkTitle(s string) bool {
	for i := 0; i+1 < len(s); {
		if s[i] != '<' || s[i+1] != '<' {
			i++
			continue
		}
		line := s[i+2:]
		if nl := strings.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		// [^\n]+ is greedy: the match ends at the line's last ">>" that
		// leaves at least one character inside.
		end := strings.LastIndex(line, ">>")
		if end < 1 {
			i++
			continue
		}
		title := strings.TrimRight(strings.TrimLeft(s[i:i+2+end+2], "<"), ">")
		if pyStrip(title) != "" {
			return true
		}
		i += 2 + end + 2
	}
	return false
}

func checkTwoResponses(s string) bool {
	var valid []string
	parts := strings.Split(s, "******")
	for i, p := range parts {
		if pyStrip(p) == "" {
			if i != 0 && i != len(parts)-1 {
				return false
			}
			continue
		}
		valid = append(valid, p)
	}
	return len(valid) == 2 && pyStrip(valid[0]) != pyStrip(valid[1])
}

func buildRepeatPrompt(a *args) checkFunc {
	prompt := a.requiredStr("prompt_to_repeat", false)
	want := pyLower(pyStrip(prompt))
	return func(s string) (bool, error) { return strings.HasPrefix(pyLower(pyStrip(s)), want), nil }
}

func buildCopy(a *args) checkFunc {
	prompt := a.requiredStr("prompt_to_repeat", false)
	want := pyLower(pyStrip(prompt))
	return func(s string) (bool, error) { return pyLower(pyStrip(s)) == want, nil }
}

func buildCopySpanIdx(a *args) checkFunc {
	prompt := a.requiredStr("prompt_to_repeat", false)
	start := a.index("n_start", a.truthyNum("n_start"))
	end := a.index("n_end", a.truthyNum("n_end"))
	want := pyLower(pyStrip(pySlice(prompt, start, end)))
	return func(s string) (bool, error) { return pyLower(pyStrip(s)) == want, nil }
}

func buildCopyingMultiple(a *args) checkFunc {
	prompt := a.requiredStr("prompt_to_repeat", false)
	n := a.truthyNum("N")
	want := pyLower(pyStrip(prompt))
	return func(s string) (bool, error) {
		parts := strings.Split(s, "******")
		if float64(len(parts)) != n.f {
			return false, nil
		}
		for _, p := range parts {
			if pyLower(pyStrip(p)) != want {
				return false, nil
			}
		}
		return true, nil
	}
}

func buildEndChecker(a *args) checkFunc {
	phrase, ok := a.str("end_phrase")
	if a.err == nil && !ok {
		a.unset("end_phrase")
	}
	want := pyLower(pyStrip(phrase))
	return func(s string) (bool, error) {
		return strings.HasSuffix(pyLower(strings.Trim(pyStrip(s), `"`)), want), nil
	}
}

func checkQuotation(s string) bool {
	s = pyStrip(s)
	return len(s) > 1 && s[0] == '"' && s[len(s)-1] == '"'
}

func buildRepeatPhrase(a *args) checkFunc {
	phrase, ok := a.truthyStr("phrase")
	if a.err == nil && !ok {
		a.unset("phrase")
	}
	n := a.truthyNum("small_n")
	if a.err != nil {
		return nil
	}
	ref := pySplit(pyStrip(phrase))
	if len(ref) == 0 {
		return failing(errors.New("IndexError: list index out of range (the phrase is blank)"))
	}
	p, err := regexpPattern(ref[0]+" .*? "+ref[len(ref)-1], regexp2.None)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		var found []string
		m, err := p.re.FindRunesMatch([]rune(s))
		for ; m != nil && err == nil; m, err = p.re.FindNextMatch(m) {
			found = append(found, m.String())
		}
		if err != nil {
			return false, err
		}
		if float64(len(found)) != n.f {
			return false, nil
		}
		differences := 0
		for _, f := range found {
			words := pySplit(f)
			if len(words) != len(ref) {
				return false, nil
			}
			differences = 0
			for i := range words {
				if words[i] != ref[i] {
					differences++
					if differences > 1 {
						return false, nil
					}
				}
			}
		}
		return differences == 1, nil
	}
}

func checkSentenceHyphens(s string) bool {
	gold := SplitIntoSentences(strings.ReplaceAll(s, "-", " "))
	parts := strings.Split(s, "-")
	for i := 0; i < len(parts) && i < len(gold); i++ {
		if pyStrip(parts[i]) != parts[i] || parts[i] != gold[i] {
			return false
		}
	}
	return true
}

func checkSquareBrackets(s string) bool {
	for _, w := range pySplit(s) {
		if !strings.HasPrefix(w, "[") || !strings.HasSuffix(w, "]") {
			return false
		}
	}
	return true
}

func checkBigramWrapping(s string) bool {
	words := pySplit(s)
	for i := 0; i+1 < len(words); i += 2 {
		if !strings.HasPrefix(words[i], "<<") || !strings.HasSuffix(words[i+1], ">>") {
			return false
		}
	}
	return true
}

// ---- first and last words

func buildFirstWordSent(a *args) checkFunc {
	v, present := a.get("first_word")
	if _, isStr := v.(string); present && !isStr {
		// verifiable_instructions compares instead of assigning here, and
		// then reads an attribute it never set.
		a.fail("first_word", errors.New("AttributeError: a first_word that is not a string is never set"))
		return nil
	}
	word := pyLower(pyStrip(keywordOrUnset(a, "first_word")))
	return func(s string) (bool, error) {
		for _, sentence := range SplitIntoSentences(s) {
			first, ok := pyFirstField(sentence)
			if !ok || pyLower(first) != word {
				return false, nil
			}
		}
		return true, nil
	}
}

func keywordOrUnset(a *args, name string) string {
	s, ok := a.truthyStr(name)
	if a.err == nil && !ok {
		a.unset(name)
	}
	return s
}

func buildFirstWordAnswer(a *args) checkFunc {
	word := pyLower(pyStrip(keywordOrUnset(a, "first_word")))
	return func(s string) (bool, error) {
		first, ok := pyFirstField(s)
		return ok && pyLower(first) == word, nil
	}
}

func buildLastWordSent(a *args) checkFunc {
	w, ok := a.firstStr("last_word")
	if a.err == nil && !ok {
		a.unset("last_word")
	}
	word := pyLower(pyStrip(w))
	return func(s string) (bool, error) {
		for _, sentence := range SplitIntoSentences(s) {
			last, ok := pyLastField(sentence)
			if !ok || pyLower(removeNonWordSpace(last)) != word {
				return false, nil
			}
		}
		return true, nil
	}
}

func buildLastWordAnswer(a *args) checkFunc {
	word := pyLower(pyStrip(keywordOrUnset(a, "last_word")))
	return func(s string) (bool, error) {
		last, ok := pyLastField(s)
		if !ok {
			return false, errors.New("IndexError: list index out of range (the response has no words)")
		}
		return pyLower(removeNonWordSpace(last)) == word, nil
	}
}

// ---- case

func buildCapitalWordFrequency(a *args) checkFunc {
	n, ok := a.num("capital_frequency")
	if a.err == nil && !ok {
		a.unset("capital_frequency")
	}
	less := a.relation("capital_relation")
	return func(s string) (bool, error) {
		count := 0
		for _, w := range WordTokenize(s) {
			if pyIsUpper(w) {
				count++
			}
		}
		return compare(count, less, n.f), nil
	}
}

func checkEnglishCapital(s string) bool {
	if !pyIsUpper(s) {
		return false
	}
	lang, ok := DetectLanguage(s)
	return !ok || lang == "en"
}

func checkEnglishLowercase(s string) bool {
	if !pyIsLower(s) {
		return false
	}
	lang, ok := DetectLanguage(s)
	return !ok || lang == "en"
}

func buildResponseLanguage(a *args) checkFunc {
	lang, ok := a.str("language")
	if a.err == nil && !ok {
		a.unset("language")
	}
	if a.err != nil {
		return nil
	}
	if _, known := ifevalLanguages[lang]; !known {
		a.fail("language", errors.New("KeyError: not one of the languages verifiable_instructions describes (LANGUAGE_CODES)"))
		return nil
	}
	return func(s string) (bool, error) {
		got, ok := DetectLanguage(s)
		return !ok || got == lang, nil
	}
}

// ---- counting

func buildLowercaseCounting(a *args) checkFunc {
	n := a.truthyNum("N")
	return func(s string) (bool, error) {
		count := 0
		wordRuns(s, func(w string) bool {
			if isASCIILower(w) {
				count++
			}
			return true
		})
		return float64(count) <= n.f, nil
	}
}

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

func buildLetterCounting(a *args) checkFunc {
	n := a.truthyNum("N")
	rel, ok := a.truthyStr("relation")
	if a.err == nil && !ok {
		a.unset("relation")
	}
	return func(s string) (bool, error) {
		count := 0
		for i := 0; i < len(s); i++ {
			if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
				count++
			}
		}
		switch rel {
		case relAtLeast:
			return float64(count) >= n.f, nil
		case relLessThan:
			return float64(count) < n.f, nil
		}
		return false, nil // any other relation: check_following returns None
	}
}

func buildCountingComposition(a *args) checkFunc {
	nSent := a.truthyNum("n_sent")
	nWords := a.truthyNum("n_words")
	return func(s string) (bool, error) {
		parts := splitMarkdownDivider(s)
		count := len(parts)
		for i, p := range parts {
			if pyStrip(p) == "" {
				if i != 0 && i != len(parts)-1 {
					return false, nil
				}
				count--
			}
			sentences := SplitIntoSentences(p)
			if float64(len(sentences)) != nSent.f {
				return false, nil
			}
			for _, sentence := range sentences {
				if float64(len(WordTokenize(sentence))) != nWords.f {
					return false, nil
				}
			}
		}
		return count == 3, nil
	}
}

func checkCountUnique(s string) bool {
	words := WordTokenize(s)
	seen := make(map[string]struct{}, len(words))
	for _, w := range words {
		if _, dup := seen[w]; dup {
			return false
		}
		seen[w] = struct{}{}
	}
	return true
}
