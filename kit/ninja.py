"""The one way the kit runs Ninja on a variant's build.ninja.

Ninja decides what is out of date, regeneration included: build.ninja's
regen edge runs `build.py generate` when .config, a Kconfig file, a
template or the kit changed, so a build with nothing to do starts no
Python beyond this one (and parses no Kconfig).

build.ninja is brought up to date first on its own, with its output
captured: when the generator refuses the configuration (a stale or
hand-corrupted .config), its `build.py: error: ...` line becomes the
kit's one-line error, instead of Ninja's report around it.  Then the
targets are built with Ninja's output on the terminal, or in a log.
"""
from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from . import procs, tools
from .errors import KitError

ERROR_PREFIX = "build.py: error: "


def _command(out: Path, jobs: int | None) -> list[str]:
    return [tools.require("ninja"), "-C", str(out)] + (["-j", str(jobs)] if jobs else [])


def regenerate(out: Path, jobs: int | None = None, log=None) -> None:
    """Bring <out>/build.ninja up to date (Ninja runs the generator if needed)."""
    proc = procs.run(_command(out, jobs) + ["build.ninja"], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True, deathsig=signal.SIGTERM)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0:
        error = next((ln for ln in lines if ln.startswith(ERROR_PREFIX)), None)
        if error is not None:
            raise KitError(error[len(ERROR_PREFIX):])
        last = next((ln for ln in reversed(lines) if ln.strip()), "no output")
        raise KitError(f"regenerating {out / 'build.ninja'} failed: {last}")
    shown = [ln for ln in lines if not ln.startswith("ninja: ")]   # "[1/1] GEN build.ninja"
    if shown:
        (log or sys.stdout).write("\n".join(shown) + "\n")
        (log or sys.stdout).flush()


def build(out: Path, targets: Sequence[str] = (), jobs: int | None = None,
          log: Path | None = None, verbose: bool = False) -> None:
    """Build ``targets`` (Ninja's default when empty); KitError when Ninja fails.

    With ``log``, Ninja's output goes to that file instead of the terminal
    (the matrix runs cells side by side).  ``verbose``, or V=1 in the
    environment as in kbuild, prints every command (ninja -v).
    """
    import os
    verbose = verbose or os.environ.get("V", "0") not in ("", "0")
    sink = open(log, "w", encoding="utf-8") if log else None
    try:
        regenerate(out, jobs, sink)
        if sink is None:
            sys.stdout.flush()
        rc = procs.run(_command(out, jobs) + (["-v"] if verbose else []) + list(targets),
                       stdout=sink,
                       stderr=subprocess.STDOUT if sink else None,
                       deathsig=signal.SIGTERM).returncode
    finally:
        if sink is not None:
            sink.close()
    if rc != 0:
        where = f"; log: {log}" if log else ""
        raise KitError(f"build failed in {out} (ninja exit status {rc}{where})")
