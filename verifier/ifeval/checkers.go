package ifeval

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// registry is verifiable_instructions' INSTRUCTION_DICT: each id, the
// arguments its build_description takes, and its check_following.
var registry = map[string]builder{
	"keywords:existence":                            {[]string{"keywords"}, buildKeywordExistence},
	"keywords:frequency":                            {[]string{"keyword", "frequency", "relation"}, buildKeywordFrequency},
	"keywords:forbidden_words":                      {[]string{"forbidden_words"}, buildForbiddenWords},
	"keywords:letter_frequency":                     {[]string{"letter", "let_frequency", "let_relation"}, buildLetterFrequency},
	"language:response_language":                    {[]string{"language"}, buildResponseLanguage},
	"length_constraints:number_sentences":           {[]string{"num_sentences", "relation"}, buildNumberSentences},
	"length_constraints:number_paragraphs":          {[]string{"num_paragraphs"}, buildNumberParagraphs},
	"length_constraints:number_words":               {[]string{"num_words", "relation"}, buildNumberWords},
	"length_constraints:nth_paragraph_first_word":   {[]string{"num_paragraphs", "nth_paragraph", "first_word"}, buildNthParagraphFirstWord},
	"detectable_content:number_placeholders":        {[]string{"num_placeholders"}, buildPlaceholders},
	"detectable_content:postscript":                 {[]string{"postscript_marker"}, buildPostscript},
	"detectable_format:number_bullet_lists":         {[]string{"num_bullets"}, buildBulletLists},
	"detectable_format:constrained_response":        {nil, buildConstrainedResponse},
	"detectable_format:number_highlighted_sections": {[]string{"num_highlights"}, buildHighlights},
	"detectable_format:multiple_sections":           {[]string{"section_spliter", "num_sections"}, buildSections},
	"detectable_format:json_format":                 {nil, plain(checkJSON)},
	"detectable_format:title":                       {nil, plain(checkTitle)},
	"combination:two_responses":                     {nil, plain(checkTwoResponses)},
	"combination:repeat_prompt":                     {[]string{"prompt_to_repeat"}, buildRepeatPrompt},
	"startend:end_checker":                          {[]string{"end_phrase"}, buildEndChecker},
	"change_case:capital_word_frequency":            {[]string{"capital_frequency", "capital_relation"}, buildCapitalWordFrequency},
	"change_case:english_capital":                   {nil, plain(checkEnglishCapital)},
	"change_case:english_lowercase":                 {nil, plain(checkEnglishLowercase)},
	"punctuation:no_comma":                          {nil, plain(func(s string) bool { return !strings.Contains(s, ",") })},
	"startend:quotation":                            {nil, plain(checkQuotation)},
	"copy:repeat_phrase":                            {[]string{"phrase", "small_n"}, buildRepeatPhrase},
	"copy:copy":                                     {[]string{"prompt_to_repeat"}, buildCopy},
	"new:copy_span_idx":                             {[]string{"prompt_to_repeat", "n_start", "n_end"}, buildCopySpanIdx},
	"detectable_format:sentence_hyphens":            {nil, plain(checkSentenceHyphens)},
	"keywords:no_adjacent_consecutive":              {nil, plain(checkNoAdjacentConsecutive)},
	"detectable_format:square_brackets":             {nil, plain(checkSquareBrackets)},
	"keywords:word_once":                            {[]string{"keyword"}, buildWordOnce},
	"keywords:word_count_different_numbers":         {[]string{"keyword", "frequency", "relation"}, buildKeywordFrequency},
	"keywords:exclude_word_harder":                  {[]string{"keyword", "instruction"}, buildExcludeWordHarder},
	"paragraphs:paragraphs":                         {nil, plain(func(s string) bool { return markdownParagraphs(s) == 2 })},
	"paragraphs:paragraphs2":                        {nil, plain(checkParagraphs2)},
	"first_word:first_word_sent":                    {[]string{"first_word"}, buildFirstWordSent},
	"first_word:first_word_answer":                  {[]string{"first_word"}, buildFirstWordAnswer},
	"last_word:last_word_sent":                      {[]string{"last_word"}, buildLastWordSent},
	"last_word:last_word_answer":                    {[]string{"last_word"}, buildLastWordAnswer},
	"detectable_format:bigram_wrapping":             {nil, plain(checkBigramWrapping)},
	"copy:copying_simple":                           {[]string{"prompt_to_repeat"}, buildCopy},
	"copy:copying_multiple":                         {[]string{"prompt_to_repeat", "N"}, buildCopyingMultiple},
	"punctuation:punctuation_dot":                   {nil, plain(func(s string) bool { return !strings.Contains(s, ".") })},
	"punctuation:punctuation_exclamation":           {nil, plain(func(s string) bool { return !strings.Contains(s, "!") })},
	"count:lowercase_counting":                      {[]string{"N"}, buildLowercaseCounting},
	"letters:letter_counting":                       {[]string{"N", "relation"}, buildLetterCounting},
	"letters:letter_counting2":                      {[]string{"letter", "let_frequency", "let_relation"}, buildLetterFrequency},
	"count:counting_composition":                    {[]string{"n_sent", "n_words"}, buildCountingComposition},
	"count:count_unique":                            {nil, plain(checkCountUnique)},
	"count:count_increment_word":                    {[]string{"keyword1", "keyword2"}, buildCountIncrementWord},
	"keywords:palindrome":                           {nil, plain(checkPalindrome)},
	"keywords:keyword_specific_position":            {[]string{"keyword", "n", "m"}, buildKeywordSpecificPosition},
	"keywords:start_end":                            {nil, plain(checkStartEnd)},
}

func plain(f func(string) bool) func(*args) checkFunc {
	return func(*args) checkFunc {
		return func(s string) (bool, error) { return f(s), nil }
	}
}

// compare is the checkers' relation: count < threshold for "less than",
// count >= threshold for "at least".
func compare(count int, lessThan bool, threshold float64) bool {
	if lessThan {
		return float64(count) < threshold
	}
	return float64(count) >= threshold
}

// ---- keywords

func buildKeywordExistence(a *args) checkFunc {
	kws, ok := a.strList("keywords")
	if a.err != nil {
		return nil
	}
	if !ok || len(kws) == 0 {
		a.unset("keywords")
		return nil
	}
	kws = slices.Clone(kws)
	slices.Sort(kws)
	pats, err := compileAll(kws, true)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		t := newText(s)
		for _, p := range pats {
			found, err := p.search(t)
			if err != nil || !found {
				return false, err
			}
		}
		return true, nil
	}
}

func compileAll(exprs []string, ignoreCase bool) ([]*pattern, error) {
	pats := make([]*pattern, len(exprs))
	for i, e := range exprs {
		p, err := compilePattern(e, ignoreCase)
		if err != nil {
			return nil, err
		}
		pats[i] = p
	}
	return pats, nil
}

// failing is a check that raises: Python compiles a keyword's pattern
// when it checks, so a bad pattern is an error of the check, not of the
// instruction's arguments.
func failing(err error) checkFunc {
	return func(string) (bool, error) { return false, err }
}

func keywordArg(a *args, name string) string {
	kw, ok := a.truthyStr(name)
	if a.err == nil && !ok {
		a.unset(name)
	}
	return pyStrip(kw)
}

func buildKeywordFrequency(a *args) checkFunc {
	kw := keywordArg(a, "keyword")
	freq := a.count("frequency")
	less := a.relation("relation")
	if a.err != nil {
		return nil
	}
	p, err := compilePattern(kw, true)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		n, err := p.count(newText(s))
		if err != nil {
			return false, err
		}
		return compare(n, less, freq), nil
	}
}

func buildWordOnce(a *args) checkFunc {
	kw := keywordArg(a, "keyword")
	if a.err != nil {
		return nil
	}
	p, err := compilePattern(kw, true)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		n, err := p.count(newText(s))
		return err == nil && n == 1, err
	}
}

func buildCountIncrementWord(a *args) checkFunc {
	// "if not keyword1" draws a list of one random word, which re.findall
	// then rejects: an unset keyword always raises in Python.
	k1, ok1 := a.truthyStr("keyword1")
	k2, ok2 := a.truthyStr("keyword2")
	if a.err != nil {
		return nil
	}
	if !ok1 || !ok2 {
		return failing(errors.New("TypeError: first argument must be string or compiled pattern (keyword1 and keyword2 must be set)"))
	}
	p1, err := compilePattern(pyStrip(k1), true)
	if err != nil {
		return failing(err)
	}
	p2, err := compilePattern(pyStrip(k2), true)
	if err != nil {
		return failing(err)
	}
	return func(s string) (bool, error) {
		t := newText(s)
		n1, err := p1.count(t)
		if err != nil {
			return false, err
		}
		n2, err := p2.count(t)
		if err != nil {
			return false, err
		}
		return n1 == 1 && n2 == 2, nil
	}
}

func buildForbiddenWords(a *args) checkFunc {
	words, ok := a.strList("forbidden_words")
	if a.err != nil {
		return nil
	}
	if !ok || len(words) == 0 {
		a.unset("forbidden_words")
		return nil
	}
	words = slices.Clone(words)
	slices.Sort(words)
	words = slices.Compact(words)
	pats := make([]*pattern, len(words))
	for i, w := range words {
		p, err := wordPattern(w)
		if err != nil {
			return failing(err)
		}
		pats[i] = p
	}
	return func(s string) (bool, error) {
		t := newText(s)
		for _, p := range pats {
			found, err := p.search(t)
			if err != nil {
				return false, err
			}
			if found {
				return false, nil
			}
		}
		return true, nil
	}
}

func buildLetterFrequency(a *args) checkFunc {
	letter, ok := a.str("letter")
	if a.err != nil {
		return nil
	}
	l := strings.ToLower(letter)
	if !ok || utf8.RuneCountInString(letter) != 1 || len(l) != 1 || l[0] < 'a' || l[0] > 'z' {
		// verifiable_instructions replaces a missing, long or non-ASCII
		// letter with a random one.
		a.unset("letter")
		return nil
	}
	freq := a.count("let_frequency")
	less := a.relation("let_relation")
	if a.err != nil {
		return nil
	}
	want := rune(l[0])
	return func(s string) (bool, error) {
		n := 0
		for _, r := range strings.ToLower(s) {
			if r == want {
				n++
			}
		}
		return compare(n, less, freq), nil
	}
}

func buildExcludeWordHarder(a *args) checkFunc {
	kw, ok := a.truthyStr("keyword")
	if a.err != nil {
		return nil
	}
	if !ok {
		// A word drawn at random from the instruction's text.
		a.unset("keyword")
		return nil
	}
	needle := " " + pyStrip(kw) + " "
	return func(s string) (bool, error) { return !strings.Contains(s, needle), nil }
}

func checkPalindrome(s string) bool {
	for _, w := range pySplit(s) {
		rs := []rune(w)
		if isPalindrome(rs) {
			return true
		}
	}
	return false
}

func isPalindrome(rs []rune) bool {
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		if rs[i] != rs[j] {
			return false
		}
	}
	return true
}

func buildKeywordSpecificPosition(a *args) checkFunc {
	kw, ok := a.firstStr("keyword")
	if a.err == nil && !ok {
		a.unset("keyword")
	}
	kw = pyStrip(kw)
	n := a.index("n", a.truthyNum("n"))
	m := a.index("m", a.truthyNum("m"))
	if a.err != nil {
		return nil
	}
	return func(s string) (bool, error) {
		sentences := SplitIntoSentences(s)
		if len(sentences) < n {
			return false, nil
		}
		i, ok := pyIndex(n-1, len(sentences))
		if !ok {
			return false, errors.New("IndexError: list index out of range")
		}
		words := WordTokenize(sentences[i])
		if len(words) < m {
			return false, nil
		}
		j, ok := pyIndex(m-1, len(words))
		if !ok {
			return false, errors.New("IndexError: list index out of range")
		}
		return words[j] == kw, nil
	}
}

func checkStartEnd(s string) bool {
	words := WordTokenize(s)
	return len(words) >= 2 && pyLower(words[0]) == pyLower(words[len(words)-1])
}

func checkNoAdjacentConsecutive(s string) bool {
	words := pySplit(s)
	for i := 0; i+1 < len(words); i++ {
		a, b := firstLower(words[i]), firstLower(words[i+1])
		if utf8.RuneCountInString(a) != 1 || utf8.RuneCountInString(b) != 1 {
			return false
		}
		ra, _ := utf8.DecodeRuneInString(a)
		rb, _ := utf8.DecodeRuneInString(b)
		if rb-ra == 1 {
			return false
		}
	}
	return true
}

// firstLower is word[0].lower(): the first code point, lower-cased.
func firstLower(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if r == 0x130 { // Python lower-cases İ to "i̇", two code points
		return "i\u0307"
	}
	return strings.ToLower(w[:n])
}
