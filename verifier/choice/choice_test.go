package choice_test

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/choice"
)

func ExampleExtract() {
	opts, _ := choice.ParseOptions([]byte(`[{"A": "Karyotyping"}, {"B": "Polymerase Chain Reaction (PCR)"}, {"C": "FISH"}]`))
	for _, c := range []struct {
		mode choice.Mode
		text string
	}{
		{choice.StrictBoxed, `... so the answer is \boxed{\text{B}}`},
		{choice.StrictBoxed, "Answer: B"},
		{choice.LenientBoxed, `\boxed{polymerase chain reaction (PCR)}`},
		{choice.LenientAnswerColon, "Answer: fish"},
		{choice.LenientAnswerColonMD, "**Answer:** A or C"},
		{choice.LenientAnswerColonMD, "**Answer:** C, since ..."},
	} {
		letter, _ := choice.Extract(c.text, c.mode, opts)
		fmt.Printf("%s %q -> %q\n", c.mode, c.text, letter)
	}
	// Output:
	// strict_single_letter_boxed "... so the answer is \\boxed{\\text{B}}" -> "B"
	// strict_single_letter_boxed "Answer: B" -> ""
	// lenient_boxed "\\boxed{polymerase chain reaction (PCR)}" -> "B"
	// lenient_answer_colon "Answer: fish" -> "C"
	// lenient_answer_colon_md "**Answer:** A or C" -> ""
	// lenient_answer_colon_md "**Answer:** C, since ..." -> "C"
}

func ExampleLastBoxed() {
	inner, ok := choice.LastBoxed(`first \boxed{A}, then \boxed{\text{E: option}}`)
	fmt.Println(inner, ok, choice.StripText(inner))
	_, ok = choice.LastBoxed(`\boxed{A} and \boxed{B`)
	fmt.Println(ok)
	// Output:
	// \text{E: option} true E: option
	// false
}

func ExampleExtractRegex() {
	opts, _ := choice.ParseOptions([]byte(`[{"A": "yes"}, {"B": "no"}]`))
	letter, _ := choice.ExtractRegex("Option Selected: a ... no, Option Selected: B", []string{`Option Selected:\s*([A-Za-z])`}, opts)
	fmt.Println(letter)
	letter, _ = choice.ExtractRegex("الإجابة: ب", []string{`(`, `الإجابة:\s*([أ-د])`}, opts)
	fmt.Println(letter)
	// Output:
	// B
	// B
}

func ExampleChoiceLetter() {
	letters := map[string]bool{"A": true, "B": true, "C": true, "D": true}
	for _, p := range []string{"B", "**C**", "(D)", "B because C is wrong", "A/B", "B/B", "ｃ"} {
		l, ok := choice.ChoiceLetter(p, letters)
		fmt.Printf("%q %q %v\n", p, l, ok)
	}
	// Output:
	// "B" "B" true
	// "**C**" "C" true
	// "(D)" "D" true
	// "B because C is wrong" "B" true
	// "A/B" "" false
	// "B/B" "B" true
	// "ｃ" "" false
}

func TestParts(t *testing.T) {
	letters := map[string]bool{"A": true, "B": true, "C": true, "D": true, "E": true}
	for _, c := range []struct {
		text, want string
	}{
		{`\boxed{E}`, "E"}, {`\boxed{ (B) }`, "B"}, {`\boxed{\text{ \text{C} }}`, "C"},
		{`\boxed{D) four}`, "D"}, {`\boxed{D - four}`, "D"}, {`\boxed{E. coli}`, "E"},
		{`\boxed{b}`, ""}, {`\boxed{AB}`, ""}, {`\boxed{Z}`, ""}, {`\boxed{}`, ""},
		{`\boxed{A}` + "\n", "A"}, {"\\boxed{\x1cA\x1c: x}", "A"},
	} {
		got, _ := choice.BoxedLetter(c.text, letters)
		require.Equal(t, c.want, got, c.text)
	}
	payloads := choice.AnswerPayloads("answer: A\n**ANSWER**: b\nno\n_Answer_:  *C*")
	require.Equal(t, []string{"A", "b", "*C*"}, payloads)
	p, ok := choice.AnswerColon("The final ANSWER : optC\nmore")
	require.True(t, ok)
	require.Equal(t, "optC", p)
	require.Equal(t, "SS", choice.Gold(" ß "))
	require.Equal(t, "A", choice.Strip("\x1f\u00a0A\u2028"))
	require.Equal(t, "A  B", choice.NormalizeLetters("أ Ｂ"))
}

func TestOptions(t *testing.T) {
	opts, err := choice.ParseOptions([]byte(`[{"A": "x", "b": "y"}, {"C": null}, {"DD": "z"}, {"é": "w"}]`))
	require.NoError(t, err)
	require.Len(t, opts, 5)
	require.Equal(t, map[string]bool{"A": true, "B": true, "É": true}, opts.Letters())
	for _, bad := range []string{`{"A": "x"}`, `[1]`, `[{"A": 1}]`, `"A"`} {
		_, err := choice.ParseOptions([]byte(bad))
		require.Error(t, err, bad)
	}
	opts, err = choice.ParseOptions([]byte(`null`))
	require.NoError(t, err)
	require.Empty(t, opts)
	_, err = choice.Extract("x", "loose", nil)
	require.ErrorContains(t, err, `unknown grading mode "loose"`)
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{`\boxed{\text{E}}`, "Answer: A/B", "**Answer:** B", `\boxed{optA}`, "Answer: optb", `\boxed{{{`, "الإجابة: ب"} {
		f.Add(s, `Answer:\s*([A-Za-z])`)
	}
	opts, _ := choice.ParseOptions([]byte(`[{"A": "optA"}, {"B": "optB"}, {"C": null}]`))
	f.Fuzz(func(t *testing.T, text, pattern string) {
		letters := opts.Letters()
		for _, m := range choice.Modes {
			l, err := choice.Extract(text, m, opts)
			if m != choice.LenientAnswerColon {
				require.NoError(t, err)
			}
			if l != "" && !letters[l] {
				t.Fatalf("mode %s gave %q, not an allowed letter", m, l)
			}
		}
		l, err := choice.ExtractRegex(text, []string{pattern}, opts)
		if err == nil && l != "" && !utf8.ValidString(l) {
			t.Fatalf("invalid letter %q", l)
		}
	})
}

func TestTranslatePython(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`a\sb`, `a[\s\x1c-\x1f]b`},
		{`[\s,]`, `[\s\x1c-\x1f,]`},
		{`(?P<x>\w)(?P=x)`, `(?<x>[\p{L}\p{N}_])\k<x>`},
		{`[]\b]`, `[]\b]`},
		{`\\s`, `\\s`},
	} {
		require.Equal(t, c.out, choice.TranslatePython(c.in), c.in)
	}
	// Python's \s matches the information separators; so does the translation.
	l, err := choice.ExtractRegex("answer\x1c: b", []string{`answer\s*:\s*([a-z])`}, nil)
	require.NoError(t, err)
	require.Equal(t, "B", l)
}
