package code_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/code"
)

// Hostile programs score 0 with LiveCodeBench's result codes, and leave
// nothing behind: every sandbox of these tests checks, when the test ends,
// that no directory and no process of its programs remains.
func TestHostilePrograms(t *testing.T) {
	// The wall limit is generous, so that a loaded machine does not turn a
	// per-test timeout into a kill; the loop in C has a sandbox of its own.
	sb, _ := sandbox(t, code.WithLimits(code.Limits{Wall: 30 * time.Second, Memory: 256 << 20,
		FileSize: 1 << 20, Output: 64 << 10}))
	quick, _ := sandbox(t, code.WithLimits(code.Limits{Wall: 2 * time.Second, Memory: 256 << 20}))
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o644))
	target := filepath.Join(outside, "written.txt")
	q := func(s string) string { return fmt.Sprintf("%q", s) }

	cases := []struct {
		name, program string
		call          bool   // call-based
		quick         bool   // in the sandbox with a 2 s wall limit
		result        string // the results, as JSON
		error         string // a part of metadata's error, if any
		message       string // metadata's error_message, if set
		timeout       time.Duration
	}{
		{name: "loop", program: "while True:\n    pass", result: "[-3]", error: "TimeoutException()"},
		{name: "loop in C, deaf to the alarm", program: "sum(range(10**13))", result: "[-1]", quick: true},
		{name: "fork bomb", program: "import os\nwhile True:\n    os.fork()", result: "[-4]", error: "'NoneType' object is not callable"},
		{name: "fork bomb past LiveCodeBench's guard", program: "import posix\nwhile True:\n    posix.fork()", result: "[-4]", error: "sandbox: os.fork is not allowed"},
		{name: "fork bomb by multiprocessing", program: "import multiprocessing as mp\nwhile True:\n    mp.Process(target=print).start()", result: "[-4]"},
		{name: "shell fork bomb", program: "import subprocess\nsubprocess.run(['sh', '-c', ':(){ :|:& };:'])", result: "[-4]", error: "'NoneType' object is not callable"},
		{name: "shell past the guard", program: "import posix\nposix.system('touch " + target + "')", result: "[-4]", error: "sandbox: os.system is not allowed"},
		{name: "exec past the guard", program: "import posix\nposix.execv('/bin/sh', ['sh', '-c', 'touch " + target + "'])", result: "[-4]", error: "sandbox: os.exec is not allowed"},
		{name: "thread bomb", program: "import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()", result: "[-4]"},
		{name: "10 GB at once", program: "x = bytearray(10 * 1024**3)\nprint(len(x))", result: "[-4]", error: "MemoryError()"},
		{name: "memory bit by bit", program: "a = []\nwhile True:\n    a.append(bytearray(10**7))", result: "[-4]", error: "MemoryError()", timeout: 4 * time.Second},
		// The captured output outgrows the memory limit when the capture
		// hands it over, outside the test's try: LiveCodeBench's "Error
		// during testing: " with MemoryError's empty message.
		{name: "flood the captured stdout", program: "while True:\n    print('x' * 100000)", result: "[-4]", message: "Error during testing: ", timeout: 4 * time.Second},
		{name: "flood the real stdout", program: "import os\nwhile True:\n    os.write(1, b'x' * 65536)", result: "[-3]"},
		{name: "flood stderr", program: "import sys\nwhile True:\n    sys.stderr.write('x' * 65536)", result: "[-3]"},
		{name: "write outside with open", program: "open(" + q(target) + ", 'w').write('x')", result: "[-4]", error: "outside the program's directory"},
		{name: "write outside with pathlib", program: "import pathlib\npathlib.Path(" + q(target) + ").write_text('x')", result: "[-4]", error: "outside the program's directory"},
		{name: "write outside with os.open", program: "import os\nos.open(" + q(target) + ", os.O_WRONLY | os.O_CREAT)", result: "[-4]", error: "outside the program's directory"},
		{name: "write outside through a symlink", program: "import posix\nposix.symlink(" + q(outside) + ", 'l')\nopen('l/written.txt', 'w')", result: "[-4]", error: "outside the program's directory"},
		{name: "remove outside", program: "import posix\nposix.unlink(" + q(victim) + ")", result: "[-4]", error: "sandbox: os.remove"},
		{name: "rename outside", program: "import posix\nposix.rename(" + q(victim) + ", 'stolen')", result: "[-4]", error: "sandbox: os.rename"},
		{name: "hard link from outside", program: "import posix\nposix.link(" + q(victim) + ", 'mine')", result: "[-4]", error: "sandbox: os.link"},
		{name: "kill the parent", program: "import posix\nposix.kill(posix.getppid(), 9)", result: "[-4]", error: "sandbox: os.kill"},
		{name: "raise the limits", program: "import importlib, sys\ndel sys.modules['resource']\nr = importlib.import_module('resource')\nr.setrlimit(r.RLIMIT_AS, (-1, -1))", result: "[-4]", error: "sandbox: resource.setrlimit"},
		{name: "native code", program: "import ctypes\nctypes.CDLL(None).fork()", result: "[-4]"},
		{name: "network", program: "import socket\nsocket.create_connection(('127.0.0.1', 9))", result: "[-4]", error: "sandbox: socket"},
		{name: "leave the group", program: "import os\nos.setsid()", result: "[-4]", error: "'NoneType' object is not callable"},
		{name: "crash", program: "import faulthandler, signal, os\nsignal.raise_signal(signal.SIGSEGV)", result: "[-1]"},
		{name: "write a huge file inside", program: "with open('big', 'wb') as f:\n    f.write(b'x' * (2 << 20))", result: "[-4]", error: "OSError(27, 'File too large')"},
		{name: "write outside, call-based", call: true, program: "def f(x):\n    open(" + q(target) + ", 'w').write('x')\n    return x", result: "[-4]", error: "outside the program's directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tests := stdio("", "1")
			if c.call {
				tests = code.Tests{Inputs: []string{"1"}, Outputs: []string{"1"}, FnName: fn("f")}
			}
			timeout := c.timeout
			if timeout == 0 {
				timeout = time.Second
			}
			box := sb
			if c.quick {
				box = quick
			}
			res := check(t, box, c.program, tests, timeout)
			require.Equal(t, c.result, results(t, res), "metadata %s", res.Metadata)
			require.False(t, res.Passed())
			if c.error != "" {
				got, _ := meta(t, res)["error"].(string)
				require.Contains(t, got, c.error, "metadata %s", res.Metadata)
			}
			if c.message != "" {
				require.Equal(t, c.message, meta(t, res)["error_message"])
			}
			if c.result == "[-1]" {
				require.Equal(t, "null", string(res.Metadata))
			}
		})
	}
	t.Cleanup(func() {
		_, err := os.Stat(target)
		require.True(t, os.IsNotExist(err), "a program wrote %s", target)
		b, err := os.ReadFile(victim)
		require.NoError(t, err, "a program removed %s", victim)
		require.Equal(t, "keep", string(b))
		entries, err := os.ReadDir(outside)
		require.NoError(t, err)
		require.Len(t, entries, 1, "a program wrote in %s", outside)
	})
}

// Run is held to the same limits: output is capped, the wall limit kills,
// the environment is scrubbed.
func TestRunLimits(t *testing.T) {
	t.Setenv("GYM_TEST_SECRET_TOKEN", "s3cr3t")
	sb, _ := sandbox(t, code.WithLimits(code.Limits{Wall: 2 * time.Second, Memory: 256 << 20, Output: 4096}))
	ctx := context.Background()

	out, err := sb.Run(ctx, code.Program{Source: "import os\nprint(sorted(os.environ))\nprint(os.getcwd() == os.environ['HOME'])"})
	require.NoError(t, err)
	require.Equal(t, 0, out.ExitCode, "%s", out.Stderr)
	require.NotContains(t, string(out.Stdout), "GYM_TEST_SECRET_TOKEN")
	require.Contains(t, string(out.Stdout), "'HOME', 'LANG', 'LC_ALL', 'OMP_NUM_THREADS', 'PATH', 'TMPDIR'")
	require.Contains(t, string(out.Stdout), "True")

	// Every limit is set, soft and hard alike.
	out, err = sb.Run(ctx, code.Program{Source: "import resource as r\nfor n in ('CPU', 'AS', 'DATA', 'NPROC', 'FSIZE', 'NOFILE', 'CORE'):\n    print(n, *r.getrlimit(getattr(r, 'RLIMIT_' + n)))"})
	require.NoError(t, err)
	require.Equal(t, "CPU 2 2\nAS 268435456 268435456\nDATA 268435456 268435456\nNPROC 512 512\nFSIZE 67108864 67108864\nNOFILE 256 256\nCORE 0 0\n", string(out.Stdout), "%s", out.Stderr)

	out, err = sb.Run(ctx, code.Program{Source: "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)"})
	require.NoError(t, err)
	require.True(t, out.TimedOut)
	require.True(t, out.Truncated)
	require.Equal(t, bytes.Repeat([]byte("y"), 4096), out.Stdout)
	require.Equal(t, -1, out.ExitCode)

	out, err = sb.Run(ctx, code.Program{Source: "import sys\nprint(sys.stdin.read()[::-1])\nsys.exit(3)", Stdin: []byte("abc")})
	require.NoError(t, err)
	require.Equal(t, "cba\n", string(out.Stdout))
	require.Equal(t, 3, out.ExitCode)
	require.False(t, out.TimedOut)

	out, err = sb.Run(ctx, code.Program{Source: "import os\nos.fork()"})
	require.NoError(t, err)
	require.Equal(t, 1, out.ExitCode)
	require.Contains(t, string(out.Stderr), "PermissionError: sandbox: os.fork is not allowed")

	// Files inside the directory are fine, and go with it.
	out, err = sb.Run(ctx, code.Program{Source: "import os\nos.makedirs('a/b')\nopen('a/b/c', 'w').write('x')\nos.chmod('a', 0)\nprint(os.listdir('.'))"})
	require.NoError(t, err)
	require.Equal(t, 0, out.ExitCode, "%s", out.Stderr)
	require.Equal(t, "['a']\n", string(out.Stdout))
}

// A program that sleeps in a thread after its result is written, or
// leaves a child behind, is killed with its group.
func TestNothingOutlivesACheck(t *testing.T) {
	sb, base := sandbox(t)
	res := check(t, sb, "import threading, time\nthreading.Thread(target=time.sleep, args=(600,)).start()\nprint(1)", stdio("", "1"), time.Second)
	require.Equal(t, "[true]", results(t, res))
	require.Empty(t, processesIn(base))
	require.False(t, strings.Contains(string(res.Metadata), "error"))
}
