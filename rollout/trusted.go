package rollout

import (
	"fmt"

	"github.com/gymkit/gym/internal/trusted"
)

// The module's converters set values they have built themselves, valid by
// construction, without the validation Set does (see package
// internal/trusted); under trusted.Check they are validated all the same,
// as Set validates them.
func init() {
	trusted.Install(func(o *Object, name string, value []byte) {
		if trusted.Check.Load() && len(value) > 0 && !validValue(value) {
			panic(fmt.Sprintf("rollout: trusted set of %q: the value is not one JSON value: %.80q", name, value))
		}
		o.set(name, value)
	})
}
