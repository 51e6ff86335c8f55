package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	configPathsKey = "config_paths"
	envFile        = "env.yaml"
)

// Loader loads a config. The zero value loads nothing but env.yaml in the
// current directory.
type Loader struct {
	// Paths are YAML files to merge, in order.
	Paths []string
	// Overrides are command-line overrides, applied last: key=value replaces
	// a value, +key=value adds a key, ++key=value does either. Keys are
	// dotted; values are YAML (5, null, [a, b], {k: v}). config_paths set
	// here ("+config_paths=[a.yaml,b.yaml]", as NeMo Gym's CLI spells it)
	// adds files to load after Paths, replacing env.yaml's config_paths.
	Overrides []string
	// WorkDir is where env.yaml is read from and relative paths are looked up
	// (after SearchDirs); "" is the current directory.
	WorkDir string
	// SearchDirs are extra roots in which a relative path is looked up
	// before WorkDir, in order (NeMo Gym's --search-dir and
	// NEMO_GYM_EXTRA_ROOTS).
	SearchDirs []string
	// FS, if set, is the last place a relative path is looked up, after
	// SearchDirs, WorkDir and the including file's directory: the configs
	// bundled with a program (NeMo Gym's install root). Its paths are
	// slash-separated and relative to its root, as in config_paths
	// ("resources_servers/mcqa/configs/mcqa.yaml").
	FS fs.FS
	// Env looks up the environment for ${oc.env:VAR}; nil is os.LookupEnv.
	Env func(key string) (string, bool)
	// Unneeded lists kinds of server that the program will not build, so
	// that a reference to an undefined server of such a kind is not an
	// error: verifying stored rollouts again needs no model server.
	Unneeded []Kind
}

// Load is Loader{Paths: paths}.Load(): it merges the YAML files in paths
// (and the files they list in config_paths), then env.yaml in the current
// directory.
func Load(paths ...string) (*Config, error) {
	return Loader{Paths: paths}.Load()
}

// Load loads the config:
//
//  1. the files in Paths, then those in config_paths from Overrides (or,
//     if no override sets it, from env.yaml), each after the files it lists
//     in its own config_paths, so a file overrides what it includes;
//  2. env.yaml in WorkDir, if it exists;
//  3. Overrides.
//
// Mappings are merged key by key; other values, lists included, are
// replaced; ??? never replaces a value. A relative path is looked up in
// WorkDir, then (for a file listed in another file) next to that file.
//
// Load checks the structure of server instances and that every {type, name}
// reference names a defined server. It does not require every value to be
// set: see Validate.
func (l Loader) Load() (*Config, error) {
	dir := cmp.Or(l.WorkDir, ".")
	var overrides []override
	var cliPaths []string
	cliSetPaths := false
	for _, s := range l.Overrides {
		o, err := parseOverride(s)
		if err != nil {
			return nil, err
		}
		if len(o.key) == 1 && o.key[0] == configPathsKey {
			if cliPaths, err = pathList(o.value, fmt.Sprintf("override %q", s)); err != nil {
				return nil, err
			}
			cliSetPaths = true
			continue
		}
		overrides = append(overrides, o)
	}

	env, err := readFile(filepath.Join(dir, envFile))
	if errors.Is(err, fs.ErrNotExist) {
		env, err = nil, nil
	}
	if err != nil {
		return nil, err
	}

	paths := slices.Clone(l.Paths)
	if cliSetPaths {
		paths = append(paths, cliPaths...)
	} else if v, ok := env.get(configPathsKey); ok {
		envPaths, err := pathList(v, filepath.Join(dir, envFile))
		if err != nil {
			return nil, err
		}
		paths = append(paths, envPaths...)
	}

	inc := includer{dir: dir, roots: l.SearchDirs, fsys: l.FS, seen: map[string]bool{}}
	for _, p := range paths {
		if err := inc.load(p, "", nil); err != nil {
			return nil, err
		}
	}
	root := newObject()
	for _, t := range inc.trees {
		merge(root, t)
	}
	if env != nil {
		merge(root, env)
	}
	for _, o := range overrides {
		if err := o.apply(root); err != nil {
			return nil, err
		}
	}
	if len(inc.listed) > 0 {
		list := make([]any, len(inc.listed))
		for i, p := range inc.listed {
			list[i] = p
		}
		root.set(configPathsKey, list)
	}

	c := &Config{root: root, env: l.Env}
	if c.servers, err = findServers(root); err != nil {
		return nil, err
	}
	for i := range c.servers {
		c.servers[i].cfg = c
	}
	if err := c.checkRefs(l.Unneeded); err != nil {
		return nil, err
	}
	return c, nil
}

// includer loads files and, first, the files they list in config_paths.
type includer struct {
	dir    string
	roots  []string        // SearchDirs, looked in before dir
	fsys   fs.FS           // bundled configs, looked in last
	seen   map[string]bool // absolute paths (or fs: names) of the files loaded so far
	trees  []*object       // in merge order
	listed []string        // the paths as written, in the order found
}

// fsPrefix marks a file found in Loader.FS rather than on disk.
const fsPrefix = "bundled:"

// locate finds a relative path in the search order: SearchDirs, the
// working directory, the directory of the including file, then FS.
func (inc *includer) locate(path, from string) (found string, looked []string) {
	if filepath.IsAbs(path) {
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		return "", []string{path}
	}
	var disk []string
	for _, r := range inc.roots {
		disk = append(disk, filepath.Join(r, path))
	}
	disk = append(disk, filepath.Join(inc.dir, path))
	var name string // the path inside fsys
	if from != "" {
		if rest, ok := strings.CutPrefix(from, fsPrefix); ok {
			name = pathpkg.Join(pathpkg.Dir(rest), filepath.ToSlash(path))
		} else {
			disk = append(disk, filepath.Join(filepath.Dir(from), path))
		}
	}
	for _, c := range disk {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	looked = disk
	if inc.fsys != nil {
		names := []string{pathpkg.Clean(filepath.ToSlash(path))}
		if name != "" {
			names = append([]string{name}, names...)
		}
		for _, n := range names {
			if !fs.ValidPath(n) {
				continue
			}
			if st, err := fs.Stat(inc.fsys, n); err == nil && st.Mode().IsRegular() {
				return fsPrefix + n, nil
			}
			looked = append(looked, fsPrefix+n)
		}
	}
	return "", looked
}

// load loads path, which is listed in the file from ("" for a top-level
// path); chain holds the absolute paths of the files that include it.
func (inc *includer) load(path, from string, chain []string) error {
	found, candidates := inc.locate(path, from)
	if found == "" {
		where := ""
		if from != "" {
			where = fmt.Sprintf(" (listed in config_paths of %s)", from)
		}
		return fmt.Errorf("config: %s%s: %w (looked for %s); paths are relative to the working directory %s",
			path, where, fs.ErrNotExist, strings.Join(candidates, ", "), absDir(inc.dir))
	}
	abs := found
	if !strings.HasPrefix(found, fsPrefix) {
		var err error
		if abs, err = filepath.Abs(found); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if slices.Contains(chain, abs) {
		return fmt.Errorf("config: config_paths cycle: %s -> %s", strings.Join(chain, " -> "), abs)
	}
	if inc.seen[abs] {
		return nil // NeMo Gym loads a file listed twice once
	}
	inc.seen[abs] = true
	inc.listed = append(inc.listed, path)

	var tree *object
	var err error
	if name, ok := strings.CutPrefix(found, fsPrefix); ok {
		tree, err = readFS(inc.fsys, name)
	} else {
		tree, err = readFile(found)
	}
	if err != nil {
		return err
	}
	v, _ := tree.get(configPathsKey)
	includes, err := pathList(v, found)
	if err != nil {
		return err
	}
	for _, p := range includes {
		if err := inc.load(p, found, sub(chain, abs)); err != nil {
			return err
		}
	}
	inc.trees = append(inc.trees, tree)
	return nil
}

// absDir names a directory absolutely in messages, where it can be.
func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// pathList reads a config_paths value; where names its origin for errors.
func pathList(v any, where string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	paths := make([]string, 0, len(list))
	for _, e := range list {
		s, isString := e.(string)
		if !isString || s == "" {
			ok = false
			break
		}
		paths = append(paths, s)
	}
	if !ok {
		return nil, fmt.Errorf("config: %s: config_paths must be a list of paths, such as [a.yaml, b.yaml], got %s", where, describe(v))
	}
	return paths, nil
}

// readFile reads a YAML file whose top level is a mapping (or empty).
func readFile(path string) (*object, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("config: %s is not a regular file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parseFile(path, data)
}

// readFS reads a YAML file of a Loader.FS, as readFile does.
func readFS(fsys fs.FS, name string) (*object, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parseFile(fsPrefix+name, data)
}

func parseFile(path string, data []byte) (*object, error) {
	v, err := parseYAML(data)
	if err != nil {
		return nil, yamlError(path, err)
	}
	switch v := v.(type) {
	case nil:
		return newObject(), nil
	case *object:
		return v, nil
	}
	return nil, fmt.Errorf("config: %s: the top level must be a mapping, got %s", path, describe(v))
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError rewrites a yaml.v3 error as "config: file:line: message".
func yamlError(path string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = slices.Clone(te.Errors)
	}
	for i, m := range msgs {
		if loc := yamlLine.FindStringSubmatch(m); loc != nil {
			msgs[i] = fmt.Sprintf("%s:%s: %s", path, loc[1], m[len(loc[0]):])
		} else {
			msgs[i] = fmt.Sprintf("%s: %s", path, strings.TrimPrefix(m, "yaml: "))
		}
	}
	return fmt.Errorf("config: %s", strings.Join(msgs, "; "))
}
