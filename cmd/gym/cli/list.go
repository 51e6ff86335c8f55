package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/bundled"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/internal/suggest"
)

// component is one entry of gym list.
type component struct {
	Name        string   `json:"name"`
	Kind        string   `json:"type"`
	Description string   `json:"description,omitempty"`
	Configs     []string `json:"configs,omitempty"`
	Source      string   `json:"source"`            // "bundled" or the directory it was found in
	Impls       []string `json:"implementations"`   // the implementation names its configs use
	Go          bool     `json:"go_implementation"` // gym has a Go implementation of all of them
	Agents      []string `json:"agents,omitempty"`  // environments: the agent instance
	Resources   string   `json:"resources_server,omitempty"`
	Datasets    []string `json:"datasets,omitempty"`
}

var listKinds = map[string]string{
	"resources-servers": bundled.ResourcesServers,
	"models":            bundled.Models,
	"agents":            bundled.Agents,
}

// list is gym list KIND [NAME]: the components in the --search-dir roots,
// the working directory and the configs bundled with gym (a name found
// earlier hides the same name later), or one of them in detail.
func (c *Command) list(kind string, inv *invocation) error {
	c.searchDirs = inv.searchDirs
	var comps []component
	if kind == "environments" {
		comps = c.environments()
	} else {
		comps = c.components(listKinds[kind])
	}
	if len(inv.positional) > 0 {
		name := inv.positional[0]
		i := slices.IndexFunc(comps, func(x component) bool { return x.Name == name })
		if i < 0 {
			names := make([]string, len(comps))
			for j, x := range comps {
				names[j] = x.Name
			}
			msg := fmt.Sprintf("unknown %s %q", strings.TrimSuffix(kind, "s"), name)
			if s, ok := suggest.Similar(name, names); ok {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return usagef("%s; known: %s", msg, strings.Join(names, ", "))
		}
		comps = comps[i : i+1]
		if !inv.has("json") {
			x := comps[0]
			fmt.Fprintf(c.Stdout, "%s (%s, %s)\n", x.Name, x.Kind, x.Source)
			if x.Description != "" {
				fmt.Fprintf(c.Stdout, "  description: %s\n", x.Description)
			}
			for _, cf := range x.Configs {
				fmt.Fprintf(c.Stdout, "  config: %s\n", cf)
			}
			fmt.Fprintf(c.Stdout, "  implementations: %s (Go: %v)\n", strings.Join(x.Impls, ", "), x.Go)
			if x.Resources != "" {
				fmt.Fprintf(c.Stdout, "  resources server: %s\n", x.Resources)
			}
			for _, d := range x.Datasets {
				fmt.Fprintf(c.Stdout, "  dataset: %s\n", d)
			}
			return nil
		}
	}
	if inv.has("json") {
		b, _ := json.Marshal(comps)
		fmt.Fprintf(c.Stdout, "%s\n", b)
		return nil
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCONFIGS\tGO\tDESCRIPTION")
	for _, x := range comps {
		fmt.Fprintf(tw, "%s\t%d\t%v\t%s\n", x.Name, len(x.Configs), x.Go, x.Description)
	}
	return tw.Flush()
}

// roots are the places components are found, in priority order.
func (c *Command) roots() []struct {
	name string
	fsys fs.FS
} {
	var out []struct {
		name string
		fsys fs.FS
	}
	for _, d := range append(slices.Clone(c.searchDirs), ".") {
		out = append(out, struct {
			name string
			fsys fs.FS
		}{absPath(d), os.DirFS(d)})
	}
	return append(out, struct {
		name string
		fsys fs.FS
	}{"bundled", c.configs()})
}

// serverYAML is a config file's server instances: name → kind → impl → fields.
type serverYAML map[string]map[string]map[string]map[string]any

func readServers(fsys fs.FS, name string) serverYAML {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil
	}
	var raw map[string]any
	if yaml.Unmarshal(data, &raw) != nil {
		return nil
	}
	out := serverYAML{}
	for inst, v := range raw {
		kinds, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for kind, v := range kinds {
			impls, ok := v.(map[string]any)
			if !ok || !strings.HasPrefix(kind, "res") {
				continue
			}
			for impl, v := range impls {
				fields, _ := v.(map[string]any)
				if out[inst] == nil {
					out[inst] = map[string]map[string]map[string]any{}
				}
				if out[inst][kind] == nil {
					out[inst][kind] = map[string]map[string]any{}
				}
				out[inst][kind][impl] = fields
			}
		}
	}
	return out
}

func (c *Command) components(kind string) []component {
	seen := map[string]bool{}
	var out []component
	for _, r := range c.roots() {
		for _, a := range bundled.Assets(r.fsys, kind) {
			if seen[a.Name] {
				continue
			}
			seen[a.Name] = true
			x := component{Name: a.Name, Kind: kind, Description: a.Description, Source: r.name, Go: true}
			for _, f := range a.Flavours {
				p := a.ConfigPath(f)
				x.Configs = append(x.Configs, p)
				for _, kinds := range readServers(r.fsys, p) {
					for k, impls := range kinds {
						for impl := range impls {
							if !slices.Contains(x.Impls, impl) {
								x.Impls = append(x.Impls, impl)
								x.Go = x.Go && c.Impls.Has(config.Kind(k), impl)
							}
						}
					}
				}
			}
			slices.Sort(x.Impls)
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b component) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// environments are the agent instances that the resources servers' configs
// define: a resources server with the agent that runs it, and its datasets.
func (c *Command) environments() []component {
	var out []component
	seen := map[string]bool{}
	for _, r := range c.roots() {
		for _, a := range bundled.Assets(r.fsys, bundled.ResourcesServers) {
			for _, f := range a.Flavours {
				p := a.ConfigPath(f)
				for inst, kinds := range readServers(r.fsys, p) {
					for impl, fields := range kinds[bundled.Agents] {
						if seen[inst] {
							continue
						}
						seen[inst] = true
						x := component{Name: inst, Kind: "environment", Source: r.name, Configs: []string{p},
							Impls: []string{impl}, Go: c.Impls.Has(config.Agents, impl), Description: a.Description}
						if rs, ok := fields["resources_server"].(map[string]any); ok {
							x.Resources, _ = rs["name"].(string)
						}
						if ds, ok := fields["datasets"].([]any); ok {
							for _, d := range ds {
								if m, ok := d.(map[string]any); ok {
									x.Datasets = append(x.Datasets, fmt.Sprintf("%v (%v): %v", m["name"], m["type"], m["jsonl_fpath"]))
								}
							}
						}
						out = append(out, x)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b component) int { return strings.Compare(a.Name, b.Name) })
	return out
}
