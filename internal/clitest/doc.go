// Package clitest runs the gym command line in tests, as a user would: with
// the bundled implementations, from a given folder.
package clitest
