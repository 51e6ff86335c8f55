package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gymkit/gym/config"
)

// exercise reads everything a loaded config offers; none of it may panic.
func exercise(cfg *config.Config) {
	_ = cfg.Validate()
	_, _ = cfg.YAML()
	_, _ = cfg.Get("")
	for _, k := range cfg.Globals() {
		_, _ = cfg.String(k)
	}
	for _, s := range cfg.Servers() {
		var fields map[string]any
		_ = s.Decode(&fields)
		_, _ = s.URL()
		_, _ = s.Ref("resources_server")
		_, _ = s.Ref("model_server")
	}
}

func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		twoServers,
		interpolations,
		overrideBase,
		"a: ${b}\nb: ${a}\n",
		"a: {x: 1, y: '${a}'}\n",
		"a: ${a.x}\n",
		"a: [${a[0]}]\n",
		"a: &x {k: 1}\nb: *x\nc: {<<: *x, j: 2}\n",
		"config_paths: [fuzz.yaml]\n",
		"config_paths: [nope.yaml]\n",
		"s:\n  resources_servers:\n    r: {url: '${oc.env:X,http://h}', host: h, port: 1}\n",
		"s:\n  responses_api_agents:\n    a: {m: {type: responses_api_models, name: ???}}\n",
		"x: '${oc.env:${y},${.z}}'\ny: Y\nz: '\\${q}'\n",
		"? [a]\n: b\n",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data string) {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Loader{Paths: []string{path}, WorkDir: dir, Env: envOf(map[string]string{"X": "x"})}.Load()
		if err != nil {
			return
		}
		exercise(cfg)
	})
}

func FuzzOverride(f *testing.F) {
	for _, seed := range []string{
		"a=5", "+limit=5", "++b.c=null", "+config_paths=[a.yaml,b.yaml]", "b.d[0]=x",
		"+m={x: 1, y: [a]}", "s='a,b'", "+x=[1,", "=1", "a..b=1", "+f.g.h=${a}", "++s=???",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	base := filepath.Join(dir, "base.yaml")
	if err := os.WriteFile(base, []byte(overrideBase+twoServers), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, override string) {
		cfg, err := config.Loader{Paths: []string{base}, WorkDir: dir, Overrides: []string{override}, Env: noEnv}.Load()
		if err != nil {
			return
		}
		exercise(cfg)
	})
}
