package code

import "strings"

// Fence is the marker of a Markdown code block.
const Fence = "```"

// Extract returns the code of the last fenced code block in a model's
// answer, as LiveCodeBench's extract_code does for chat models
// (LMStyle.OpenAIChat): the answer is split into lines, the lines that
// contain ``` anywhere are fence lines, and the code is the lines between the
// last two fence lines, joined with "\n". With fewer than two fence lines
// there is no code and Extract returns "".
//
// The rules are LiveCodeBench's, quirks included: the language tag is not
// checked (```text counts), a fence inside a line counts, and a closing fence
// line's own text is dropped. An answer whose last block is left unclosed
// yields the text between the two fences before it, which may be prose.
func Extract(answer string) string {
	last, prev := -1, -1
	for start := 0; ; {
		end := strings.IndexByte(answer[start:], '\n')
		var text string
		if end < 0 {
			text = answer[start:]
		} else {
			text = answer[start : start+end]
		}
		if strings.Contains(text, Fence) {
			prev, last = last, start
		}
		if end < 0 {
			break
		}
		start += end + 1
	}
	if prev < 0 {
		return ""
	}
	// The code runs from the line after the fence line at prev to the line
	// before the one at last.
	from := strings.IndexByte(answer[prev:], '\n') + prev + 1
	if from >= last {
		return "" // the two fence lines are adjacent
	}
	return answer[from : last-1]
}
