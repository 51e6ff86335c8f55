package trusted

import (
	"fmt"
	"sync/atomic"
)

// Check makes the installed setter validate every value anyway, as
// rollout.Object.Set does, and panic on one that is not one JSON value:
// tests and fuzz targets turn it on to check the converters' promise.
var Check atomic.Bool

var set any

// Install installs the setter of objects of type O. Package rollout calls
// it from an init function.
func Install[O any](f func(o *O, name string, value []byte)) { set = f }

// Setter returns the setter installed for objects of type O. It panics if
// there is none, which is a programming error found at initialization.
func Setter[O any]() func(o *O, name string, value []byte) {
	f, ok := set.(func(o *O, name string, value []byte))
	if !ok {
		panic(fmt.Sprintf("trusted: no setter installed for %T", (*O)(nil)))
	}
	return f
}
