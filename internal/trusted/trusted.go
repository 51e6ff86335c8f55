// Package trusted lets the module's converters put JSON values they have
// built themselves into a rollout.Object without rollout validating them
// again. A 64k-token generation carries megabytes of token ids, logprobs
// and text that its converter writes valid by construction; checking them
// once more on Set was a fifth of the conversion.
//
// It is not a way for users to put invalid JSON into an Object: only
// packages of this module can import an internal package. Package rollout
// installs the setter when it initializes (rollout/trusted.go); this
// package cannot name rollout's types (rollout imports it), so a user gets
// the typed setter with Setter, once, at initialization:
//
//	var setRaw = trusted.Setter[rollout.Object]()
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
