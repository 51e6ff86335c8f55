package trusted_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/trusted"
	"github.com/gymkit/gym/rollout"
)

func TestSetter(t *testing.T) {
	set := trusted.Setter[rollout.Object]()
	var o rollout.Object
	set(&o, "ids", []byte(`[1,2,3]`))
	require.Equal(t, `{"ids":[1,2,3]}`, string(o.AppendJSON(nil)))

	// A type rollout installed no setter for is a programming error.
	require.PanicsWithValue(t, "trusted: no setter installed for *rollout.Item", func() { trusted.Setter[rollout.Item]() })
}
