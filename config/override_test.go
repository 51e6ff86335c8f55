package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

const overrideBase = `
a: 1
b: {c: 2, d: [1, 2]}
n: null
s: x
`

func TestOverrides(t *testing.T) {
	tests := []struct {
		override string
		key      string
		want     any
	}{
		{"a=5", "a", 5},
		{"++a=7", "a", 7},
		{"+a=8", "a", 8}, // + also replaces, as NeMo Gym's command lines expect
		{"+limit=5", "limit", 5},
		{"+e=hello world", "e", "hello world"},
		{"++z.y=1", "z", map[string]any{"y": 1}},
		{"+f.g.h=true", "f.g.h", true},
		{"+b.new=3", "b", map[string]any{"c": 2, "d": []any{1, 2}, "new": 3}},
		{"b.c=null", "b.c", nil},
		{"b.c=~", "b.c", nil},
		{"b.d=[3, 4]", "b.d", []any{3, 4}},
		{"b.d[0]=9", "b.d", []any{9, 2}},
		{"+m={x: 1, y: [a, b]}", "m", map[string]any{"x": 1, "y": []any{"a", "b"}}},
		{"s='a,b'", "s", "a,b"},
		{`s="5"`, "s", "5"},
		{"s=a: b", "s", "a: b"},
		{"s=", "s", ""},
		{"s=1.5", "s", 1.5},
		{"s=x=y", "s", "x=y"},
		{"s=${a}", "s", 1}, // values may interpolate
		{"+n.x=1", "n", map[string]any{"x": 1}},
		{"+url=http://host:8000/v1", "url", "http://host:8000/v1"},
		{"++s=???", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.override, func(t *testing.T) {
			cfg, err := loadFiles(t, map[string]string{"base.yaml": overrideBase},
				config.Loader{Paths: []string{"base.yaml"}, Overrides: []string{tt.override}})
			require.NoError(t, err)
			if tt.key == "" { // ++s=??? makes s a required value
				var missing *config.MissingError
				require.ErrorAs(t, cfg.Validate(), &missing)
				require.Equal(t, []string{"s"}, missing.Keys)
				return
			}
			got, err := cfg.Get(tt.key)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOverridesApplyInOrder(t *testing.T) {
	cfg, err := loadFiles(t, map[string]string{"base.yaml": overrideBase}, config.Loader{
		Paths:     []string{"base.yaml"},
		Overrides: []string{"+x=1", "x=2", "++x=3", "a=${x}"},
	})
	require.NoError(t, err)
	require.Equal(t, 3, must(cfg.Get("a")))
}

func TestOverrideErrors(t *testing.T) {
	tests := []struct{ override, want string }{
		{"e=1", `config: override "e=1": e is not in the config; use +e=1 to add it`},
		{"bb.c=1", `config: override "bb.c=1": bb.c is not in the config (did you mean b?); use +bb.c=1 to add it`},
		{"b.cc=1", `config: override "b.cc=1": b.cc is not in the config (did you mean b.c?); use +b.cc=1 to add it`},
		{"n.x=1", `config: override "n.x=1": n.x is not in the config; use +n.x=1 to add it`},
		{"a.x=1", `config: override "a.x=1": a is a number, not a mapping`},
		{"+a.x=1", `config: override "+a.x=1": a is a number, not a mapping`},
		{"++s.x.y=1", `config: override "++s.x.y=1": s is a string, not a mapping`},
		{"b.d[5]=1", `config: override "b.d[5]=1": b.d has no element [5]`},
		{"++b.d[5]=1", `config: override "++b.d[5]=1": b.d has no element [5]`},
		{"novalue", `config: override "novalue": want key=value, +key=value (add a key) or ++key=value (add or replace)`},
		{"=1", `config: override "=1": empty key`},
		{"+=1", `config: override "+=1": empty key`},
		{"a..b=1", `config: override "a..b=1": invalid key "a..b"`},
		{"+x=[1, 2", `config: override "+x=[1, 2": value is not a valid YAML list or mapping (yaml: line 1: did not find expected ',' or ']'); quote it to use it as a string`},
		{"+config_paths=a.yaml", `config: override "+config_paths=a.yaml": config_paths must be a list of paths, such as [a.yaml, b.yaml], got a string`},
	}
	for _, tt := range tests {
		t.Run(tt.override, func(t *testing.T) {
			_, err := loadFiles(t, map[string]string{"base.yaml": overrideBase},
				config.Loader{Paths: []string{"base.yaml"}, Overrides: []string{tt.override}})
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestConfigPathsOverride(t *testing.T) {
	files := map[string]string{
		"a.yaml":   "v: a\nonly_a: true\n",
		"b.yaml":   "v: b\n",
		"c.yaml":   "v: c\n",
		"env.yaml": "config_paths: [c.yaml]\nfrom_env: true\n",
	}
	// Overrides' config_paths replace env.yaml's and come after Paths.
	cfg, err := loadFiles(t, files, config.Loader{
		Paths:     []string{"b.yaml"},
		Overrides: []string{"+config_paths=[a.yaml]"},
	})
	require.NoError(t, err)
	require.Equal(t, "a", must(cfg.Get("v")))
	require.Equal(t, []any{"b.yaml", "a.yaml"}, must(cfg.Get("config_paths")))
	require.Equal(t, true, must(cfg.Get("from_env")))

	// Without an override, env.yaml's config_paths are loaded.
	cfg, err = loadFiles(t, files, config.Loader{Paths: []string{"a.yaml"}})
	require.NoError(t, err)
	require.Equal(t, "c", must(cfg.Get("v")))
	require.Equal(t, true, must(cfg.Get("only_a")))
}
