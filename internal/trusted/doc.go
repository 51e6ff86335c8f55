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
