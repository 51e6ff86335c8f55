# The program the sandbox runs (compiled once, read from fd 3 by the -c
# bootstrap of python3 -I -B -S): it limits itself, guards the interpreter,
# then runs a program ("run") or grades one the way LiveCodeBench's
# testing_util does ("check").
#
#   argv: <mode> <cpu seconds> <address space bytes> <processes> <file bytes> <open files> <site dir>...
#   fd 3: after the harness, the job (a program's source for "run"; a JSON
#         object for "check")
#   fd 4: the result, written once as <nonce> <JSON> (check only)
#
# A limit of 0 leaves that limit as it is.
import io
import os
import sys


def _read_all(fd):
    chunks = []
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks)


def _limit(cpu, address_space, processes, file_size, open_files):
    import resource

    def cap(which, value):
        if value <= 0:
            return
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and hard < value:
            value = hard
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_CPU, cpu)
    cap(resource.RLIMIT_AS, address_space)
    cap(resource.RLIMIT_DATA, address_space)
    cap(resource.RLIMIT_NPROC, processes)
    cap(resource.RLIMIT_FSIZE, file_size)
    cap(resource.RLIMIT_NOFILE, open_files)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# Events no graded program may cause: new processes, signals to others,
# raised limits, native code, sockets, leaving the directory.
_DENIED = frozenset(
    (
        "os.fork",
        "os.forkpty",
        "os.exec",
        "os.spawn",
        "os.posix_spawn",
        "os.system",
        "os.startfile",
        "os.kill",
        "os.killpg",
        "os.chdir",
        "os.fchdir",
        "signal.pthread_kill",
        "subprocess.Popen",
        "pty.spawn",
        "resource.setrlimit",
        "resource.prlimit",
        "ctypes.dlopen",
        "ctypes.dlsym",
        "ctypes.dlsym/handle",
        "ctypes.cdata",
        "ctypes.call_function",
        "socket.__new__",
        "socket.bind",
        "socket.connect",
        "socket.sendto",
        "socket.getaddrinfo",
        "sys.remote_exec",
    )
)

# Events that change the file system, with the positions of their paths.
_PATH_ARGS = {
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.chflags": (0,),
    "os.lchflags": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
    "shutil.rmtree": (0,),
    "shutil.move": (1,),
    "shutil.copyfile": (1,),
    "shutil.copymode": (1,),
    "shutil.copystat": (1,),
    "shutil.copytree": (1,),
}


def _guard(root):
    """Install the audit hook that keeps a program in its directory, root,
    and in its one process. It cannot be removed."""
    import posix

    prefix = root + os.sep
    realpath, fspath, join = os.path.realpath, os.fspath, os.path.join
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    allowed = ("/dev/null",)

    def inside(path):
        if isinstance(path, int):
            return True  # an open descriptor: checked when it was opened
        try:
            p = fspath(path)
            if isinstance(p, bytes):
                p = p.decode("utf-8", "surrogateescape")
            if not p.startswith("/"):
                p = join(root, p)
            p = realpath(p)
        except Exception:
            return False
        return p == root or p.startswith(prefix) or p in allowed

    def hook(event, args):
        if event in _DENIED:
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            if path is None:
                return
            writing = False
            if isinstance(mode, str):
                writing = any(c in mode for c in "wax+")
            if isinstance(flags, int) and flags & write_flags:
                writing = True
            if writing and not inside(path):
                raise PermissionError(f"sandbox: writing {path!r} outside the program's directory is not allowed")
            return
        where = _PATH_ARGS.get(event)
        if where is not None:
            for i in where:
                if i < len(args) and args[i] is not None and not inside(args[i]):
                    raise PermissionError(f"sandbox: {event} on {args[i]!r} is not allowed")

    # Calls that raise no audit event.
    for mod in (os, posix):
        for name in ("setsid", "setpgid", "setpgrp", "mkfifo", "mknod", "setuid", "setgid", "chroot"):
            if hasattr(mod, name):
                setattr(mod, name, None)
    try:
        import _posixsubprocess

        _posixsubprocess.fork_exec = None
    except ImportError:
        pass
    sys.addaudithook(hook)


def _run(source, root):
    """Run a program as __main__, as python3 prog.py would."""
    import builtins

    _guard(root)
    main = {"__name__": "__main__", "__builtins__": builtins}
    code = compile(source, "<program>", "exec")
    exec(code, main)


# ---------------------------------------------------------------------------
# Grading, as LiveCodeBench's testing_util.run_test does it.

_IMPORTS = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\n"
    "import statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\n"
    "import json\nsys.setrecursionlimit(50000)\n"
)


class TimeoutException(Exception):
    pass


def _shorten(s, length=300):
    if not isinstance(s, str):
        s = str(s)
    if len(s) <= length:
        return s
    return s[: length // 2] + "...(truncated) ..." + s[-length // 2 :]


# The names are LiveCodeBench's: they show in what a program sees and in
# error messages.
class Capturing(list):
    def __enter__(self):
        self._stdout = sys.stdout
        sys.stdout = self._stringio = io.StringIO()
        self._stringio.close = lambda x: 1
        return self

    def __exit__(self, *args):
        self.append(self._stringio.getvalue())
        del self._stringio
        sys.stdout = self._stdout

class MockBuffer:
    def __init__(self, inputs):
        self.inputs = inputs.encode("utf-8")

    def read(self, *args):
        return self.inputs

    def readline(self, *args):
        return self.inputs.split(b"\n")[0] + b"\n"

class MockStdinWithBuffer:
    def __init__(self, inputs):
        self.inputs = inputs
        self._stringio = io.StringIO(inputs)
        self.buffer = MockBuffer(inputs)

    def read(self, *args):
        return self.inputs

    def readline(self, *args):
        return self._stringio.readline(*args)

    def readlines(self, *args):
        return self.inputs.split("\n")

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._stringio)

    def __getattr__(self, name):
        return getattr(self._stringio, name)


def _patch(undo, target, name, value):
    """Set target.name to value as unittest.mock.patch does, and record how
    to undo it: put a value of the object's own back, or delete the
    attribute that hid the class's."""
    own = name in getattr(target, "__dict__", {})
    original = getattr(target, name)
    setattr(target, name, value)
    if own:
        undo.append(lambda: setattr(target, name, original))
    else:

        def restore():
            delattr(target, name)
            if not hasattr(target, name):
                setattr(target, name, original)

        undo.append(restore)


class LazyMockOpen:
    """builtins.open during a test: LiveCodeBench's mock_open(read_data=
    inputs), made when first used (a program's open() is the real one: its
    star import of builtins binds it first)."""

    def __init__(self, data):
        self._data = data
        self._mock = None

    def _get(self):
        if self._mock is None:
            from unittest.mock import mock_open

            self._mock = mock_open(read_data=self._data)
        return self._mock

    def __call__(self, *args, **kwargs):
        return self._get()(*args, **kwargs)

    def __getattr__(self, name):
        return self._get().__getattribute__(name)


def _check(job, root):
    import ast
    import faulthandler
    import json
    import platform
    import signal
    import time
    from decimal import Decimal
    from types import ModuleType
    import builtins

    debug = bool(job.get("debug"))
    timeout = int(job["timeout"])
    in_outs = job["in_outs"]

    def on_alarm(signum, frame):
        if debug:
            print("timeout occured: alarm went off")
        raise TimeoutException

    def unwrap_main(code):
        try:
            tree = ast.parse(code)
            last = tree.body[-1]
            if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
                code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
        except:  # noqa: E722 (as LiveCodeBench: any failure keeps the code)
            pass
        return code

    def as_function(code):
        try:
            imports, rest = [], []
            for stmt in ast.parse(code).body:
                (imports if isinstance(stmt, (ast.Import, ast.ImportFrom)) else rest).append(stmt)
            fn = ast.FunctionDef(
                name="wrapped_function",
                args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                body=rest,
                decorator_list=[],
                lineno=-1,
            )
            return _IMPORTS + "\n" + ast.unparse(imports) + "\n" + ast.unparse(fn)
        except Exception:
            return code

    def call_with_input(method, inputs):
        # LiveCodeBench patches with unittest.mock decorators; importing it
        # costs more than the rest of a run, so the same patches are made
        # here by hand, entered in the order the stacked decorators enter
        # them: sys.stdin.read, .readlines and .readline (on the real stdin,
        # as sys.stdin is not replaced yet), sys.stdin, builtins.open.
        if isinstance(inputs, list):
            inputs = "\n".join(inputs)
        lines = iter(inputs.split("\n"))
        real = sys.stdin
        undo = []
        try:
            _patch(undo, real, "read", lambda *args: inputs)
            _patch(undo, real, "readlines", lambda *args: inputs.split("\n"))
            _patch(undo, real, "readline", lambda *args: next(lines))
            _patch(undo, sys, "stdin", MockStdinWithBuffer(inputs))
            _patch(undo, builtins, "open", LazyMockOpen(inputs))
            try:
                return method()
            except SystemExit:
                pass
        finally:
            for restore in reversed(undo):
                restore()

    def function_of(sol, name):
        try:
            assert hasattr(sol, name)
            return getattr(sol, name)
        except Exception:
            return None

    def compile_solution(code):
        signal.alarm(timeout)
        try:
            mod = ModuleType("tmp_sol", "")
            exec(code, mod.__dict__)
            sol = mod.Solution() if "class Solution" in code else mod
            assert sol is not None
        finally:
            signal.alarm(0)
        return sol

    def decimals(line):
        try:
            return True, [Decimal(e) for e in line.split()]
        except:  # noqa: E722
            return False, []

    def stripped_lines(val):
        return [line.strip() for line in val.strip().split("\n")]

    def isclose(a, b):
        # numpy.allclose on two floats: |a - b| <= 1e-8 + 1e-5 * |b|.
        if a != a or b != b:
            return False
        if a == b:
            return True
        if a in (float("inf"), float("-inf")) or b in (float("inf"), float("-inf")):
            return False
        return abs(a - b) <= 1e-08 + 1e-05 * abs(b)

    def failure(code, message, exc, inputs, expected):
        meta = {"error": repr(exc), "error_code": code, "error_message": message,
                "inputs": _shorten(inputs), "expected": _shorten(expected)}
        if code == -4:
            import traceback

            meta["traceback"] = traceback.format_exc()
        return meta

    def grade_call_based(code, all_inputs, all_outputs, fn_name):
        code = _IMPORTS + "\n\n" + code
        sol = compile_solution(code)
        if sol is None:
            return
        method = function_of(sol, fn_name)
        if method is None:
            return
        all_inputs = [[json.loads(line) for line in inputs.split("\n")] for inputs in all_inputs]
        all_outputs = [json.loads(output) for output in all_outputs]
        total = 0
        results = []
        for gt_inp, gt_out in zip(all_inputs, all_outputs):
            signal.alarm(timeout)
            faulthandler.enable()
            try:
                start = time.time()
                prediction = method(*gt_inp)
                total += time.time() - start
                signal.alarm(0)
                if isinstance(prediction, tuple):
                    prediction = list(prediction)
                ok = prediction == gt_out
                try:
                    ok = ok or (json.dumps(prediction) == json.dumps(gt_out))
                except Exception:
                    pass
                try:
                    ok = ok or isclose(float(prediction), float(gt_out))
                except Exception:
                    pass
                results.append(ok)
                if not ok:
                    return results, {"output": _shorten(prediction), "inputs": _shorten(gt_inp),
                                     "expected": _shorten(gt_out), "error_code": -2, "error_message": "Wrong Answer"}
            except Exception as e:
                signal.alarm(0)
                if "timeoutexception" in repr(e).lower():
                    results.append(-3)
                    return results, failure(-3, "Time Limit Exceeded", e, gt_inp, gt_out)
                results.append(-4)
                return results, failure(-4, "Runtime Error", e, gt_inp, gt_out)
            finally:
                signal.alarm(0)
                faulthandler.disable()
        return results, {"execution time": total}

    def grade_stdio(code, all_inputs, all_outputs):
        code = as_function(unwrap_main(code))
        sol = compile_solution(code)
        if sol is None:
            return
        method = function_of(sol, "wrapped_function")
        if method is None:
            return
        results = []
        total = 0
        for gt_inp, gt_out in zip(all_inputs, all_outputs):
            signal.alarm(timeout)
            faulthandler.enable()
            signal.alarm(timeout)
            with Capturing() as captured:
                try:
                    start = time.time()
                    call_with_input(method, gt_inp)
                    total += time.time() - start
                    signal.alarm(0)
                except Exception as e:
                    signal.alarm(0)
                    if "timeoutexception" in repr(e).lower():
                        results.append(-3)
                        return results, failure(-3, "Time Limit Exceeded", e, gt_inp, gt_out)
                    results.append(-4)
                    return results, failure(-4, "Runtime Error", e, gt_inp, gt_out)
                finally:
                    signal.alarm(0)
                    faulthandler.disable()
            prediction = captured[0]
            got, want = stripped_lines(prediction), stripped_lines(gt_out)
            wrong = {"output": _shorten(prediction), "inputs": _shorten(gt_inp),
                     "expected": _shorten(gt_out), "error_code": -2}
            if len(got) != len(want):
                results.append(-2)
                wrong["error_message"] = "Wrong answer: mismatched output length"
                return results, wrong
            for output_line_idx, (g, w) in enumerate(zip(got, want)):
                wrong["error_message"] = f"Wrong answer at {output_line_idx=}: {_shorten(g)} != {_shorten(w)}"
                if g == w:
                    continue
                ok, gd = decimals(g)
                if not ok:
                    results.append(-2)
                    return results, wrong
                ok, wd = decimals(w)
                if not ok:
                    results.append(-2)
                    return results, wrong
                if gd == wd:
                    continue
                results.append(-2)
                return results, wrong
            results.append(True)
        return results, {"execution time": total}

    def reliability_guard(maximum_memory_bytes):
        import builtins
        import resource
        import shutil
        import subprocess

        def raise_soft(which, target):
            soft, hard = resource.getrlimit(which)
            if soft < target:
                try:
                    resource.setrlimit(which, (target, hard))
                except ValueError as e:
                    print(repr(e))

        raise_soft(resource.RLIMIT_DATA, maximum_memory_bytes)
        if not platform.uname().system == "Darwin":
            raise_soft(resource.RLIMIT_STACK, maximum_memory_bytes)
        faulthandler.disable()
        builtins.quit = None
        os.environ["OMP_NUM_THREADS"] = "1"
        for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                     "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod",
                     "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
            setattr(os, name, None)
        shutil.rmtree = None
        shutil.move = None
        shutil.chown = None
        subprocess.Popen = None
        builtins.help = None
        for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
            sys.modules[name] = None

    signal.signal(signal.SIGALRM, on_alarm)
    reliability_guard(4 * 1024**3)
    _guard(root)
    if debug:
        print(f"loaded input_output, {len(in_outs['inputs'])} tests")
    code = job["code"]
    signal.alarm(timeout)
    try:
        if in_outs.get("fn_name") is None:
            results, metadata = grade_stdio(code, in_outs["inputs"], in_outs["outputs"])
        else:
            results, metadata = grade_call_based(code, in_outs["inputs"], in_outs["outputs"], in_outs["fn_name"])
        return results, metadata
    except Exception as e:
        return [-4], {"error_code": -4, "error_message": f"Error during testing: {e}"}
    finally:
        signal.alarm(0)


def _as_result(r):
    # app.py declares result as List[Union[int, bool]].
    if isinstance(r, bool):
        return r
    if isinstance(r, int):
        return int(r)
    if isinstance(r, float) and r.is_integer():
        return int(r)
    return bool(r)


def _site(dirs):
    """What site does, without .pth files: the site-packages directories on
    sys.path, and the builtins exit, quit, help, copyright, credits and
    license."""
    import site

    site.setquit()
    site.setcopyright()
    site.sethelper()
    sys.path.extend(d for d in dirs if d not in sys.path)


def _main():
    mode = sys.argv[1]
    limits = [int(x) for x in sys.argv[2:7]]
    _site(sys.argv[7:])
    root = os.path.realpath(os.getcwd())
    job = _read_all(3)
    _limit(*limits)
    if mode == "run":
        _run(job, root)
        return
    import json

    job = json.loads(job)
    nonce = job["nonce"].encode()
    write, out, exit_now = os.write, 4, os._exit
    results, metadata = _check(job, root)
    payload = nonce + b" " + json.dumps({"result": [_as_result(r) for r in results], "metadata": metadata}).encode()
    view = memoryview(payload)
    while view:
        n = write(out, view)
        view = view[n:]
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(0)


_main()
