package schema

// nonStringKey starts the key a map of a parsed document gets for a key
// that is no string: YAML's 1: or true:, or the None key under which
// csv.DictReader puts the surplus fields of a row. Python keeps those keys
// as ints, bools or None, which never equal a property name; the prefix
// (a NUL character, which no property name of a dataset has) keeps them
// apart from the string keys in the same way. What follows it is the
// Python repr of the key.
const nonStringKey = "\x00"

// NonStringKey returns the map key standing for a Python key that is not a
// string, given by its repr ("1", "True", "None").
func NonStringKey(repr string) string { return nonStringKey + repr }
