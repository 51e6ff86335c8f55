package bundled

import (
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed configs
var embedded embed.FS

// Configs holds the config files of every bundled implementation, at NeMo
// Gym's paths: resources_servers/NAME/configs/FLAVOR.yaml (with the
// environment's example data under resources_servers/NAME/data/),
// responses_api_models/NAME/configs/FLAVOR.yaml and
// responses_api_agents/NAME/configs/FLAVOR.yaml. Give it to
// config.Loader.FS so that NeMo Gym's config_paths load from any directory:
//
//	cfg, err := config.Loader{
//		Paths: []string{"resources_servers/mcqa/configs/mcqa.yaml",
//			"responses_api_models/openai_model/configs/openai_model.yaml"},
//		FS: bundled.Configs,
//	}.Load()
var Configs fs.FS = mustSub(embedded, "configs")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	return sub
}

// Asset kinds: the directories of Configs, as NeMo Gym names them.
const (
	ResourcesServers = "resources_servers"
	Models           = "responses_api_models"
	Agents           = "responses_api_agents"
)

// Asset is one bundled implementation's configs.
type Asset struct {
	Kind     string   // ResourcesServers, Models or Agents
	Name     string   // the directory name: mcqa, openai_model, simple_agent, ...
	Flavours []string // the config files' names without .yaml, sorted
	// Description is the description field of the default flavour's
	// resources server, where it has one.
	Description string
}

// ConfigPath returns the path of a flavour's config file inside Configs;
// flavour "" is the default one, named after the asset.
func (a Asset) ConfigPath(flavour string) string {
	if flavour == "" {
		flavour = a.Name
	}
	return path.Join(a.Kind, a.Name, "configs", flavour+".yaml")
}

// Assets lists the bundled configs of one kind (ResourcesServers, Models
// or Agents) in fsys (Configs, or a directory laid out the same way), sorted
// by name.
func Assets(fsys fs.FS, kind string) []Asset {
	dirs, err := fs.ReadDir(fsys, kind)
	if err != nil {
		return nil
	}
	var out []Asset
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		a := Asset{Kind: kind, Name: d.Name()}
		files, _ := fs.ReadDir(fsys, path.Join(kind, d.Name(), "configs"))
		for _, f := range files {
			if n, ok := strings.CutSuffix(f.Name(), ".yaml"); ok && !f.IsDir() {
				a.Flavours = append(a.Flavours, n)
			}
		}
		if len(a.Flavours) == 0 {
			continue
		}
		slices.Sort(a.Flavours)
		a.Description = description(fsys, a)
		out = append(out, a)
	}
	return out
}

// description reads the "description:" line of an asset's default config,
// without parsing YAML (the configs are simple, and a listing must not fail).
func description(fsys fs.FS, a Asset) string {
	name := a.ConfigPath("")
	if !slices.Contains(a.Flavours, a.Name) {
		name = a.ConfigPath(a.Flavours[0])
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "description:"); ok {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}
