// Package pyre runs Python regular expressions on regexp2 (.NET syntax)
// with Python's meaning: Translate rewrites the classes whose members
// differ (\s, \w, \b) and Python's named-group syntax.
package pyre
