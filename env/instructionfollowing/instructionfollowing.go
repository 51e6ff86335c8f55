package instructionfollowing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/ifeval"
)

// Name is the implementation name in NeMo Gym's configs.
const Name = "instruction_following"

// Names of the environment's instances in NeMo Gym's config.
const (
	ServerName = "instruction_following"
	AgentName  = "instruction_following_simple_agent"
)

// Config is the resources server's config: NeMo Gym's
// InstructionFollowingResourcesServerConfig, which adds nothing to a
// resources server's base fields. None of them changes how it verifies.
type Config struct {
	Entrypoint         string `yaml:"entrypoint"`
	Domain             string `yaml:"domain"`
	Verified           bool   `yaml:"verified"`
	Description        string `yaml:"description"`
	Value              string `yaml:"value"`
	Host               string `yaml:"host"`
	Port               int    `yaml:"port"`
	NumWorkers         *int   `yaml:"num_workers"`
	ExposeToolsOverMCP bool   `yaml:"expose_tools_over_mcp"`

	// Logger, if set, receives one warning per instruction that could not
	// be checked (NeMo Gym prints "Error processing instruction ...").
	Logger *slog.Logger `yaml:"-"`
}

// New returns the resources server (it has no tools and no state) and the
// verifier.
func New(cfg Config) (*env.Server, verifier.Verifier, error) {
	return env.NewServer(), NewVerifier(cfg), nil
}

// FromConfig decodes a config instance of instruction_following and calls New.
func FromConfig(s config.Server) (env.ResourcesServer, verifier.Verifier, error) {
	var cfg Config
	if err := s.Decode(&cfg); err != nil {
		return nil, nil, err
	}
	srv, v, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	return srv, v, nil
}

// Grading modes of verifier_metadata.grading_mode.
const (
	GradingBinary   = "binary"
	GradingFraction = "fraction"
)

// Result is one verification, as NeMo Gym's verify computes it.
type Result struct {
	Reward       float64
	FollowAll    bool
	FollowList   []bool
	Errors       []error        // per instruction: why it could not be checked (nil where it was)
	VerifierMeta rollout.Object // verifier_metadata after migrating top-level fields
	ResponseText string         // the text that was checked
}

// NewVerifier returns the verifier: it checks the text of the last output
// item against each instruction of the row's verifier_metadata and sets
// follow_all_instructions, follow_instruction_list and verifier_metadata.
func NewVerifier(cfg Config) verifier.Verifier {
	return verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		res, err := Verify(req.Task, req.Response)
		if err != nil {
			return nil, err
		}
		if cfg.Logger != nil {
			for i, e := range res.Errors {
				if e != nil {
					cfg.Logger.Warn("instruction_following: instruction not checked", "index", i, "error", e)
				}
			}
		}
		v := verifier.Reward(res.Reward)
		v.Set("follow_all_instructions", res.FollowAll)
		v.Set("follow_instruction_list", res.FollowList)
		v.Fields.Set("verifier_metadata", res.VerifierMeta.AppendJSON(nil))
		return v, nil
	})
}

func invalidRow(err error) error {
	return rollout.Fail(rollout.FailInvalidRow, "verify", fmt.Errorf("instruction_following: %w", err))
}

// Verify scores response against the instructions of task as NeMo Gym's
// instruction_following server does. A row NeMo Gym's request model would
// reject (no id, verifier_metadata without instruction_id_list, prompt or
// kwargs) is a *rollout.Failure of class invalid_row naming the fields; an
// unknown grading_mode is an error (NeMo Gym's ValueError). An unknown
// instruction id or arguments it cannot be built with only fail that
// instruction, with the reason in Result.Errors.
func Verify(task rollout.Task, response *rollout.Response) (*Result, error) {
	if raw, ok := task.Get("id"); !ok {
		return nil, invalidRow(errors.New(`row has no "id" (NeMo Gym's request model requires an integer id)`))
	} else if !isInt(raw) {
		return nil, invalidRow(fmt.Errorf(`"id" is %s, not an integer`, raw))
	}
	vm, err := migrate(task)
	if err != nil {
		return nil, err
	}
	text, err := finalText(response)
	if err != nil {
		return nil, err
	}
	ids, err := sequence(mustGet(vm, "instruction_id_list"))
	if err != nil {
		return nil, fmt.Errorf("instruction_following: verifier_metadata.instruction_id_list: %w", err)
	}
	kwargs, err := sequence(mustGet(vm, "kwargs"))
	if err != nil {
		return nil, fmt.Errorf("instruction_following: verifier_metadata.kwargs: %w", err)
	}
	mode := GradingBinary
	if raw, ok := vm.Get("grading_mode"); ok {
		// An explicit null is Python's None, no grading mode.
		if s, isStr := unquote(raw); isStr {
			mode = s
		} else {
			mode = string(raw)
		}
	}
	if mode != GradingBinary && mode != GradingFraction {
		return nil, fmt.Errorf("instruction_following: invalid grading_mode: %s", mode)
	}
	n := min(len(ids), len(kwargs))
	res := &Result{FollowList: make([]bool, n), Errors: make([]error, n), VerifierMeta: vm, ResponseText: text}
	followed := 0
	for i := range n {
		ok, err := check(ids[i], kwargs[i], text)
		res.FollowList[i], res.Errors[i] = ok, err
		if ok {
			followed++
		}
	}
	res.FollowAll = followed == n
	switch mode {
	case GradingBinary:
		if res.FollowAll {
			res.Reward = 1
		}
	case GradingFraction:
		if n > 0 {
			res.Reward = float64(followed) / float64(n)
		}
	}
	return res, nil
}

// check builds and checks one instruction; every error counts as not
// followed, as NeMo Gym's try/except does.
func check(rawID, rawKwargs json.RawMessage, text string) (bool, error) {
	var id string
	if err := json.Unmarshal(rawID, &id); err != nil {
		return false, fmt.Errorf("instruction id %s is not a string", rawID)
	}
	kwargs, err := decodeKwargs(rawKwargs)
	if err != nil {
		return false, fmt.Errorf("%s: kwargs %s are not an object", id, rawKwargs)
	}
	in, err := ifeval.New(id, kwargs)
	if err != nil {
		return false, err
	}
	ok, err := in.Check(text)
	if err != nil {
		return false, fmt.Errorf("%s: %w", id, err)
	}
	return ok, nil
}

func mustGet(o rollout.Object, name string) json.RawMessage {
	raw, _ := o.Get(name)
	return raw
}

// migrate is NeMo Gym's _migrate_legacy_metadata and
// _validate_verifier_metadata: top-level instruction_id_list, prompt,
// kwargs and grading_mode fill in what verifier_metadata lacks.
func migrate(task rollout.Task) (rollout.Object, error) {
	var vm rollout.Object
	if raw, ok := task.Get("verifier_metadata"); ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if err := json.Unmarshal(raw, &vm); err != nil || firstByte(raw) != '{' {
			return rollout.Object{}, invalidRow(fmt.Errorf(`"verifier_metadata" is not an object`))
		}
		vm = vm.Clone()
	}
	for _, f := range []string{"instruction_id_list", "prompt", "kwargs", "grading_mode"} {
		if vm.Has(f) {
			continue
		}
		if raw, ok := task.Get(f); ok {
			vm.Set(f, raw)
		}
	}
	var missing []string
	for _, f := range []string{"instruction_id_list", "prompt", "kwargs"} {
		if !vm.Has(f) {
			missing = append(missing, strconv.Quote(f))
		}
	}
	if len(missing) > 0 {
		return rollout.Object{}, invalidRow(fmt.Errorf("verifier_metadata is missing required fields: %v", missing))
	}
	return vm, nil
}

func firstByte(raw []byte) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isInt(raw json.RawMessage) bool {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		_, err := strconv.ParseInt(string(n), 10, 64)
		f, ferr := n.Float64()
		return err == nil || (ferr == nil && f == float64(int64(f)))
	}
	var s string
	if json.Unmarshal(raw, &s) == nil { // pydantic's lax mode takes "12"
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	return false
}

// sequence is what Python's zip iterates: a list's elements, a string's
// characters (as JSON strings), an object's keys.
func sequence(raw json.RawMessage) ([]json.RawMessage, error) {
	switch firstByte(raw) {
	case '[':
		l, ok := elements(raw)
		if !ok {
			return nil, fmt.Errorf("%s is not a list", raw)
		}
		return l, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		var out []json.RawMessage
		for _, r := range s {
			b, _ := json.Marshal(string(r))
			out = append(out, b)
		}
		return out, nil
	case '{':
		var o rollout.Object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		var out []json.RawMessage
		for _, f := range o.Fields() {
			b, _ := json.Marshal(f.Name)
			out = append(out, b)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not iterable (TypeError)", raw)
}

// finalText is the text NeMo Gym checks: content[0].text of the last
// output item, or "" when the response has no output or the last item has
// no content.
func finalText(resp *rollout.Response) (string, error) {
	if resp == nil || len(resp.Output) == 0 {
		return "", nil
	}
	last := resp.Output[len(resp.Output)-1]
	raw, ok := last.Get("content")
	if !ok || firstByte(raw) != '[' {
		return "", nil
	}
	parts, ok := elements(raw)
	if !ok || len(parts) == 0 || firstByte(parts[0]) != '{' {
		return "", nil
	}
	t, ok := member(parts[0], "text")
	if !ok || firstByte(t) != '"' {
		typ, _ := member(parts[0], "type")
		return "", fmt.Errorf("instruction_following: the last output item's first content part has no text (type %s)", typ)
	}
	text, ok := unquote(t)
	if !ok {
		return "", fmt.Errorf("instruction_following: the last output item's text is not a JSON string")
	}
	return text, nil
}

// The row was validated as JSON when it was read, so its values are
// split by scanning, not decoded.

// skipValue returns the end of the JSON value that starts at b[i].
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\r', '\n', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// elements returns the elements of a JSON array.
func elements(raw []byte) ([]json.RawMessage, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	var out []json.RawMessage
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] != ']'; {
		end := skipValue(raw, i)
		if end <= i {
			return nil, false
		}
		out = append(out, raw[i:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, true
}

// member returns the value of key name in a JSON object.
func member(raw []byte, name string) (json.RawMessage, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '"'; {
		kEnd := skipValue(raw, i)
		key := raw[i:kEnd]
		i = skipSpace(raw, kEnd)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		vEnd := skipValue(raw, i)
		if k, ok := unquote(key); ok && k == name {
			return raw[i:vEnd], true
		}
		i = skipSpace(raw, vEnd)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return nil, false
}

// unquote decodes a JSON string as encoding/json does (lone surrogates
// become U+FFFD), without its reflection.
func unquote(raw []byte) (string, bool) {
	raw = bytes.Trim(raw, " \t\r\n")
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	valid := utf8.Valid(body)
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			if valid {
				n := bytes.IndexByte(body[i:], '\\')
				if n < 0 {
					n = len(body) - i
				}
				b = append(b, body[i:i+n]...)
				i += n
				continue
			}
			r, size := utf8.DecodeRune(body[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		switch e := body[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+6 > len(body) {
				return "", false
			}
			r, ok := hex4(body[i+2:])
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
					if r2, ok := hex4(body[i+2:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return string(b), true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// decodeKwargs decodes an instruction's kwargs (null is none) into the
// values ifeval.New takes, numbers as json.Number.
func decodeKwargs(raw json.RawMessage) (map[string]any, error) {
	switch firstByte(raw) {
	case 'n':
		return nil, nil
	case '{':
	default:
		return nil, errors.New("not an object")
	}
	o, err := rollout.ParseObject(raw)
	if err != nil {
		return nil, err
	}
	kwargs := make(map[string]any, o.Len())
	for _, f := range o.Fields() {
		v, err := decodeValue(f.Value)
		if err != nil {
			return nil, err
		}
		kwargs[f.Name] = v
	}
	return kwargs, nil
}

func decodeValue(raw json.RawMessage) (any, error) {
	switch c := firstByte(raw); {
	case c == '"':
		if s, ok := unquote(raw); ok {
			return s, nil
		}
		return nil, errors.New("bad string")
	case c == 'n':
		return nil, nil
	case c == 't':
		return true, nil
	case c == 'f':
		return false, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return json.Number(bytes.TrimSpace(raw)), nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
