// Package code runs untrusted Python programs in a sandbox and grades them
// against unit tests as LiveCodeBench does (NeMo Gym's code_gen server,
// resources_servers/code_gen/lcb_integration).
//
//	sb, err := code.New(code.WithParallelism(8))
//	if err != nil {
//		return err // code.ErrNoPython: python3 is needed
//	}
//	program := code.Extract(answer) // the last ``` block of the model's answer
//	res, err := sb.Check(ctx, program, code.Tests{Inputs: []string{"2\n"}, Outputs: []string{"4"}}, 10*time.Second)
//	// res.Results: [true] or [true, -2] ...; res.Metadata: LiveCodeBench's metadata
//
// # Grading
//
// Check is LiveCodeBench's check_correctness: the program and all its
// tests run in one python3 process; the program is compiled with
// LiveCodeBench's star imports, a standard-input program is wrapped in a
// function (its `if __name__ == '__main__':` block unwrapped) and called
// once per test with sys.stdin replaced by LiveCodeBench's mock and
// sys.stdout captured (open() is patched too, but the star import of
// builtins binds the real one first, and the patches of sys.stdin.readline
// and friends land on the real stdin, as under LiveCodeBench); a call-based program (Tests.FnName) has the function called
// with each test's JSON arguments. Outputs compare as LiveCodeBench
// compares them: stripped lines, equal as strings or, failing that, as
// lists of decimals; call-based results by ==, by their JSON, or as floats
// within numpy.allclose's tolerance (computed without numpy). The run stops
// at the first test that does not pass. Result codes: true (passed), false
// (call-based wrong answer), -1 (no result: the global timeout passed, a
// limit was hit, the process crashed or exited), -2 (wrong answer), -3
// (per-test timeout), -4 (runtime or compile error: "Error during testing:
// ..." when the tests could not start). Metadata is LiveCodeBench's, key
// for key: "Wrong answer at output_line_idx=0: 4 != 9", repr(exception),
// truncated inputs and outputs, "execution time" in seconds.
//
// Quirks of LiveCodeBench that Check keeps: the per-test timeout is
// signal.alarm's, whole seconds, and 0 means no timeout; the global timeout
// is (timeout + 1) × tests + 5 seconds; a test list that is empty passes;
// a program that exits or crashes loses the result of the tests it passed;
// LiveCodeBench's reliability guard (os.fork, os.remove, subprocess.Popen,
// ... set to None; RLIMIT_DATA and RLIMIT_STACK soft limits raised to
// 4 GiB where the hard limit allows) is applied, so a program calling
// os.fork gets the same TypeError as under NeMo Gym. A traceback in the
// metadata names the sandbox's own frames ("<string>") where NeMo Gym's
// names testing_util.py and unittest/mock.py: LiveCodeBench's patches of
// sys.stdin and builtins.open are made by hand, in the order its stacked
// mock.patch decorators make them (importing unittest.mock would cost more
// than the rest of a run; builtins.open becomes mock_open(read_data=input)
// when first used).
//
// Messages in the metadata are the interpreter's (repr of the exception,
// SyntaxError texts): they equal NeMo Gym's when python3 is the version its
// server runs; "'(' was never closed" is Python 3.10's wording, for one.
// The package's testdata/livecodebench.json holds programs (standard-input
// and call-based, every result code, stdin patch and comparison rule) with
// the result and metadata LiveCodeBench's testing_util gives them; the
// tests hold Check to it.
//
// # Sandbox
//
// Every program runs in a fresh python3 process (-I -B -S: no user site,
// no PYTHON* variables, no bytecode written, no site processing — the
// interpreter's site-packages directories are put on sys.path and exit,
// quit and help defined as site does, but .pth files are not run, which
// saves tens of milliseconds a run) that is the leader of its own process
// group, in a fresh temporary directory that is its working
// directory, home and TMPDIR, with only PATH, HOME, TMPDIR, LANG, LC_ALL
// and OMP_NUM_THREADS in its environment. Before the program runs, the
// process sets its own RLIMIT_CPU, RLIMIT_AS and RLIMIT_DATA, RLIMIT_NPROC,
// RLIMIT_FSIZE, RLIMIT_NOFILE and RLIMIT_CORE (soft = hard: an
// unprivileged program cannot raise them) and installs an audit hook that
// refuses, with PermissionError: new processes (fork, exec, spawn, system,
// subprocess), signals to other processes, changing resource limits,
// ctypes, sockets, changing directory, and writing, creating, renaming or
// removing files outside its directory. At most Parallelism programs run at
// once; stdout and stderr are drained and capped (Limits.Output). When the
// program's result arrives, the wall limit passes or ctx ends, the whole
// process group is killed before its leader is reaped, and the directory is
// removed, on every path.
//
// The audit hook is a guard inside the interpreter, not a kernel boundary:
// a program that corrupts the interpreter could get past it, and the
// graded program shares its interpreter with the grader (as under
// LiveCodeBench), so it could forge its own grade. The kernel limits hold
// regardless, except that Linux does not apply RLIMIT_NPROC to root and
// lets root raise its limits; run the sandbox as an unprivileged user where
// that matters.
package code
