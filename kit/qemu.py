"""Boot an image in QEMU and say how the guest ended.

The verdict never rests on QEMU's exit code alone: an x86_64 triple fault
under -no-reboot exits with rc 0.  A run counts only with the guest's own
end-of-run marker ("mmkit: exit status=N"), and the status QEMU reports
must agree with it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import procs, tools
from .archs import Arch
from .fsutil import write_atomic

BOOT_MARKER = "mmkit: boot"
EXIT_RE = re.compile(r"^mmkit: exit status=(\d+) \((\w+)\)", re.M)
PANIC_RE = re.compile(r"^PANIC: (.*)$", re.M)

PASS, FAIL, PANIC, HANG, CRASH = "pass", "fail", "panic", "hang", "crash"
GUEST_STATUS = {0: PASS, 1: FAIL, 2: PANIC}


@dataclass
class Boot:
    outcome: str          # pass, fail, panic, hang, crash
    reason: str           # one line for people
    rc: int | None        # QEMU's exit code (None on timeout)
    console: str          # the kernel's output (firmware banner removed)
    seconds: float

    @property
    def passed(self) -> bool:
        return self.outcome == PASS


def kernel_output(raw: str) -> str:
    """The guest's console from the kernel's first line on."""
    text = raw.replace("\r\n", "\n")
    at = text.find(BOOT_MARKER)
    return text[at:] if at >= 0 else text


def classify(arch: Arch, raw: str, rc: int | None, timeout: float) -> tuple[str, str]:
    console = kernel_output(raw)
    last = next((ln for ln in reversed(console.splitlines()) if ln.strip()), "")
    if rc is None:
        panic = PANIC_RE.search(console)
        if panic:
            return PANIC, f"panic: {panic.group(1)} (and QEMU did not exit)"
        return HANG, f"hang: no end-of-run marker within {timeout:g} s (last line: {last!r})"
    marker = EXIT_RE.search(console)
    if BOOT_MARKER not in raw:
        return CRASH, f"crash: the kernel printed nothing (QEMU rc {rc}; last line: {last!r})"
    if marker is None:
        return CRASH, (f"crash: QEMU exited (rc {rc}) without the end-of-run marker"
                       f" (last line: {last!r})")
    status = int(marker.group(1))
    qemu_status = arch.exit_status(rc)
    if qemu_status != status:
        return CRASH, (f"crash: guest said status {status} but QEMU rc {rc} means "
                       f"{qemu_status} (exit device not reached?)")
    if status == 2:
        panic = PANIC_RE.search(console)
        return PANIC, f"panic: {panic.group(1) if panic else '(no message)'}"
    outcome = GUEST_STATUS.get(status, FAIL)
    return outcome, f"{outcome}: guest exit status {status}"


def cpu_limit(timeout: float) -> int:
    """QEMU's CPU-time cap: a backstop far above any run that ends in time
    (the kit kills QEMU at ``timeout``; this holds if the kit cannot)."""
    return int(3 * timeout) + 60


def free_port() -> int:
    """A TCP port on localhost nobody listens on now, for QEMU's gdb stub: not
    QEMU's -s (always 1234), which two sessions on one machine would share."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def extra_args(append: str = "", qemu_args=(), gdb_port: int = 0) -> list[str]:
    """QEMU arguments beyond the arch's: the kernel command line (-append),
    the user's --qemu-args, and the gdb stub on ``gdb_port`` (-S: the CPUs
    wait for gdb's 'continue')."""
    return ((["-append", append] if append else []) + list(qemu_args)
            + (["-gdb", f"tcp:127.0.0.1:{gdb_port}", "-S"] if gdb_port else []))


def boot(arch: Arch, image: Path, ram_mb: int, timeout: float, log: Path | None = None,
         echo: bool = False, icount: bool = False, cpus: int = 1,
         extra: list[str] | None = None, wait: bool = False) -> Boot:
    """Run QEMU with ``cpus`` CPUs until the guest exits or ``timeout`` seconds
    pass (``wait``: no time limit, for a session under gdb); ``extra``
    arguments go last."""
    tools.require(arch.qemu)
    cmd = arch.qemu_command(str(image), ram_mb, icount=icount, cpus=cpus) + list(extra or [])
    start = time.monotonic()
    chunks: list[bytes] = []
    with procs.running(cmd, cpu_seconds=None if wait else cpu_limit(timeout),
                       stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:

        def pump() -> None:
            assert proc.stdout is not None
            while True:
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                chunks.append(data)
                if echo:
                    sys.stdout.buffer.write(data)
                    sys.stdout.buffer.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            rc: int | None = proc.wait(timeout=None if wait else timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = None
        reader.join(timeout=5)
    raw = b"".join(chunks).decode("utf-8", errors="replace")
    if log is not None:
        write_atomic(log, raw)
    outcome, reason = classify(arch, raw, rc, timeout)
    return Boot(outcome, reason, rc, kernel_output(raw), time.monotonic() - start)
