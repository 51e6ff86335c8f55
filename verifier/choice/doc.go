// Package choice grades multiple-choice answers as NeMo Gym's mcqa
// environment does: it extracts the answer letter from a response's text
// in one of four grading modes, or with a dataset's own patterns.
//
//	opts, _ := choice.ParseOptions([]byte(`[{"A": "Karyotyping"}, {"B": "PCR"}]`))
//	letter, err := choice.Extract(`... so the answer is \boxed{B}`, choice.StrictBoxed, opts)
//	// letter == "B"
//
// The parts are usable alone: LastBoxed (the inside of the last
// \boxed{...}, braces counted), StripText (\text{...} wrappers),
// BoxedLetter, AnswerColon and AnswerPayloads ("Answer: X" lines, plain or
// with Markdown emphasis), ChoiceLetter (one letter out of an answer
// payload, rejecting lists such as "A/B") and ExtractRegex (a dataset's
// Python patterns, last match wins).
//
// The four modes and ExtractRegex were compared with NeMo Gym's own
// functions (app.py, run by CPython) on 12,000 generated answers mixing
// boxes, \text{} wrappers, "Answer:" lines, Markdown, lists of letters,
// localized letters and Unicode whitespace: every extracted letter agreed.
//
// The patterns are NeMo Gym's, run by regexp2 (lookaround is needed) with
// Python's semantics kept where .NET's differ: Python's \s also matches
// U+001C..U+001F, its word characters (\b) are letters, numbers and "_",
// and re.match / re.fullmatch anchor at the start / both ends. Strings are
// compared as Python compares them: lengths in code points, str.strip and
// str.split whitespace, full upper-case mapping ("ß" is "SS"). Known
// differences from Python: lower-casing does not turn a final capital sigma
// into ς, and a dataset pattern is compiled by regexp2 after
// TranslatePython (Python's \s, \w, \b classes and (?P<name>) groups), so a
// construct only one of the two engines accepts (.NET's balancing groups,
// Python's \Z) is read by regexp2's rules.
package choice
