"""CPython's own regression tests (Debian's libpython3.11-testsuite) on a
preloaded allocator: a peer's test suite as a correctness check.

PYTHONMALLOC=malloc sends every object through malloc (pymalloc would
serve small ones from its own arenas), so the preloaded library serves
all of it.  The verdict is per test module, read from regrtest's
progress lines, and compared with the same run under glibc's malloc:
a module must end the same way under both.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

from . import procs
from .errors import KitError

PYTHON = "/usr/bin/python3"
TESTSUITE = Path("/usr/lib/python3.11/test")
PACKAGE = "libpython3.11-testsuite"

# Modules that allocate heavily: containers, strings and unicode,
# serialisation, regular expressions, threads, the collector, codecs and
# compressors' buffers.  (Debian's package has no test_sqlite3; the
# sqlite3 workload stands for it.)
MODULES = (
    "test_list", "test_dict", "test_set", "test_tuple", "test_deque", "test_heapq",
    "test_bisect", "test_collections", "test_ordered_dict", "test_dictviews", "test_string",
    "test_unicode", "test_fstring", "test_userstring", "test_bytes", "test_memoryview",
    "test_json", "test_pickle", "test_marshal", "test_copy", "test_re", "test_threading",
    "test_queue", "test_gc", "test_weakref", "test_array", "test_struct", "test_itertools",
    "test_functools", "test_sort", "test_long", "test_float", "test_codecs",
    "test_unicodedata", "test_textwrap", "test_csv", "test_difflib", "test_zlib",
    "test_lzma", "test_bz2", "test_base64", "test_enum", "test_dataclasses",
    "test_contextlib",
)
# What the default test run takes: seconds, not minutes.
QUICK = ("test_json", "test_list", "test_dict")
# What the long run (MMKIT_LONG=1) takes under SimpleHeap, whose first-fit
# list every allocation walks: the modules of MODULES measured under it at
# two minutes or less each (28 Nov 2026, load 8 to 20 on 2 cores, nice 10).
# The long run of these passed in 4.9 minutes under simpleheap (glibc's
# reference run and the build included) and 6.8 under simpleheap-debug.
# The whole list took over an hour there
# (test_pickle alone over 35 minutes, test_json 16, test_set 10), too long
# for the long job: it runs with --real-programs-full.
FIRST_FIT = ("test_list", "test_dict", "test_bisect", "test_ordered_dict", "test_dictviews",
             "test_string", "test_collections", "test_fstring", "test_userstring",
             "test_memoryview", "test_marshal", "test_copy", "test_re", "test_threading",
             "test_queue", "test_gc")

_RESULT = re.compile(r"\] (test_\w+) (passed|failed|skipped|crashed|timed out|"
                     r"resource denied|ran no tests|env changed)\b")


def require() -> None:
    if not (TESTSUITE / "libregrtest").is_dir():
        raise KitError(f"CPython's tests not found in {TESTSUITE}: install the Debian package "
                       f"{PACKAGE} (ci/setup.sh does)")


def run(modules: tuple[str, ...], preload: str | None, jobs: int = 2,
        timeout: float = 3600) -> tuple[dict[str, str], str]:
    """Run ``modules`` with ``preload`` (None: glibc): {module: result}, the output."""
    require()
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "PYTHONMALLOC")}
    env.update({"PYTHONMALLOC": "malloc", "LC_ALL": "C.UTF-8"})
    if preload:
        env["LD_PRELOAD"] = preload
    # -j: every module in a worker process, which prints one progress line per module.
    # SIGINT at its default action whatever the kit inherited: CPython installs
    # its KeyboardInterrupt handler only over SIG_DFL, and test_threading's
    # interrupt_main() tests fail where SIGINT is ignored (a run started with
    # & from a script), under glibc as under any preloaded allocator.
    try:
        proc = procs.run_group([PYTHON, "-m", "test", f"-j{max(1, jobs)}", *modules],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, timeout=timeout, default_signals=(signal.SIGINT,))
    except subprocess.TimeoutExpired:
        raise KitError(f"CPython's tests did not finish within {timeout:g} s"
                       + (f" (LD_PRELOAD={preload})" if preload else "")) from None
    results = {m.group(1): m.group(2) for m in _RESULT.finditer(proc.stdout)}
    return results, proc.stdout
