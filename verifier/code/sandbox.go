package code

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed harness.py
var harness string

// ErrNoPython reports that no python3 interpreter was found: the sandbox
// runs programs with python3 (3.9 or newer).
var ErrNoPython = errors.New("code: python3 (3.9 or newer) is needed to run programs and was not found")

// Limits bound what one program may use. A zero field takes its default.
// In YAML (code_gen's sandbox:), durations are written "10s".
type Limits struct {
	// Wall bounds a run's wall-clock time; the process group is killed when
	// it passes. Run's default is 10s; Check's is LiveCodeBench's global
	// timeout, (per-test timeout + 1 s) × number of tests + 5 s.
	Wall time.Duration `yaml:"wall"`

	// CPU is the RLIMIT_CPU of the process, rounded up to whole seconds
	// (default: the wall limit).
	CPU time.Duration `yaml:"cpu"`

	// Memory is the RLIMIT_AS and RLIMIT_DATA of the process, in bytes
	// (default 4 GiB, LiveCodeBench's memory limit).
	Memory int64 `yaml:"memory"`

	// Processes is the RLIMIT_NPROC of the process (default 512). The
	// kernel counts every process and thread of the user against it, and
	// does not apply it to root; the interpreter guard refuses new
	// processes in any case.
	Processes int `yaml:"processes"`

	// FileSize is the RLIMIT_FSIZE of the process, in bytes (default
	// 64 MiB): the largest file a program may write in its directory.
	FileSize int64 `yaml:"file_size"`

	// OpenFiles is the RLIMIT_NOFILE of the process (default 256).
	OpenFiles int `yaml:"open_files"`

	// Output caps what is kept of a run's stdout and of its stderr, each
	// (default 1 MiB); the rest is read and dropped.
	Output int `yaml:"output"`
}

func (l Limits) withDefaults() Limits {
	if l.Memory <= 0 {
		l.Memory = 4 << 30
	}
	if l.Processes <= 0 {
		l.Processes = 512
	}
	if l.FileSize <= 0 {
		l.FileSize = 64 << 20
	}
	if l.OpenFiles <= 0 {
		l.OpenFiles = 256
	}
	if l.Output <= 0 {
		l.Output = 1 << 20
	}
	return l
}

// maxResult caps the result frame a graded program's harness writes.
const maxResult = 16 << 20

// Sandbox runs Python programs, each in its own process group and
// temporary directory, under Limits, with a scrubbed environment, at most
// Parallelism at a time. It is safe for concurrent use.
type Sandbox struct {
	python string
	py     *interpreter
	limits Limits
	dir    string
	sem    chan struct{}
	debug  io.Writer
}

// Option configures a Sandbox.
type Option func(*Sandbox)

// WithLimits sets the limits of every program.
func WithLimits(l Limits) Option { return func(s *Sandbox) { s.limits = l } }

// WithParallelism bounds how many programs run at once (NeMo Gym's
// num_processes); n < 1 means 1. The default is 1.
func WithParallelism(n int) Option {
	return func(s *Sandbox) { s.sem = make(chan struct{}, max(n, 1)) }
}

// WithDir sets the directory under which each program gets its temporary
// directory (default os.TempDir()).
func WithDir(dir string) Option { return func(s *Sandbox) { s.dir = dir } }

// WithPython sets the interpreter (default: python3 on PATH).
func WithPython(path string) Option { return func(s *Sandbox) { s.python = path } }

// WithDebug makes the sandbox write what graded programs print, and why a
// run ended without a result, to w (NeMo Gym's debug).
func WithDebug(w io.Writer) Option { return func(s *Sandbox) { s.debug = w } }

// New returns a Sandbox. It fails with ErrNoPython when there is no
// python3 (3.9 or newer: audit hooks, ast.unparse).
func New(opts ...Option) (*Sandbox, error) {
	s := &Sandbox{sem: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	s.limits = s.limits.withDefaults()
	py, err := resolvePython(s.python)
	if err != nil {
		return nil, err
	}
	s.python, s.py = py.exe, py
	if s.dir == "" {
		s.dir = os.TempDir()
	}
	if err := supported(); err != nil {
		return nil, err
	}
	return s, nil
}

// Python returns the interpreter the sandbox runs: the real executable
// behind python3 (a version manager's shim is resolved once, as it needs
// the environment the sandbox scrubs).
func (s *Sandbox) Python() string { return s.python }

// interpreter is a resolved python3: its executable, its site-packages
// directories and the harness compiled by it.
type interpreter struct {
	exe     string
	site    []string
	harness []byte // marshal.dumps of the compiled harness
}

var pythons sync.Map // name → *interpreter

// bootstrap is the whole -c program: it reads the compiled harness from
// fd 3 (a 10-digit length, then the marshalled code) and runs it. Compiling
// the harness once, not per run, saves milliseconds a run.
const bootstrap = `import marshal, os
def _take(n):
    b = b""
    while len(b) < n:
        c = os.read(3, n - len(b))
        if not c:
            raise SystemExit(70)
        b += c
    return b
exec(marshal.loads(_take(int(_take(10)))))
`

// probe prints what resolvePython needs, and the compiled harness read on
// stdin, in one run.
const probe = `import json, marshal, site, sys
ok = sys.version_info >= (3, 9)
code = marshal.dumps(compile(sys.stdin.read(), "<string>", "exec")) if ok else b""
head = json.dumps({"ok": ok, "exe": sys.executable, "site": [p for p in site.getsitepackages() if p]})
sys.stdout.buffer.write(head.encode() + b"\n" + code)
`

func resolvePython(name string) (*interpreter, error) {
	if name == "" {
		name = "python3"
	}
	if p, ok := pythons.Load(name); ok {
		return p.(*interpreter), nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoPython, err)
	}
	cmd := exec.Command(path, "-c", probe)
	cmd.Stdin = strings.NewReader(harness)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not run: %v", ErrNoPython, path, err)
	}
	head, code, _ := bytes.Cut(out, []byte("\n"))
	var info struct {
		OK   bool     `json:"ok"`
		Exe  string   `json:"exe"`
		Site []string `json:"site"`
	}
	if err := json.Unmarshal(head, &info); err != nil {
		return nil, fmt.Errorf("%w: %s answers %.80q", ErrNoPython, path, head)
	}
	if !info.OK {
		return nil, fmt.Errorf("%w: %s is older than 3.9", ErrNoPython, path)
	}
	py := &interpreter{exe: info.Exe, site: info.Site, harness: code}
	if py.exe == "" {
		py.exe = path
	}
	pythons.Store(name, py)
	return py, nil
}

// Program is a Python program and its standard input.
type Program struct {
	Source string
	Stdin  []byte
}

// Outcome is how a program ran.
type Outcome struct {
	Stdout, Stderr []byte
	// Truncated says output beyond Limits.Output was dropped.
	Truncated bool
	// ExitCode is the process's exit status, -1 if a signal ended it.
	ExitCode int
	// TimedOut says the wall limit passed and the sandbox killed it.
	TimedOut bool
	Elapsed  time.Duration
	// CPU is the user and system time the process used.
	CPU time.Duration
}

// Run runs a program as python3 would run a file holding its source, in
// a fresh directory, and returns how it ran. The run ends when the process
// exits (closing its file descriptor 4, which the sandbox watches, counts as
// exiting) or Limits.Wall passes. Its error is for the sandbox
// failing to run it, or ctx ending first; a program that fails is an
// Outcome with a non-zero ExitCode.
func (s *Sandbox) Run(ctx context.Context, p Program) (*Outcome, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	wall := s.limits.Wall
	if wall <= 0 {
		wall = 10 * time.Second
	}
	out, err := s.exec(ctx, job{mode: "run", data: []byte(p.Source), stdin: p.Stdin, wall: wall})
	if err != nil {
		return nil, err
	}
	o := &Outcome{Stdout: out.stdout.Bytes(), Stderr: out.stderr.Bytes(), Truncated: out.stdout.dropped || out.stderr.dropped,
		ExitCode: out.state.ExitCode(), TimedOut: out.timedOut, Elapsed: out.elapsed,
		CPU: out.state.UserTime() + out.state.SystemTime()}
	return o, nil
}

func (s *Sandbox) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sandbox) release() { <-s.sem }

type job struct {
	mode  string
	data  []byte // written to the harness on fd 3
	stdin []byte
	wall  time.Duration
}

type ran struct {
	stdout, stderr capped
	result         capped
	state          *os.ProcessState
	timedOut       bool
	elapsed        time.Duration
}

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	bytes.Buffer
	max     int
	dropped bool
}

func (c *capped) readFrom(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			keep := min(n, c.max-c.Len())
			if keep > 0 {
				c.Write(buf[:keep])
			}
			if keep < n {
				c.dropped = true
			}
		}
		if err != nil {
			return
		}
	}
}

// scrubbedEnv is the whole environment a program gets: nothing of the
// caller's (no tokens, keys or proxies), its directory as home and temp.
func scrubbedEnv(dir string) []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + dir,
		"TMPDIR=" + dir,
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
		"OMP_NUM_THREADS=1",
	}
}

// exec runs the harness for one job and tears everything down: the whole
// process group is killed and the directory removed on every path.
func (s *Sandbox) exec(ctx context.Context, j job) (r *ran, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.dir, "gym-code-")
	if err != nil {
		return nil, fmt.Errorf("code: sandbox directory: %w", err)
	}
	defer func() {
		if rmErr := removeAll(dir); rmErr != nil && err == nil {
			err = fmt.Errorf("code: remove sandbox directory: %w", rmErr)
		}
	}()

	cpu := s.limits.CPU
	if cpu <= 0 {
		cpu = j.wall
	}
	secs := func(d time.Duration) string { return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10) }
	l := s.limits
	// -I: no user site, no PYTHON* variables; -B: no bytecode written; -S:
	// no site processing (.pth files cost tens of milliseconds), the
	// harness puts site-packages on sys.path itself.
	args := append([]string{"-I", "-B", "-S", "-c", bootstrap, j.mode, secs(cpu),
		strconv.FormatInt(l.Memory, 10), strconv.Itoa(l.Processes), strconv.FormatInt(l.FileSize, 10), strconv.Itoa(l.OpenFiles)},
		s.py.site...)
	cmd := exec.Command(s.python, args...)
	cmd.Dir = dir
	cmd.Env = scrubbedEnv(dir)
	cmd.SysProcAttr = sysProcAttr()

	var pipes []*os.File // every end this side holds, closed on return
	defer func() {
		for _, f := range pipes {
			f.Close()
		}
	}()
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			pipes = append(pipes, r, w)
		}
		return
	}
	jobR, jobW, err := pipe()
	if err != nil {
		return nil, err
	}
	resR, resW, err := pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := pipe()
	if err != nil {
		return nil, err
	}
	var inR, inW *os.File
	if j.stdin != nil {
		if inR, inW, err = pipe(); err != nil {
			return nil, err
		}
		cmd.Stdin = inR
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.ExtraFiles = []*os.File{jobR, resW} // fds 3 and 4

	r = &ran{stdout: capped{max: l.Output}, stderr: capped{max: l.Output}, result: capped{max: maxResult}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("code: start %s: %w", s.python, err)
	}
	pgid := cmd.Process.Pid
	// The child holds its ends now; closing ours lets EOF mean "exited".
	for _, f := range []*os.File{jobR, resW, outW, errW, inR} {
		if f != nil {
			f.Close()
		}
	}

	var wg sync.WaitGroup
	feed := func(w *os.File, data []byte) {
		wg.Go(func() {
			w.Write(data) // a program that exits without reading fails it: fine
			w.Close()
		})
	}
	frame := make([]byte, 0, 10+len(s.py.harness)+len(j.data))
	frame = fmt.Appendf(frame, "%010d", len(s.py.harness))
	frame = append(frame, s.py.harness...)
	feed(jobW, append(frame, j.data...))
	if inW != nil {
		feed(inW, j.stdin)
	}
	wg.Go(func() { r.stdout.readFrom(outR) })
	wg.Go(func() { r.stderr.readFrom(errR) })
	finished := make(chan struct{})
	wg.Go(func() {
		r.result.readFrom(resR) // EOF: every process of the run closed fd 4
		close(finished)
	})

	timer := time.NewTimer(j.wall)
	defer timer.Stop()
	var ctxErr error
	select {
	case <-finished:
	case <-timer.C:
		r.timedOut = true
	case <-ctx.Done():
		ctxErr = ctx.Err()
	}
	// Kill the group before reaping its leader, so the group id cannot have
	// been reused: every process the program started dies with it.
	killGroup(pgid)
	_ = cmd.Wait()
	r.state = cmd.ProcessState
	r.elapsed = time.Since(start)

	// A process that left the group could still hold a pipe: stop waiting
	// for it shortly.
	stop := time.Now().Add(200 * time.Millisecond)
	for _, f := range []*os.File{outR, errR, resR} {
		f.SetReadDeadline(stop)
	}
	for _, f := range []*os.File{jobW, inW} {
		if f != nil {
			f.SetWriteDeadline(stop)
		}
	}
	wg.Wait()
	if ctxErr != nil {
		return nil, ctxErr
	}
	return r, nil
}

// removeAll removes a sandbox directory even where the program took the
// permissions off its own subdirectories.
func removeAll(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if d != nil && d.IsDir() {
			_ = os.Chmod(path, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
