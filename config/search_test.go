package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

// A relative path is looked up in SearchDirs, then the working directory,
// then next to the including file, then in FS, as NeMo Gym searches its
// extra roots, the working directory and its install root.
func TestLoaderSearchOrder(t *testing.T) {
	bundled := fstest.MapFS{
		"resources_servers/toy/configs/toy.yaml": {Data: []byte(
			"config_paths: [resources_servers/toy/configs/base.yaml]\n" +
				"toy:\n  resources_servers:\n    toy:\n      flavour: bundled\n")},
		"resources_servers/toy/configs/base.yaml": {Data: []byte(
			"toy:\n  resources_servers:\n    toy:\n      base: bundled\n      flavour: base\n")},
	}
	noEnv := func(string) (string, bool) { return "", false }
	flavour := func(t *testing.T, l config.Loader) (string, string) {
		t.Helper()
		l.Env = noEnv
		cfg, err := l.Load()
		require.NoError(t, err)
		s, err := cfg.Server("toy")
		require.NoError(t, err)
		var v struct{ Flavour, Base string }
		require.NoError(t, s.Decode(&v))
		return v.Flavour, v.Base
	}
	paths := []string{"resources_servers/toy/configs/toy.yaml"}

	t.Run("bundled only", func(t *testing.T) {
		f, b := flavour(t, config.Loader{Paths: paths, WorkDir: t.TempDir(), FS: bundled})
		require.Equal(t, "bundled", f)
		require.Equal(t, "bundled", b)
	})

	write := func(t *testing.T, root, rel, text string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	t.Run("working directory before bundled", func(t *testing.T) {
		wd := t.TempDir()
		write(t, wd, paths[0], "toy:\n  resources_servers:\n    toy:\n      flavour: workdir\n")
		f, b := flavour(t, config.Loader{Paths: paths, WorkDir: wd, FS: bundled})
		require.Equal(t, "workdir", f)
		require.Empty(t, b, "the working directory's file lists no base")
	})
	t.Run("search dir before working directory; includes found in bundled", func(t *testing.T) {
		wd, extra := t.TempDir(), t.TempDir()
		write(t, wd, paths[0], "toy:\n  resources_servers:\n    toy:\n      flavour: workdir\n")
		write(t, extra, paths[0], "config_paths: [resources_servers/toy/configs/base.yaml]\ntoy:\n  resources_servers:\n    toy:\n      flavour: extra\n")
		f, b := flavour(t, config.Loader{Paths: paths, WorkDir: wd, SearchDirs: []string{extra}, FS: bundled})
		require.Equal(t, "extra", f)
		require.Equal(t, "bundled", b)
	})
	t.Run("missing everywhere names every place looked", func(t *testing.T) {
		_, err := config.Loader{Paths: []string{"resources_servers/nope/configs/nope.yaml"}, WorkDir: t.TempDir(), FS: bundled, Env: noEnv}.Load()
		require.ErrorContains(t, err, "bundled:resources_servers/nope/configs/nope.yaml")
	})
}
