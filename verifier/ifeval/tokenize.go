package ifeval

import (
	"strings"

	"github.com/dlclark/regexp2"
)

// pySpace2 is re's \s as a class body for regexp2, whose \x takes two hex
// digits.
const pySpace2 = `\t\n\v\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`

// Python's \w and \b, which regexp2 (.NET) defines differently: .NET counts
// combining marks and every connector punctuation as word characters,
// Python counts letters, numbers and "_".
const (
	pyW = `[\p{L}\p{N}_]`
	pyB = `(?:(?<=` + pyW + `)(?!` + pyW + `)|(?<!` + pyW + `)(?=` + pyW + `))`
)

type subst struct {
	re   *regexp2.Regexp
	repl string // .NET substitution syntax: $1, $0
}

func sub(pattern, repl string) subst {
	pattern = strings.NewReplacer(`\w`, pyW, `\b`, pyB, `\s`, `[`+pySpace2+`]`).Replace(pattern)
	return subst{regexp2.MustCompile(pattern, regexp2.None), repl}
}

// The rules of NLTK's NLTKWordTokenizer (the improved Treebank tokenizer
// behind nltk.word_tokenize), in its order.
var (
	startingQuotes = []subst{
		sub("([«“‘„]|[`]+)", " $1 "),
		sub(`^"`, "``"),
		sub("(``)", " $1 "),
		sub(`([ \(\[{<])("|'{2})`, "$1 `` "),
		sub(`(?i)(')(?!re|ve|ll|m|t|s|d|n)(\w)\b`, "$1 $2"),
	}
	punctuation = []subst{
		sub(`([^\.])(\.)([\]\)}>"'»”’ ]*)\s*$`, "$1 $2 $3 "),
		sub(`([:,])([^\d])`, " $1 $2"),
		sub(`([:,])$`, " $1 "),
		sub(`\.{2,}`, " $0 "),
		sub(`[;@#$%&]`, " $0 "),
		sub(`([^\.])(\.)([\]\)}>"']*)\s*$`, "$1 $2$3 "),
		sub(`[?!]`, " $0 "),
		sub(`([^'])' `, "$1 ' "),
		sub(`[*]`, " $0 "),
		sub(`[\]\[\(\)\{\}\<\>]`, " $0 "), // parentheses and brackets
		sub(`--`, " -- "),                 // double dashes
	}
	endingQuotes = []subst{
		sub(`([»”’])`, " $1 "),
		sub(`''`, " '' "),
		sub(`"`, " '' "),
		sub(`([^' ])('[sS]|'[mM]|'[dD]|') `, "$1 $2 "),
		sub(`([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) `, "$1 $2 "),
	}
	contractions = []subst{
		sub(`(?i)\b(can)(?#X)(not)\b`, " $1 $2 "),
		sub(`(?i)\b(d)(?#X)('ye)\b`, " $1 $2 "),
		sub(`(?i)\b(gim)(?#X)(me)\b`, " $1 $2 "),
		sub(`(?i)\b(gon)(?#X)(na)\b`, " $1 $2 "),
		sub(`(?i)\b(got)(?#X)(ta)\b`, " $1 $2 "),
		sub(`(?i)\b(lem)(?#X)(me)\b`, " $1 $2 "),
		sub(`(?i)\b(more)(?#X)('n)\b`, " $1 $2 "),
		sub(`(?i)\b(wan)(?#X)(na)(?=\s)`, " $1 $2 "),
		sub(`(?i) ('t)(?#X)(is)\b`, " $1 $2 "),
		sub(`(?i) ('t)(?#X)(was)\b`, " $1 $2 "),
	}
)

// TreebankTokenize is NLTK's NLTKWordTokenizer.tokenize on one sentence.
func TreebankTokenize(sentence string) []string {
	text := sentence
	apply := func(rules []subst) {
		for _, r := range rules {
			if out, err := r.re.Replace(text, r.repl, -1, -1); err == nil {
				text = out
			}
		}
	}
	apply(startingQuotes)
	apply(punctuation)
	text = " " + text + " "
	apply(endingQuotes)
	apply(contractions)
	return pySplit(text)
}

// WordTokenize is nltk.word_tokenize: Punkt splits the text into
// sentences, and the Treebank rules split each into words.
func WordTokenize(text string) []string {
	var words []string
	for _, s := range Punkt(text) {
		words = append(words, TreebankTokenize(s)...)
	}
	return words
}
