"""`./build.py selfbench`: how long the kit itself takes for a build with
nothing to do, the command people run most (target: under 0.1 s).

It runs `./build.py build` on an up-to-date variant several times, as a
user would (the shebang's interpreter, a fresh process each time), and
reports the best and the median wall time: the best is what the kit
costs, the median what a busy machine adds.  The CPU time of the same runs
(the kit and Ninja together) is reported too: on a machine shared with
other jobs it moves far less than the wall time does.  A benchmark, never
a test: nothing fails when the figure is high.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import time
from pathlib import Path

from . import paths, procs
from .errors import KitError

TARGET_SECONDS = 0.1
PRESET = "simpleheap"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(out: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of ``runs`` no-op builds of ``out`` (built first, untimed)."""
    cmd = [str(paths.ROOT / "build.py"), "build", "-O", str(out)]
    first = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if first.returncode != 0:
        last = (first.stdout.strip().splitlines() or ["no output"])[-1]
        raise KitError(f"selfbench: building {out} failed: {last}")
    times = []
    for _ in range(runs):
        cpu, start = _children_cpu(), time.perf_counter()
        proc = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        times.append((time.perf_counter() - start, _children_cpu() - cpu))
        if proc.returncode != 0 or "ninja: no work to do." not in proc.stdout:
            raise KitError(f"selfbench: the build of {out} was not a no-op: "
                           f"{(proc.stdout.strip().splitlines() or ['no output'])[-1]}")
    return times


def report(times: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in times]
    best, median = min(wall), statistics.median(wall)
    verdict = "under" if best < TARGET_SECONDS else "OVER"
    return (f"selfbench: no-op ./build.py build: best {best:.3f} s, median {median:.3f} s, "
            f"worst {max(wall):.3f} s wall over {len(times)} runs ({verdict} the "
            f"{TARGET_SECONDS:g} s target); CPU best {min(c for _, c in times):.3f} s")
