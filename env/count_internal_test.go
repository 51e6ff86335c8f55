package env

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCountElements(t *testing.T) {
	for _, in := range []string{`[]`, ` [ ] `, `[1]`, `[{},{}]`, `["a,b",[1,2]]`, `[{"a":[1,{"b":","}]},3]`,
		`["\"",1]`, `["\\",2,"\\\""]`, `[null, true ,false]`, "[\n{}\n]"} {
		var list []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(in), &list), in)
		require.Equal(t, len(list), countElements([]byte(in)), in)
	}
}
