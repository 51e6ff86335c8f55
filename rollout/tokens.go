package rollout

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gymkit/gym/internal/pyjson"
)

// Fields that carry the token data of a model call on the last output item
// of that call.
const (
	KeyPromptTokenIDs     = "prompt_token_ids"
	KeyGenerationTokenIDs = "generation_token_ids"
	KeyGenerationLogProbs = "generation_log_probs"
)

// Tokens is the token data of one model call: the exact prompt it saw, what
// it generated, and the log-probability of each generated token.
type Tokens struct {
	PromptIDs     []int
	GenerationIDs []int
	LogProbs      []float64 // one per generated token
}

// Tokens returns the token data the item carries, or nil if it has none. It
// is an error for an item to carry some of the three fields but not all, or
// log-probs that do not match the generation.
func (it Item) Tokens() (*Tokens, error) {
	p, hasP := it.Get(KeyPromptTokenIDs)
	g, hasG := it.Get(KeyGenerationTokenIDs)
	l, hasL := it.Get(KeyGenerationLogProbs)
	if !hasP && !hasG && !hasL {
		return nil, nil
	}
	if !hasP || !hasG || !hasL {
		return nil, fmt.Errorf("rollout: item has only some of %s, %s, %s", KeyPromptTokenIDs, KeyGenerationTokenIDs, KeyGenerationLogProbs)
	}
	var t Tokens
	var err error
	if t.PromptIDs, err = ParseInts(p); err != nil {
		return nil, fmt.Errorf("rollout: %s: %w", KeyPromptTokenIDs, err)
	}
	if t.GenerationIDs, err = ParseInts(g); err != nil {
		return nil, fmt.Errorf("rollout: %s: %w", KeyGenerationTokenIDs, err)
	}
	if t.LogProbs, err = ParseFloats(l); err != nil {
		return nil, fmt.Errorf("rollout: %s: %w", KeyGenerationLogProbs, err)
	}
	if len(t.LogProbs) != len(t.GenerationIDs) {
		return nil, fmt.Errorf("rollout: %d generation log-probs for %d generated tokens", len(t.LogProbs), len(t.GenerationIDs))
	}
	return &t, nil
}

// SetTokens attaches t to the item (replacing any token data it had).
func (it *Item) SetTokens(t *Tokens) {
	it.Set(KeyPromptTokenIDs, AppendInts(nil, t.PromptIDs))
	it.Set(KeyGenerationTokenIDs, AppendInts(nil, t.GenerationIDs))
	it.Set(KeyGenerationLogProbs, AppendFloats(nil, t.LogProbs))
}

// ParseInts parses a JSON list of integers, fast. It is strict: only a
// JSON array of integers (at most 18 digits each) with nothing after it.
func ParseInts(raw []byte) ([]int, error) {
	out := make([]int, 0, len(raw)/7)
	err := parseList(raw, "integers", func(num []byte, at int) error {
		neg := num[0] == '-'
		digits := num
		if neg {
			digits = num[1:]
		}
		if len(digits) > 18 {
			return fmt.Errorf("integer too large at offset %d", at)
		}
		n := 0
		for _, c := range digits {
			if c < '0' || c > '9' {
				return fmt.Errorf("want an integer at offset %d, not %s", at, num)
			}
			n = n*10 + int(c-'0')
		}
		if neg {
			n = -n
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// ParseFloats parses a JSON list of numbers. It is strict: only a JSON
// array of JSON numbers, each within float64's range, with nothing after it
// (no NaN, Infinity, hexadecimal or underscores, which strconv would take).
func ParseFloats(raw []byte) ([]float64, error) {
	out := make([]float64, 0, len(raw)/12)
	err := parseList(raw, "numbers", func(num []byte, at int) error {
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return fmt.Errorf("number at offset %d does not fit a float64: %s", at, num)
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// parseList walks a JSON array of numbers, handing each (in JSON's number
// grammar) to each with its offset.
func parseList(raw []byte, what string, each func(num []byte, at int) error) error {
	p := scanner{data: raw}
	p.skipSpace()
	if p.i >= len(raw) || raw[p.i] != '[' {
		return fmt.Errorf("want a list of %s", what)
	}
	p.i++
	p.skipSpace()
	if p.i < len(raw) && raw[p.i] == ']' {
		p.i++
		return p.endOfList()
	}
	for {
		p.skipSpace()
		start := p.i
		end, ok := pyjson.NumberEnd(raw, start)
		if !ok {
			if start >= len(raw) {
				return errors.New("unterminated list")
			}
			return fmt.Errorf("want a number at offset %d", start)
		}
		if err := each(raw[start:end], start); err != nil {
			return err
		}
		p.i = end
		p.skipSpace()
		if p.i >= len(raw) {
			return errors.New("unterminated list")
		}
		switch raw[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return p.endOfList()
		default:
			return fmt.Errorf("unexpected %q at offset %d", raw[p.i], p.i)
		}
	}
}

// endOfList checks that only space follows a list.
func (p *scanner) endOfList() error {
	p.skipSpace()
	if p.i < len(p.data) {
		return fmt.Errorf("unexpected %q after the list at offset %d", p.data[p.i], p.i)
	}
	return nil
}

// AppendInts appends ids as a JSON list.
func AppendInts(b []byte, ids []int) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return append(b, ']')
}

// AppendFloats appends fs as a JSON list, each number in its shortest form.
func AppendFloats(b []byte, fs []float64) []byte {
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, f)
	}
	return append(b, ']')
}

// Trajectory is a rollout ready for training: one token sequence holding
// every call's prompt and generation, with a loss mask that selects the
// generated tokens.
type Trajectory struct {
	Calls    []Tokens  // each model call, in order
	TokenIDs []int     // the episode: the last call's prompt followed by its generation
	LossMask []int     // 1 on generated tokens, 0 on prompt and tool tokens
	LogProbs []float64 // the log-prob of each generated token, 0 elsewhere
}

// ErrNoTokens reports a response without token data (the model server was
// not asked to return token ids).
var ErrNoTokens = errors.New("rollout: the response carries no token ids")

// BrokenChainError reports a call whose prompt does not start with the
// previous call's prompt and generation: the tokens were re-rendered
// between turns, and training on them would train on text the model never
// produced.
type BrokenChainError struct {
	Call   int // the call (0-based) whose prompt breaks the chain
	Offset int // the first token where it differs from the previous context
	Want   int // that token in the previous context (-1 if the prompt is shorter)
	Got    int // that token in the call's prompt (-1 if the prompt is shorter)
}

func (e *BrokenChainError) Error() string {
	return fmt.Sprintf("rollout: token chain broken at call %d, token %d: the prompt has %d where the previous prompt+generation has %d",
		e.Call, e.Offset, e.Got, e.Want)
}

// TrajectoryOf builds the training sequence of a finished episode from the
// token data on its output items, and checks that each call's prompt
// extends the previous call's prompt and generation.
func TrajectoryOf(resp *Response) (*Trajectory, error) {
	if resp == nil {
		return nil, ErrNoTokens
	}
	tr := &Trajectory{}
	for i, it := range resp.Output {
		t, err := it.Tokens()
		if err != nil {
			return nil, fmt.Errorf("output[%d]: %w", i, err)
		}
		if t != nil {
			tr.Calls = append(tr.Calls, *t)
		}
	}
	if len(tr.Calls) == 0 {
		return nil, ErrNoTokens
	}
	for i, c := range tr.Calls {
		ctx := tr.TokenIDs
		n := min(len(ctx), len(c.PromptIDs))
		for j := 0; j < n; j++ {
			if ctx[j] != c.PromptIDs[j] {
				return nil, &BrokenChainError{Call: i, Offset: j, Want: ctx[j], Got: c.PromptIDs[j]}
			}
		}
		if len(c.PromptIDs) < len(ctx) {
			return nil, &BrokenChainError{Call: i, Offset: len(c.PromptIDs), Want: ctx[len(c.PromptIDs)], Got: -1}
		}
		for _, id := range c.PromptIDs[len(ctx):] {
			tr.TokenIDs = append(tr.TokenIDs, id)
			tr.LossMask = append(tr.LossMask, 0)
			tr.LogProbs = append(tr.LogProbs, 0)
		}
		tr.TokenIDs = append(tr.TokenIDs, c.GenerationIDs...)
		for _, lp := range c.LogProbs {
			tr.LossMask = append(tr.LossMask, 1)
			tr.LogProbs = append(tr.LogProbs, lp)
		}
	}
	return tr, nil
}

// Trajectory returns the result's training sequence (see TrajectoryOf).
func (r *Result) Trajectory() (*Trajectory, error) { return TrajectoryOf(r.Response) }
