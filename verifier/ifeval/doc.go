// Package ifeval implements the verifiable instructions of
// verifiable_instructions (Google's IFEval checkers and the open-instruct
// training constraints), the checkers NeMo Gym's instruction_following
// environment scores with: every id of its INSTRUCTION_DICT (IDs lists
// the 54), with the keyword arguments of each, and its check_following
// semantics.
//
//	in, err := ifeval.New("length_constraints:number_words",
//		map[string]any{"num_words": 100, "relation": "at least"})
//	if err != nil {
//		return err // unknown id, or arguments it cannot be built with
//	}
//	ok, err := in.Check(response)
//
// verifiable_instructions has one mode (IFEval's "loose" variants, which
// strip Markdown and first or last lines before checking, are not part of
// it, nor of NeMo Gym's server).
//
// # Text as Python sees it
//
// The checkers are defined by Python's str methods and re module, which
// this package reproduces on Unicode text: whitespace is str.isspace's
// (U+001C..U+001F included), \w is every letter, number and "_", split()
// drops empty fields, isupper and islower use the Lowercase and Uppercase
// properties, and json_format accepts what json.loads accepts (NaN,
// Infinity, any top-level value; not trailing data).
//
// Keywords, forbidden words, phrases, section splitters and postscript
// markers are regular expressions in verifiable_instructions (a keyword
// "c++" makes the check raise). A keyword without metacharacters is
// matched literally (case-folded rune by rune); any other pattern runs on
// regexp2, whose syntax matches Python's for what keywords use, with a
// one-second limit per search where Python would backtrack indefinitely.
// Inside such patterns \w, \b and \s are .NET's, which differ from
// Python's only on combining marks, connector punctuation other than "_"
// and U+001C..U+001F. Python's own spellings are rewritten for regexp2:
// possessive quantifiers (Python 3.11: a keyword "C++" is C+ possessive),
// (?P<name>...), (?P=name) and {,n}.
//
// # Arguments
//
// New takes the decoded JSON kwargs. Python's rules apply: an argument
// the instruction does not take, a value of the wrong type, or a relation
// other than "less than" and "at least" is an *ArgError. Where
// verifiable_instructions would draw a missing (or null, or negative)
// argument at random, so that NeMo Gym's verdict for that instruction is
// itself random, New returns an *ArgError wrapping ErrUnset instead of
// guessing. Keyword arguments verifiable_instructions requires
// (prompt_to_repeat) are errors when missing.
//
// # Sentences and words
//
// Three splitters are used, as in verifiable_instructions:
//
//   - SplitIntoSentences is instructions_util.split_into_sentences, the
//     rule-based IFEval splitter, reproduced exactly.
//   - Punkt and CountSentences are NLTK's Punkt sentence tokenizer with the
//     English parameters NLTK ships (the abbreviations, collocations,
//     sentence starters and orthographic context of
//     tokenizers/punkt/english, carried by neurosnap/sentences' data). The
//     candidate breaks, their contexts, the spans, the realignment of
//     closing quotes and the splitting of a context into Punkt tokens are
//     NLTK's (span_tokenize, _match_potential_end_contexts,
//     _tokenize_words); whether a candidate is a break is decided by
//     neurosnap/sentences' two annotation passes on those tokens. NLTK's
//     first pass breaks after a lone "." that neurosnap/sentences takes for
//     an abbreviation; that one case is corrected. They would still differ
//     where a lone "." and the word after it form one of the English
//     collocations.
//   - WordTokenize is nltk.word_tokenize: Punkt, then the rules of NLTK's
//     NLTKWordTokenizer (the improved Treebank tokenizer) on each
//     sentence, ported rule for rule (TreebankTokenize).
//
// # Language
//
// DetectLanguage stands in for langdetect.detect (language:response_language,
// change_case:english_capital and change_case:english_lowercase) with
// whatlanggo's trigram detector, restricted to the languages langdetect
// has profiles for and mapped to langdetect's codes (zh-cn for Chinese,
// no for Norwegian). Like langdetect it drops URLs and e-mail addresses
// first, and text with no letters left is undetectable, which the checkers
// count as followed. They may disagree:
//
//   - on short texts (a few words) and on text mixing languages or
//     scripts, where either is unreliable (langdetect is not even
//     deterministic there unless seeded, and verifiable_instructions does
//     not seed it);
//   - on Catalan, Welsh, Slovak, Albanian and Swahili, which whatlanggo
//     does not know: a response in Swahili ("sw", one of the languages
//     response_language asks for) is never detected as such here;
//   - on Chinese, which whatlanggo does not split into zh-cn and zh-tw
//     (response_language cannot ask for Chinese);
//   - on Japanese and Chinese text, where whatlanggo decides by the
//     majority script (kana or Han) and langdetect by n-grams.
//
// On prose of a sentence or more in one language they usually agree, not
// always: whatlanggo takes "Questo è un testo italiano molto semplice." for
// Portuguese.
//
// # spaCy
//
// NeMo Gym's requirements install en_core_web_sm, but no checker of
// verifiable_instructions calls spaCy; nothing here needs a model.
package ifeval
