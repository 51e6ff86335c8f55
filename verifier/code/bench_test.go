package code_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/gymkit/gym/verifier/code"
)

// BenchmarkOverhead measures what the sandbox adds to a run: each
// iteration runs a bare `python3 -c pass`, a bare `python3 -I -B -S -c
// pass` (the interpreter flags the sandbox uses) and the program `pass` in
// the sandbox, and reports the three and the differences: overhead-ms
// against the bare run, machinery-ms against the same flags (the cost of
// the directory, pipes, limits, guard and teardown).
func BenchmarkOverhead(b *testing.B) {
	sb, _ := sandbox(b)
	ctx := context.Background()
	var bare, flags, boxed, bareCPU, flagsCPU, boxedCPU time.Duration
	run := func(args ...string) (time.Duration, time.Duration) {
		start := time.Now()
		cmd := exec.Command(sb.Python(), args...)
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	for b.Loop() {
		wall, cpu := run("-c", "pass")
		bare, bareCPU = bare+wall, bareCPU+cpu
		wall, cpu = run("-I", "-B", "-S", "-c", "pass")
		flags, flagsCPU = flags+wall, flagsCPU+cpu
		start := time.Now()
		out, err := sb.Run(ctx, code.Program{Source: "pass"})
		if err != nil || out.ExitCode != 0 {
			b.Fatal(err, out)
		}
		boxed += time.Since(start)
		boxedCPU += out.CPU
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(bare), "bare-ms")
	b.ReportMetric(ms(flags), "bare-IBS-ms")
	b.ReportMetric(ms(boxed), "sandbox-ms")
	b.ReportMetric(ms(boxed-bare), "overhead-ms")
	b.ReportMetric(ms(boxed-flags), "machinery-ms")
	b.ReportMetric(ms(boxedCPU-bareCPU), "overhead-cpu-ms")
	b.ReportMetric(ms(boxedCPU-flagsCPU), "machinery-cpu-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCheck grades a one-test program the LiveCodeBench way (the
// harness imports what LiveCodeBench's grader imports).
func BenchmarkCheck(b *testing.B) {
	sb, _ := sandbox(b)
	tests := code.Tests{Inputs: []string{"2\n"}, Outputs: []string{"4"}}
	for b.Loop() {
		res, err := sb.Check(context.Background(), "n = int(input())\nprint(n * n)", tests, 10*time.Second)
		if err != nil || !res.Passed() {
			b.Fatal(err, res)
		}
	}
}
