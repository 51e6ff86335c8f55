package code_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/code"
)

// extractLines is LiveCodeBench's extract_code for OpenAIChat, line for
// line: the reference the fuzz target holds Extract to.
func extractLines(answer string) string {
	lines := strings.Split(answer, "\n")
	var fences []int
	for i, l := range lines {
		if strings.Contains(l, "```") {
			fences = append(fences, i)
		}
	}
	if len(fences) < 2 {
		return ""
	}
	return strings.Join(lines[fences[len(fences)-2]+1:fences[len(fences)-1]], "\n")
}

func TestExtract(t *testing.T) {
	cases := []struct{ name, answer, want string }{
		{"one block", "```python\nprint(1)\n```", "print(1)"},
		{"prose around", "Here:\n```python\nx = 1\nprint(x)\n```\nDone.", "x = 1\nprint(x)"},
		{"last block wins", "```python\na\n```\ntext\n```python\nb\n```", "b"},
		{"no fence", "print(1)", ""},
		{"one fence", "```python\nprint(1)", ""},
		{"adjacent fences", "```\n```", ""},
		{"empty line inside", "```\n\n```", ""},
		{"language not checked", "```text\nhello\n```", "hello"},
		{"fence inside a line", "see ```this``` and\ncode\nend ``` here", "code"},
		{"unclosed last block takes the previous pair", "```python\na\n```\nprose\n```python\nb", "prose"},
		{"CRLF kept", "```python\r\nprint(1)\r\n```\r\n", "print(1)\r"},
		{"fence at the end without newline", "```\nx\n```", "x"},
		{"blank lines kept", "```\n\nx\n\n```", "\nx\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, code.Extract(c.answer))
			require.Equal(t, extractLines(c.answer), code.Extract(c.answer))
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"", "```", "```\n```", "a\n```py\nb\n```\nc", "``\n`\n```\n\n```", "\n\n```\n", "```x```\n```"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := code.Extract(s)
		if want := extractLines(s); got != want {
			t.Fatalf("Extract(%q) = %q, LiveCodeBench gives %q", s, got, want)
		}
		if got != "" && !strings.Contains(s, got) {
			t.Fatalf("Extract(%q) = %q, not a part of the answer", s, got)
		}
	})
}

func ExampleExtract() {
	answer := "Read n, print its square.\n\n```python\nn = int(input())\nprint(n * n)\n```\n"
	fmt.Println(code.Extract(answer))
	fmt.Printf("%q\n", code.Extract("no code here"))
	// Output:
	// n = int(input())
	// print(n * n)
	// ""
}
