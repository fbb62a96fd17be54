"""The CI matrix file (ci/matrix.toml): which variants CI builds, tests and
benchmarks.  One source of truth: `./build.py matrix` runs it locally and
`./build.py workflow` turns it into the GitHub Actions workflow.

    version = 1
    presets = "all"                 # every configs/*.config, or a list of names
    arches = ["riscv64", "x86_64"]  # or "all"
    exclude = ["simpleheap-debug-x86_64"]   # cells to leave out
    set = ["BENCH_REPS=11"]         # Kconfig assignments for every cell
    threshold = 2.0                 # --baseline: regression threshold, percent

    [[cell]]                        # extra cells: a preset with more settings
    name = "simpleheap-failing"     # the cell is <name>-<arch>
    preset = "simpleheap"
    arches = ["riscv64"]
    set = ["TEST_FAILING_CASE=y"]

Presets are taken from configs/ when the file says "all", so a new preset
joins the matrix (and, once the workflow is regenerated, CI) by itself.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# fragments, not config: reading the matrix file needs no Kconfiglib.
from . import archs, fragments, paths
from .errors import KitError

DEFAULT_FILE = paths.ROOT / "ci" / "matrix.toml"
DEFAULT_THRESHOLD = 2.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TOP_KEYS = {"version", "presets", "arches", "exclude", "set", "threshold", "cell"}
_CELL_KEYS = {"name", "preset", "arches", "set"}


@dataclass(frozen=True)
class Cell:
    name: str                 # <preset or extra name>-<arch>; the out dir's name
    preset: str
    arch: str
    settings: tuple[str, ...] = ()   # SYM=VALUE, applied after the preset


@dataclass
class Matrix:
    path: Path
    cells: list[Cell]
    threshold: float = DEFAULT_THRESHOLD
    settings: list[str] = field(default_factory=list)

    def select(self, names: list[str] | None) -> list[Cell]:
        """The cells named (all when ``names`` is empty); unknown names are an error."""
        if not names:
            return list(self.cells)
        known = {c.name: c for c in self.cells}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KitError(f"{self.path.name}: no cell {', '.join(unknown)} "
                           f"(cells: {', '.join(known)})")
        return [known[n] for n in names]


def _where(path: Path) -> str:
    try:
        return str(path.relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _str_list(value: object, what: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KitError(f"{where}: '{what}' must be a list of strings")
    return list(value)


def _choose(value: object, what: str, known: list[str], where: str) -> list[str]:
    """'all' or a list of names, each of which must be known."""
    if value == "all":
        return list(known)
    names = _str_list(value, what, where)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KitError(f"{where}: unknown {what} {', '.join(unknown)} "
                       f"(valid: {', '.join(known)})")
    return names


def _settings(value: object, where: str) -> list[str]:
    items = _str_list(value, "set", where)
    fragments.parse_set(items)  # SYM=VALUE syntax now; Kconfig checks them when applied
    return items


def load(path: Path | None = None) -> Matrix:
    """Read and check a matrix file; every problem is a one-line KitError."""
    path = (path or DEFAULT_FILE).resolve()
    where = _where(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KitError(f"cannot read matrix file {where}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KitError(f"{where}: {exc}") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise KitError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if data.get("version", 1) != 1:
        raise KitError(f"{where}: version {data.get('version')!r} is not supported (1 is)")
    presets = list(fragments.presets())
    arches = list(archs.ARCHES)
    chosen_presets = _choose(data.get("presets", "all"), "presets", presets, where)
    chosen_arches = _choose(data.get("arches", "all"), "arches", arches, where)
    common = _settings(data.get("set", []), where)
    threshold = data.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold < 0:
        raise KitError(f"{where}: 'threshold' must be a non-negative number (percent)")

    cells = [Cell(f"{p}-{a}", p, a, tuple(common)) for p in chosen_presets for a in chosen_arches]
    for i, extra in enumerate(data.get("cell", [])):
        at = f"{where}: [[cell]] #{i + 1}"
        if not isinstance(extra, dict):
            raise KitError(f"{at}: must be a table")
        bad = sorted(set(extra) - _CELL_KEYS)
        if bad:
            raise KitError(f"{at}: unknown key(s) {', '.join(bad)}")
        name, preset = extra.get("name"), extra.get("preset")
        if not isinstance(name, str) or not _NAME.match(name):
            raise KitError(f"{at}: 'name' must be a name of letters, digits, '_', '.', '-'")
        if preset not in presets:
            raise KitError(f"{at}: unknown preset {preset!r} (valid: {', '.join(presets)})")
        for arch in _choose(extra.get("arches", "all"), "arches", arches, at):
            cells.append(Cell(f"{name}-{arch}", preset, arch,
                              tuple(common + _settings(extra.get("set", []), at))))

    excluded = set(_str_list(data.get("exclude", []), "exclude", where))
    stale = excluded - {c.name for c in cells}
    if stale:
        raise KitError(f"{where}: 'exclude' names no cell: {', '.join(sorted(stale))}")
    cells = [c for c in cells if c.name not in excluded]
    seen: set[str] = set()
    for c in cells:
        if c.name in seen:
            raise KitError(f"{where}: two cells are named {c.name}")
        seen.add(c.name)
    if not cells:
        raise KitError(f"{where}: the matrix has no cells")
    return Matrix(path, cells, float(threshold), common)
