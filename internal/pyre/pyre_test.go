package pyre_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/pyre"
)

func TestCompile(t *testing.T) {
	// Python: re.search(r"\bé\w+\b", "café éclair") matches "éclair";
	// \s matches U+001F; (?P<x>...) names a group.
	re, err := pyre.Compile(`\bé\w+\b`, 0)
	require.NoError(t, err)
	m, err := re.FindStringMatch("café éclair")
	require.NoError(t, err)
	require.Equal(t, "éclair", m.String())
	re, err = pyre.Compile(`a\sb`, 0)
	require.NoError(t, err)
	ok, err := re.MatchString("a\x1fb")
	require.NoError(t, err)
	require.True(t, ok)
	re, err = pyre.Compile(`(?P<x>\d)(?P=x)`, 0)
	require.NoError(t, err)
	ok, err = re.MatchString("a11")
	require.NoError(t, err)
	require.True(t, ok)
	_, err = pyre.Compile(`([`, 0)
	require.Error(t, err)
}
