"""Child processes of the kit (QEMU, the host test program, Ninja, lcov,
the hostbench programs): none outlives the kit, however the kit ends.

Three layers, because each covers a way the others can fail:

- PR_SET_PDEATHSIG, set in the child between fork and exec: the kernel
  signals the child when the kit dies, SIGKILL of the kit included, when
  nothing in the kit gets to run.  (It fires when the *thread* that started
  the child exits; the kit starts children from threads that wait for them.)
- RLIMIT_CPU where the caller gives a time limit (QEMU has no wall-clock
  limit of its own; a runaway guest burns CPU, so the kernel ends it).
- On an exception in the kit (KeyboardInterrupt above all), the child is
  killed and reaped before the exception goes on; stop_all() ends every
  child still running, and refuses to start more, when the kit is
  interrupted while threads (the matrix) have children of their own.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import KitError

PR_SET_PDEATHSIG = 1
# libc's prctl, loaded in the parent on first use (ctypes costs an import a
# no-op build does not need): the child, between fork and exec, only calls it.
_prctl = None

_lock = threading.Lock()
_live: set[subprocess.Popen] = set()
_stopping = False


_sigdfl = None


def _child_hook(parent: int, deathsig: int, cpu_seconds: int | None,
                default_signals: tuple[int, ...]):
    def hook() -> None:
        _prctl(PR_SET_PDEATHSIG, int(deathsig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(125)      # the kit died before the signal was armed
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 10))
        for sig in default_signals:
            _sigdfl(int(sig), 0)   # libc's signal(sig, SIG_DFL): exec keeps what is ignored
    return hook


def start(cmd: list[str], *, deathsig: int = signal.SIGKILL, cpu_seconds: int | None = None,
          default_signals: tuple[int, ...] = (), **popen: object) -> subprocess.Popen:
    """Popen ``cmd`` as a child that ends with the kit.

    ``deathsig`` is what the child gets when the kit dies (SIGTERM for a
    child that must end its own children, such as Ninja); ``cpu_seconds``
    caps its CPU time; ``default_signals`` start at their default action
    even if the kit inherited them ignored (a shell ignores SIGINT and
    SIGQUIT in a command it starts with & and no job control, and exec
    passes that on).
    """
    global _prctl, _sigdfl
    if _prctl is None:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        _prctl, _sigdfl = libc.prctl, libc.signal
        _sigdfl.argtypes, _sigdfl.restype = [ctypes.c_int, ctypes.c_void_p], ctypes.c_void_p
    with _lock:
        if _stopping:
            raise KitError("interrupted")
        hook = _child_hook(os.getpid(), deathsig, cpu_seconds, default_signals)
        proc = subprocess.Popen(cmd, preexec_fn=hook, **popen)
        proc.kit_stop_signal = deathsig   # how stop_all() ends it: as the kernel would
        _live.add(proc)
    return proc


def stop(proc: subprocess.Popen, sig: int | None = None) -> None:
    """End ``proc`` if it still runs (with ``sig``, else the signal it gets
    when the kit dies), and reap it."""
    sig = sig or getattr(proc, "kit_stop_signal", signal.SIGKILL)
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with _lock:
        _live.discard(proc)


@contextmanager
def running(cmd: list[str], **kwargs: object) -> Iterator[subprocess.Popen]:
    """start() for a with block: on leaving it, the child is gone.

    A child still running then (the block raised, e.g. KeyboardInterrupt)
    is killed; one that ended is reaped.
    """
    proc = start(cmd, **kwargs)
    try:
        yield proc
    finally:
        stop(proc)


def run(cmd: list[str], *, timeout: float | None = None, deathsig: int = signal.SIGKILL,
        cpu_seconds: int | None = None, **popen: object) -> subprocess.CompletedProcess:
    """subprocess.run() through start(): output captured as the caller asks.

    On timeout the child is killed and subprocess.TimeoutExpired raised,
    with the output so far.
    """
    with running(cmd, deathsig=deathsig, cpu_seconds=cpu_seconds, **popen) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            out, err = proc.communicate()
            raise subprocess.TimeoutExpired(cmd, timeout, out, err) from exc
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def run_group(cmd: list[str], *, timeout: float | None = None,
              **popen: object) -> subprocess.CompletedProcess:
    """run() for a program with children of its own (CPython's test runner
    and its workers, gcc and cc1): the child leads a new process group, and
    on a timeout or an exception the whole group is killed, not only it."""
    with running(cmd, start_new_session=True, **popen) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException as exc:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if isinstance(exc, subprocess.TimeoutExpired):
                out, err = proc.communicate()
                raise subprocess.TimeoutExpired(cmd, timeout, out, err) from exc
            raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def stop_all() -> None:
    """End every child the kit started and start no more (the kit is stopping)."""
    global _stopping
    with _lock:
        _stopping = True
        live = list(_live)
    for proc in live:
        stop(proc)
