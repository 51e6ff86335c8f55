package mcqa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/jsonscan"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
	"github.com/gymkit/gym/verifier/choice"
)

// Name is the implementation name of the environment in NeMo Gym's config
// files (resources_servers: mcqa:).
const Name = "mcqa"

// Config holds the fields NeMo Gym's mcqa server reads from its config.
type Config struct {
	// GradingMode, if set, grades every row in this mode, whatever the
	// row's own grading_mode says; empty (null in YAML) leaves it to the
	// rows. One of choice.Modes.
	GradingMode choice.Mode `yaml:"grading_mode"`
}

// New returns the environment's resources server (no tools, no state) and
// its verifier.
func New(cfg Config) (*env.Server, verifier.Verifier, error) {
	if cfg.GradingMode != "" && !cfg.GradingMode.Valid() {
		return nil, nil, fmt.Errorf("mcqa: grading_mode %q is not one of %v", cfg.GradingMode, choice.Modes)
	}
	return env.NewServer(), &Verifier{Config: cfg}, nil
}

// FromConfig builds the environment from a resources server instance of a
// NeMo Gym config.
func FromConfig(s config.Server) (env.ResourcesServer, verifier.Verifier, error) {
	var cfg Config
	if err := s.Decode(&cfg); err != nil {
		return nil, nil, err
	}
	return New(cfg)
}

// Verifier grades multiple-choice answers as NeMo Gym's mcqa server does.
type Verifier struct {
	Config Config
}

// rowModes are the grading modes a row may name (NeMo Gym's request model
// does not accept lenient_answer_colon_md there, only in the config).
var rowModes = []choice.Mode{choice.StrictBoxed, choice.LenientBoxed, choice.LenientAnswerColon}

// Row is the task data the verifier reads from a dataset row.
type Row struct {
	Expected    string // expected_answer (null reads as "")
	Options     choice.Options
	GradingMode choice.Mode
	// OutputRegex is template_metadata.output_regex, as a list.
	OutputRegex    []string
	HasOutputRegex bool
}

// ParseRow reads the fields of task the verifier uses, checking the types
// NeMo Gym's request model checks. A missing expected_answer is an error
// here (NeMo Gym grades such a row 0).
func ParseRow(task rollout.Task) (*Row, error) {
	var r Row
	raw, ok := task.Get("expected_answer")
	if !ok {
		return nil, verifier.InvalidField(task, "expected_answer", verifier.ErrMissing)
	}
	if err := stringOrNull(raw, &r.Expected); err != nil {
		return nil, verifier.InvalidField(task, "expected_answer", err)
	}
	if raw, ok := task.Get("options"); ok {
		opts, err := choice.ParseOptions(raw)
		if err != nil {
			return nil, verifier.InvalidField(task, "options", err)
		}
		r.Options = opts
	}
	r.GradingMode = choice.StrictBoxed
	if raw, ok := task.Get("grading_mode"); ok {
		m, _ := jsonscan.String(raw)
		if !validRowMode(choice.Mode(m)) {
			return nil, verifier.InvalidField(task, "grading_mode", fmt.Errorf("want one of %v, got %.60s", rowModes, raw))
		}
		r.GradingMode = choice.Mode(m)
	}
	for _, name := range []string{"uuid"} {
		if raw, ok := task.Get(name); ok {
			var s string
			if err := stringOrNull(raw, &s); err != nil {
				return nil, verifier.InvalidField(task, name, err)
			}
		}
	}
	if raw, ok := task.Get("metadata"); ok && !isObjectOrNull(raw) {
		return nil, verifier.InvalidField(task, "metadata", errors.New("want an object or null"))
	}
	if raw, ok := task.Get("template_metadata"); ok && string(raw) != "null" {
		var re json.RawMessage
		err := jsonscan.Object(raw, func(key string, v []byte) error {
			if key == "output_regex" {
				re = v
			}
			return nil
		})
		if err != nil {
			return nil, verifier.InvalidField(task, "template_metadata", errors.New("want an object or null"))
		}
		if re != nil {
			var one string
			var list []string
			switch {
			case len(re) > 0 && re[0] == '"':
				one, _ = jsonscan.String(re)
				r.OutputRegex = []string{one}
			case len(re) > 0 && re[0] == '[' && json.Unmarshal(re, &list) == nil:
				r.OutputRegex = list
			default:
				return nil, verifier.InvalidField(task, "template_metadata.output_regex",
					fmt.Errorf("want a pattern or a list of patterns, got %.60s", re))
			}
			r.HasOutputRegex = true
		}
	}
	return &r, nil
}

func validRowMode(m choice.Mode) bool {
	for _, v := range rowModes {
		if m == v {
			return true
		}
	}
	return false
}

func stringOrNull(raw json.RawMessage, dst *string) error {
	if string(raw) == "null" {
		*dst = ""
		return nil
	}
	s, ok := jsonscan.String(raw)
	if !ok {
		return fmt.Errorf("want a string or null, got %.60s", raw)
	}
	*dst = s
	return nil
}

func isObjectOrNull(raw json.RawMessage) bool {
	return string(raw) == "null" || (len(raw) > 0 && raw[0] == '{')
}

// Verify grades the response's text (verifier.OutputText, stripped):
// template_metadata.output_regex first, when the row has one, then the
// grading mode — the config's, else the row's. The reward is 1.0 when the
// extracted letter equals expected_answer (stripped, upper-cased). The
// verdict's fields are NeMo Gym's: expected_answer (the normalized gold
// letter) and extracted_answer (the letter, or null).
func (v *Verifier) Verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	row, err := ParseRow(req.Task)
	if err != nil {
		return nil, err
	}
	var output []rollout.Item
	if req.Response != nil {
		output = req.Response.Output
	}
	pred, err := Grade(verifier.OutputText(output), row, v.Config.GradingMode)
	if err != nil {
		return nil, err
	}
	gold := choice.Gold(row.Expected)
	reward := 0.0
	if pred != "" && gold != "" && pred == gold {
		reward = 1
	}
	var extracted any
	if pred != "" {
		extracted = pred
	}
	return verifier.Reward(reward).Set("expected_answer", gold).Set("extracted_answer", extracted), nil
}

// Grade returns the answer letter NeMo Gym's mcqa reads from text for row
// ("" for none). mode, if set, overrides the row's grading mode.
func Grade(text string, row *Row, mode choice.Mode) (string, error) {
	text = choice.Strip(text)
	if text == "" {
		return "", nil
	}
	if mode == "" {
		mode = row.GradingMode
	}
	if row.HasOutputRegex {
		pred, err := choice.ExtractRegex(text, row.OutputRegex, row.Options)
		if err != nil || pred != "" {
			return pred, err
		}
	}
	return choice.Extract(text, mode, row.Options)
}
