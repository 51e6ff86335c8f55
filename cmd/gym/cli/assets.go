package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/suggest"
)

// assetDirs maps an asset selector to where its configs live, as NeMo Gym's
// _ASSETS does: the parent directory, the configs subdirectory, and the
// default flavour ("" = the asset's own name).
var assetDirs = map[string]struct{ parent, sub, flavour string }{
	"resources-server": {"resources_servers", "configs", ""},
	"model-type":       {"responses_api_models", "configs", ""},
	"benchmark":        {"benchmarks", "", "config"},
	"environment":      {"environments", "", "config"},
}

// configs returns the bundled configs the command falls back to.
func (c *Command) configs() fs.FS {
	if c.Configs != nil {
		return c.Configs
	}
	return bundled.Configs
}

// loader returns the config loader of the command: relative paths are
// looked up in the --search-dir roots, the working directory, then in the
// bundled configs.
func (c *Command) loader(paths, overrides []string) config.Loader {
	return config.Loader{Paths: paths, Overrides: overrides, SearchDirs: c.searchDirs, FS: c.configs()}
}

// assetPath resolves --FLAG NAME[/FLAVOR] to a config path: the first
// search dir, then the working directory, then the bundled configs that
// have it. A bundled config is returned as its relative path, which the
// loader finds in the bundled configs.
func (c *Command) assetPath(flag, value string, searchDirs []string) (string, error) {
	d := assetDirs[flag]
	name, flavour, _ := strings.Cut(value, "/")
	if flavour == "" {
		flavour = cmpOr(d.flavour, name)
	}
	dir := path.Join(d.parent, name, d.sub)
	rel := path.Join(dir, flavour+".yaml")
	roots := append(slices.Clone(searchDirs), ".")
	for _, r := range roots {
		p := filepath.Join(r, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return absPath(p), nil
		}
	}
	if st, err := fs.Stat(c.configs(), rel); err == nil && st.Mode().IsRegular() {
		return rel, nil
	}

	// Not found: the closest flavour of that asset, else the closest asset.
	flavours := map[string]bool{}
	names := map[string]bool{}
	var searched []string
	for _, r := range roots {
		searched = append(searched, absPath(filepath.Join(r, d.parent)))
		collect(os.DirFS(r), d.parent, dir, flavours, names)
	}
	collect(c.configs(), d.parent, dir, flavours, names)
	searched = append(searched, "the configs bundled with gym")
	typo, candidates := flavour, keys(flavours)
	if len(candidates) == 0 {
		typo, candidates = name, keys(names)
	}
	hint := ""
	if s, ok := suggest.Similar(typo, candidates); ok {
		if len(flavours) > 0 {
			s = name + "/" + s
		}
		hint = fmt.Sprintf(" Did you mean %q?", s)
	}
	avail := ""
	if len(candidates) > 0 {
		avail = fmt.Sprintf(" Available: %s.", strings.Join(candidates, ", "))
	}
	return "", usagef("--%s %s implies config %s, which does not exist.%s%s Searched %s.",
		flag, value, rel, hint, avail, strings.Join(searched, ", "))
}

func collect(fsys fs.FS, parent, dir string, flavours, names map[string]bool) {
	if files, err := fs.ReadDir(fsys, dir); err == nil {
		for _, f := range files {
			if n, ok := strings.CutSuffix(f.Name(), ".yaml"); ok && !f.IsDir() {
				flavours[n] = true
			}
		}
	}
	if dirs, err := fs.ReadDir(fsys, parent); err == nil {
		for _, e := range dirs {
			if e.IsDir() {
				names[e.Name()] = true
			}
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// localFile returns a path on disk for a data file named as NeMo Gym names
// it (resources_servers/mcqa/data/example.jsonl): the file itself if it
// exists, else the same path in a --search-dir root, else the bundled copy,
// written to a temporary file. cleanup removes that copy.
func (c *Command) localFile(p string) (local string, cleanup func(), err error) {
	cleanup = func() {}
	if _, err := os.Stat(p); err == nil || filepath.IsAbs(p) {
		return p, cleanup, nil
	}
	for _, r := range c.searchDirs {
		q := filepath.Join(r, p)
		if _, err := os.Stat(q); err == nil {
			return q, cleanup, nil
		}
	}
	name := path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(name) {
		return p, cleanup, nil
	}
	data, err := fs.ReadFile(c.configs(), name)
	if err != nil {
		return p, cleanup, nil // the caller reports the missing file
	}
	f, err := os.CreateTemp("", "gym-bundled-*-"+path.Base(name))
	if err != nil {
		return "", cleanup, err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		os.Remove(f.Name())
		return "", cleanup, err
	}
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}
