"""Run the host build of a variant: core/ compiled natively under ASan and
UBSan (or ThreadSanitizer), with tests/host/ standing in for the arch.
Judged like a boot; any sanitizer report makes the run a crash."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from . import procs, qemu
from .fsutil import write_atomic

SANITIZER_RE = re.compile(r"^(?:==\d+==)?ERROR: \w+Sanitizer.*$|^.*runtime error: .*$"
                          r"|^WARNING: ThreadSanitizer: .*$|^ThreadSanitizer: .*$", re.M)


class HostArch:
    """The host as an 'arch' for qemu.classify: its exit code is the status."""
    name = "host"

    @staticmethod
    def exit_status(rc: int) -> int | None:
        return rc if rc >= 0 else None


def run(exe: Path, timeout: float, log: Path | None = None, cmdline: str = "") -> qemu.Boot:
    """Run the host test program; ``cmdline`` stands for the kernel command
    line (tests/host/cmdline_host.c reads it from MMKIT_CMDLINE)."""
    # TSan: report every race (not only the first), and exit 97 if any.
    env = dict(os.environ, ASAN_OPTIONS="abort_on_error=0:exitcode=99:detect_leaks=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98",
               TSAN_OPTIONS="halt_on_error=0:exitcode=97:second_deadlock_stack=1",
               MMKIT_CMDLINE=cmdline)
    start = time.monotonic()
    try:
        proc = procs.run([str(exe)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=timeout, env=env,
                         cpu_seconds=qemu.cpu_limit(timeout))
        raw, rc = proc.stdout.decode("utf-8", errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as exc:
        raw = (exc.stdout or b"").decode("utf-8", errors="replace")
        rc = None
    if log is not None:
        write_atomic(log, raw)
    sanitizer = SANITIZER_RE.search(raw)
    if sanitizer:
        outcome, reason = qemu.CRASH, f"sanitizer: {sanitizer.group(0).strip()}"
    else:
        outcome, reason = qemu.classify(HostArch(), raw, rc, timeout)
    return qemu.Boot(outcome, reason, rc, qemu.kernel_output(raw), time.monotonic() - start)
