"""Exact instruction counts of a host program's loops, with callgrind
(Debian's valgrind).

Wall-clock nanoseconds on a shared machine move by tens of percent from run
to run; the instructions a loop executes do not.  The host benchmark's
programs have a count mode (tests/host/bench/driver.c) that runs each loop
with collection off to warm it, then again with collection on, and dumps
the counters under the figure's name with CALLGRIND_DUMP_STATS_AT.  Each
dump is a file of its own, "<out>.<part>", whose header carries

    desc: Trigger: Client Request: pair size=64
    summary: 1234567          (or "totals:")

counts() runs the program and reads those two lines of every dump.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from . import procs, tools
from .errors import KitError

_TRIGGER = re.compile(r"^desc: Trigger: Client Request: (.+)$", re.M)
_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.M)


def version() -> str:
    """valgrind's version ("valgrind-3.19.0"), or a KitError naming the package."""
    proc = procs.run([tools.require("valgrind"), "--version"], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)
    return proc.stdout.strip() or "valgrind"


def parse_dump(text: str) -> tuple[str, int] | None:
    """(trigger name, instructions) of one dump; None for a dump that no
    client request named (callgrind's own dump at exit)."""
    trigger, total = _TRIGGER.search(text), _TOTAL.search(text)
    if trigger is None or total is None:
        return None
    return trigger.group(1).strip(), int(total.group(1))


def counts(argv: list[str], workdir: Path, name: str, timeout: float,
           log: Path) -> tuple[str, dict[str, int]]:
    """Run ``argv`` under callgrind (collection off until the program turns it
    on); (its stdout, {dump name: instructions}).  Dumps go to ``workdir``,
    emptied first, so that no earlier run's dump is read as this one's."""
    exe = tools.require("valgrind")
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("callgrind.out*"):
        old.unlink()
    cmd = [exe, "--tool=callgrind", "--collect-atstart=no", "--dump-instr=no",
           f"--callgrind-out-file={workdir / 'callgrind.out'}", *argv]
    try:
        proc = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise KitError(f"callgrind: {name} did not finish within {timeout:g} s") from exc
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise KitError(f"callgrind: {name} exited with status {proc.returncode}: {detail}")
    found: dict[str, int] = {}
    for dump in sorted(workdir.glob("callgrind.out*")):
        got = parse_dump(dump.read_text(encoding="utf-8", errors="replace"))
        if got is not None:
            found[got[0]] = got[1]
    if not found:
        raise KitError(f"callgrind: {name} dumped no named counts (see {log})")
    return proc.stdout, found
