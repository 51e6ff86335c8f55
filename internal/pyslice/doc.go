// Package pyslice holds Python's slice rules, for the packages that
// reproduce Python's s[start:end] on lists and strings.
package pyslice
