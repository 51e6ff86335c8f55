// Package deps pins the vendored dependencies that the bundled environments
// are being built on; it is removed once each has its importer.
package deps

import (
	_ "github.com/abadojack/whatlanggo"
	_ "github.com/dlclark/regexp2"
	_ "github.com/neurosnap/sentences"
	_ "github.com/pelletier/go-toml/v2"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
)
