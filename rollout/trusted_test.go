package rollout

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/trusted"
)

func TestTrustedSetter(t *testing.T) {
	set := trusted.Setter[Object]()
	var o Object
	set(&o, "a", []byte(`[1,2]`))
	set(&o, "b", nil)
	set(&o, "a", []byte(`"x"`))
	require.Equal(t, `{"a":"x","b":null}`, string(o.AppendJSON(nil)))

	// Not validated: the caller promises valid JSON.
	set(&o, "c", []byte(`[1,`))
	require.Equal(t, `{"a":"x","b":null,"c":[1,}`, string(o.AppendJSON(nil)))

	// Under Check it is validated as Set validates.
	prev := trusted.Check.Swap(true)
	t.Cleanup(func() { trusted.Check.Store(prev) })
	require.PanicsWithValue(t, `rollout: trusted set of "d": the value is not one JSON value: "[1,"`, func() { set(&o, "d", []byte(`[1,`)) })
	require.Panics(t, func() { set(&o, "d", []byte(`NaN`)) })
	set(&o, "d", []byte(` {"k": [1.5e-3, true]} `))
	v, ok := o.Get("d")
	require.True(t, ok)
	require.Equal(t, ` {"k": [1.5e-3, true]} `, string(v))
}
