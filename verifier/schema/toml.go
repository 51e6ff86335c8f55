package schema

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ParseTOML parses s as Python's tomllib.loads does (TOML 1.0): a table is
// an object, integers json.Number, floats float64; dates and times stay
// go-toml values (toml.LocalDate, time.Time, ...), which, like Python's
// datetime objects, are no JSON value. Errors are go-toml's messages under
// tomllib's exception name.
func ParseTOML(s string) (any, error) {
	var m map[string]any
	if err := toml.Unmarshal([]byte(s), &m); err != nil {
		return nil, &PyError{Name: "TOMLDecodeError", Message: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	return tomlValue(m), nil
}

func tomlValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = tomlValue(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = tomlValue(x)
		}
		return v
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	}
	return v
}
