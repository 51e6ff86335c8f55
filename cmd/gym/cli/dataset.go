package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/rollout"
)

// datasetCollate is NeMo Gym's prepare_data: for every dataset type in
// scope of the mode, the datasets of the config's agents are validated,
// tagged with their agent's agent_ref and concatenated into
// OUTPUT_DIR/<type>.jsonl, with their statistics in <type>_metrics.json.
func (c *Command) datasetCollate(_ context.Context, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	cfg, err := c.loader(inv.configPaths, inv.overrides).Load()
	if err != nil {
		return usageError{err}
	}
	var mode, dir string
	var download bool
	if err := readSettings(cfg, into("mode", &mode), into("output_dirpath", &dir), into("should_download", &download)); err != nil {
		return err
	}
	if dir == "" {
		return usagef("need --output-dir (+output_dirpath=DIR)")
	}
	var types []string
	switch mode {
	case "example_validation":
		types = []string{"example"}
	case "train_preparation", "":
		types = []string{"train", "validation", "benchmark"}
	default:
		return usagef("--mode %q: want train_preparation or example_validation", mode)
	}
	if download {
		return usagef("--download: gym runs offline and downloads no datasets; put each dataset at its jsonl_fpath")
	}
	paths, err := c.collateDatasets(cfg, types, dir)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("the config's agents list no %s dataset", strings.Join(types, ", "))
	}
	fmt.Fprintln(c.Stdout, "collated:")
	for _, t := range types {
		if p := paths[t]; p != "" {
			fmt.Fprintf(c.Stdout, "- %s: %s\n", t, p)
		}
	}
	return nil
}

// collateDatasets writes DIR/<type>.jsonl and DIR/<type>_metrics.json for
// each of types that some agent lists a dataset of, and returns the
// collated files by type. A dataset file that is absent is an error that
// names it and where it was looked for.
func (c *Command) collateDatasets(cfg *config.Config, types []string, dir string) (map[string]string, error) {
	all := datasetsOf(cfg)
	out := map[string]string{}
	for _, typ := range types {
		var ds []datasetCfg
		for _, d := range all {
			if d.Type == typ {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		w := rollout.NewWriter(&buf)
		m := newDatasetMetrics()
		var bad []string
		for _, d := range ds {
			local, cleanup, err := c.localFile(d.Path)
			if err != nil {
				return nil, err
			}
			if _, err := os.Stat(local); err != nil {
				hint := ""
				if d.Remote {
					hint = " (it is downloaded from its source in NeMo Gym; gym runs offline: put the file there)"
				}
				return nil, usagef("dataset %s (%s) of %s: %s does not exist%s", d.Name, d.Type, d.Agent, absPath(d.Path), hint)
			}
			for t, err := range rollout.ReadTasksFile(local) {
				if err != nil {
					bad = append(bad, strings.ReplaceAll(err.Error(), local, d.Path))
					continue
				}
				m.observe(t)
				if err := w.Write(t.WithAgent(d.Agent)); err != nil {
					cleanup()
					return nil, err
				}
			}
			cleanup()
		}
		if len(bad) > 0 {
			return nil, failuresError{fmt.Errorf("%d invalid rows in the %s datasets (nothing written):\n%s", len(bad), typ, strings.Join(bad, "\n"))}
		}
		p := filepath.Join(dir, typ+".jsonl")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, typ+"_metrics.json"), m.json(ds[0]), 0o644); err != nil {
			return nil, err
		}
		out[typ] = p
	}
	return out, nil
}

// avgMinMax is NeMo Gym's AvgMinMax accumulator (Welford's running mean
// and variance; sample standard deviation).
type avgMinMax struct {
	n        int
	mean, m2 float64
	min, max float64
}

func (a *avgMinMax) observe(x float64) {
	if a.n == 0 || x < a.min {
		a.min = x
	}
	if a.n == 0 || x > a.max {
		a.max = x
	}
	a.n++
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m2 += d * (x - a.mean)
}

// datasetMetrics is NeMo Gym's DatasetMetrics, with its extra per-field
// statistics of the rows' other top-level fields.
type datasetMetrics struct {
	examples                    int
	tools, words, turns, temper avgMinMax
	numbers                     map[string]*avgMinMax
	strings                     map[string]map[string]int
	order                       []string // extra fields in first-seen order
}

func newDatasetMetrics() *datasetMetrics {
	return &datasetMetrics{numbers: map[string]*avgMinMax{}, strings: map[string]map[string]int{}}
}

func (m *datasetMetrics) observe(t rollout.Task) {
	m.examples++
	params, _ := t.Get(rollout.KeyCreateParams)
	var p map[string]json.RawMessage
	_ = json.Unmarshal(params, &p)
	if raw, ok := p["tools"]; ok && string(raw) != "null" {
		var tools []json.RawMessage
		if json.Unmarshal(raw, &tools) == nil {
			m.tools.observe(float64(len(tools)))
		}
	}
	if raw, ok := p["input"]; ok {
		var s string
		var items []map[string]json.RawMessage
		users := 0
		if json.Unmarshal(raw, &s) == nil {
			users = 1
		} else if json.Unmarshal(raw, &items) == nil {
			for _, it := range items {
				var role string
				_ = json.Unmarshal(it["role"], &role)
				if role == "user" {
					users++
				}
			}
		}
		if users > 0 {
			m.turns.observe(float64(users))
		}
	}
	if raw, ok := p["temperature"]; ok && string(raw) != "null" {
		var f float64
		if json.Unmarshal(raw, &f) == nil {
			m.temper.observe(f)
		}
	}
	// Words of json.dumps(responses_create_params): Python's separators and
	// ASCII escaping, split on whitespace.
	m.words.observe(float64(len(strings.Fields(string(pyjson.Format(params))))))

	for _, f := range t.Fields() {
		if f.Name == rollout.KeyCreateParams || f.Name == rollout.KeyResponse {
			continue
		}
		var v any
		if json.Unmarshal(f.Value, &v) != nil {
			continue
		}
		vals, isList := v.([]any)
		if !isList {
			vals = []any{v}
		}
		for _, item := range vals {
			switch x := item.(type) {
			case bool:
				m.number(f.Name).observe(map[bool]float64{false: 0, true: 1}[x])
			case float64:
				m.number(f.Name).observe(x)
			case string:
				if m.strings[f.Name] == nil {
					m.strings[f.Name] = map[string]int{}
					m.seen(f.Name)
				}
				m.strings[f.Name][x]++
			}
		}
	}
}

func (m *datasetMetrics) number(name string) *avgMinMax {
	a := m.numbers[name]
	if a == nil {
		a = &avgMinMax{}
		m.numbers[name] = a
		m.seen(name)
	}
	return a
}

func (m *datasetMetrics) seen(name string) {
	if !slices.Contains(m.order, name) {
		m.order = append(m.order, name)
	}
}

// json writes the metrics file as NeMo Gym's json.dump(indent=4) does: the
// first dataset's config fields, then the statistics.
func (m *datasetMetrics) json(d datasetCfg) []byte {
	w := &indentWriter{}
	w.open()
	// NeMo Gym's DatasetConfig, dumped field by field.
	w.key("name").str(d.Name)
	w.key("type").str(d.Type)
	w.key("jsonl_fpath").str(d.Path)
	repeats := d.Fields["num_repeats"]
	if repeats == nil {
		repeats = 1
	}
	w.key("num_repeats").raw(jsonAny(repeats))
	for _, k := range []string{"source", "gitlab_identifier", "huggingface_identifier", "license"} {
		w.key(k).raw(jsonAny(d.Fields[k]))
	}
	w.key("Number of examples").raw([]byte(strconv.Itoa(m.examples)))
	for _, s := range []struct {
		name string
		a    *avgMinMax
	}{{"Number of tools", &m.tools}, {"Json-dumped number of words (proxy for token count)", &m.words},
		{"Number of turns", &m.turns}, {"Temperature", &m.temper}} {
		w.key(s.name)
		s.a.write(w)
	}
	for _, name := range m.order {
		w.key(name)
		if a, ok := m.numbers[name]; ok {
			a.write(w)
			continue
		}
		total := 0
		for _, n := range m.strings[name] {
			total += n
		}
		w.open()
		w.key("unique_count").raw([]byte(strconv.Itoa(len(m.strings[name]))))
		w.key("total_count").raw([]byte(strconv.Itoa(total)))
		w.close()
	}
	w.close()
	return w.b
}

// write writes the aggregated accumulator, rounded as NeMo Gym rounds:
// two decimals for |x| ≥ 1, else three.
func (a *avgMinMax) write(w *indentWriter) {
	mean, lo, hi, sd := 0.0, 0.0, 0.0, 0.0
	if a.n > 0 {
		mean, lo, hi = a.mean, a.min, a.max
	}
	if a.n > 1 {
		sd = math.Sqrt(a.m2 / float64(a.n-1))
	}
	w.open()
	w.key("Total # non-null values").raw([]byte(strconv.Itoa(a.n)))
	w.key("Average").raw(pyjson.AppendFloat(nil, roundMetric(mean)))
	w.key("Min").raw(pyjson.AppendFloat(nil, roundMetric(lo)))
	w.key("Max").raw(pyjson.AppendFloat(nil, roundMetric(hi)))
	w.key("Standard deviation").raw(pyjson.AppendFloat(nil, roundMetric(sd)))
	w.close()
}

// roundMetric is Python's round(x, 2) for |x| ≥ 1, else round(x, 3):
// correctly rounded from the exact binary value, as strconv formats.
func roundMetric(x float64) float64 {
	digits := 3
	if x >= 1 || x <= -1 {
		digits = 2
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', digits, 64), 64)
	return r
}

func jsonAny(v any) []byte {
	b, err := pyjson.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// indentWriter writes JSON objects as Python's json.dump(indent=4).
type indentWriter struct {
	b     []byte
	depth int
	first []bool
}

func (w *indentWriter) open() {
	w.b = append(w.b, '{')
	w.depth++
	w.first = append(w.first, true)
}

func (w *indentWriter) close() {
	w.depth--
	empty := w.first[len(w.first)-1]
	w.first = w.first[:len(w.first)-1]
	if !empty {
		w.b = append(w.b, '\n')
		w.b = append(w.b, bytes.Repeat([]byte("    "), w.depth)...)
	}
	w.b = append(w.b, '}')
}

func (w *indentWriter) key(k string) *indentWriter {
	if !w.first[len(w.first)-1] {
		w.b = append(w.b, ',')
	}
	w.first[len(w.first)-1] = false
	w.b = append(w.b, '\n')
	w.b = append(w.b, bytes.Repeat([]byte("    "), w.depth)...)
	w.b = append(w.b, pyjson.Quote(k)...)
	w.b = append(w.b, ": "...)
	return w
}

func (w *indentWriter) str(s string) { w.b = append(w.b, pyjson.Quote(s)...) }
func (w *indentWriter) raw(v []byte) { w.b = append(w.b, v...) }
