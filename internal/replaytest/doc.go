// Package replaytest reads recorded rollouts for the tests and benchmarks
// of environment packages: each as the verify request it was, its task
// fields restored from the dataset it was collected from.
package replaytest
