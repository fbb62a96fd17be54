"""Real programs' allocation traces: recorded on the host by
`./build.py realbench --record`, kept in tests/bench/traces/, replayed in
the bench image (tests/bench/traces.c) from a generated table
(templates/bench_traces.c.j2 -> gen/bench_traces.c).

A trace is the first operations of the workload's busiest process
(tests/realbench/trace.c writes one file per process), as text lines
"a SLOT SIZE", "f SLOT", "r SLOT SIZE", after a header line, compressed
with xz (Python's lzma reads it).  A slot stands for a block live at the
time, numbered from 0, so the replay needs as many slots as the largest
slot number plus one.
"""
from __future__ import annotations

import lzma
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import paths, workloads
from .errors import KitError
from .fsutil import write_atomic, write_bytes_atomic

TRACE_DIR = paths.ROOT / "tests" / "bench" / "traces"
TRACER_SRC = paths.ROOT / "tests" / "realbench" / "trace.c"
SUFFIX = ".trace.xz"
HEADER = "# mmkit allocation trace v1"
KINDS = {"a": "TRACE_ALLOC", "f": "TRACE_FREE", "r": "TRACE_REALLOC"}
_LINE = re.compile(r"([ar]) (\d+) (\d+)|f (\d+)")


@dataclass(frozen=True)
class Trace:
    name: str
    ops: tuple[tuple[str, int, int], ...]   # (kind, slot, size); size 0 for a free

    @property
    def slots(self) -> int:
        return max((slot for _, slot, _ in self.ops), default=-1) + 1


def parse(name: str, text: str) -> Trace:
    lines = text.splitlines()
    if not lines or not lines[0].startswith(HEADER):
        raise KitError(f"trace {name}: no '{HEADER}' header line")
    ops = []
    for n, line in enumerate(lines[1:], 2):
        m = _LINE.fullmatch(line)
        if not m:
            raise KitError(f"trace {name}: line {n}: not an operation: {line[:40]!r}")
        if m.group(4) is not None:
            ops.append(("f", int(m.group(4)), 0))
        else:
            ops.append((m.group(1), int(m.group(2)), int(m.group(3))))
    if not ops:
        raise KitError(f"trace {name}: no operations")
    return Trace(name, tuple(ops))


def load(directory: Path = TRACE_DIR) -> list[Trace]:
    """Every trace kept in the repository, by name."""
    found = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        name = path.name[:-len(SUFFIX)]
        try:
            text = lzma.decompress(path.read_bytes()).decode("ascii")
        except (lzma.LZMAError, UnicodeDecodeError) as exc:
            raise KitError(f"trace {path}: unreadable: {exc}") from None
        found.append(parse(name, text))
    return found


def files(directory: Path = TRACE_DIR) -> list[Path]:
    return sorted(directory.glob(f"*{SUFFIX}"))


def context(traces: list[Trace]) -> dict:
    """templates/bench_traces.c.j2's data: each trace's operations as C initialisers."""
    return {"traces": [{"name": t.name, "ident": re.sub(r"\W", "_", t.name), "slots": t.slots,
                        "ops": [f"{{ {KINDS[k]}, {slot}, {size} }}" for k, slot, size in t.ops]}
                       for t in traces],
            "max_slots": max((t.slots for t in traces), default=0)}


# --- recording (./build.py realbench --record) --------------------------------------

def build_tracer(base: Path) -> Path:
    lib = base / "libmmtrace.so"
    base.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC",
                           "-shared", "-fvisibility=hidden", "-Wl,-z,now", str(TRACER_SRC),
                           "-o", str(lib)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        raise KitError(f"building {TRACER_SRC.name} failed: "
                       f"{(proc.stdout.strip().splitlines() or ['?'])[-1]}")
    return lib


def record(chosen: list[workloads.Workload], inputs: Path, base: Path, scale: float,
           directory: Path = TRACE_DIR) -> list[Path]:
    """Run each workload once under the tracer (glibc serves); keep the busiest
    process's trace as <directory>/<workload>.trace.xz.  Returns the files."""
    tracer = build_tracer(base)
    scratch = base / "traces"
    written = []
    for w in chosen:
        scratch.mkdir(parents=True, exist_ok=True)
        for old in scratch.glob(f"{w.name}.*"):
            old.unlink()
        env = workloads.environment(w, str(tracer))
        env["MMKIT_TRACE_OUT"] = str(scratch / w.name)
        stdin = open(inputs / w.stdin, "rb") if w.stdin else subprocess.DEVNULL
        try:
            proc = subprocess.run(workloads.command(w, inputs, base / "trace.out"), stdin=stdin,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        finally:
            if w.stdin:
                stdin.close()
        if proc.returncode != 0:
            raise KitError(f"realbench --record: {w.name} failed under the tracer "
                           f"(status {proc.returncode})")
        per_process = [(len(p.read_text().splitlines()), p) for p in scratch.glob(f"{w.name}.*")]
        if not per_process:
            raise KitError(f"realbench --record: {w.name} wrote no trace")
        count, busiest = max(per_process)
        body = busiest.read_text()
        trace = parse(w.name, f"{HEADER}\n{body}")
        header = (f"{HEADER}: {w.name} ({w.program}, input scale {scale:g}), {count} "
                  f"operations, {trace.slots} slots; written by ./build.py realbench --record")
        out = directory / f"{w.name}{SUFFIX}"
        directory.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(out, lzma.compress(f"{header}\n{body}".encode("ascii"), preset=9))
        written.append(out)
    return written
