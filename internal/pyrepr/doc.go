// Package pyrepr writes Python's repr of scalar values — str and float —
// as error messages and tool outputs quote them, for the packages that
// reproduce Python text byte for byte.
package pyrepr
