"""Which C sources make up each image of a variant.

core/sources.toml says which core files depend on which options and which
belong to one image; arch/<arch>/sources.toml, where there is one, which
arch files depend on which options; tests/kernel/suites.toml lists the
in-kernel test suites with the options they need.  All are evaluated with
Kconfiglib.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import config, paths
from .archs import Arch
from .errors import KitError

CORE = paths.ROOT / "core"
SOURCES_FILE = CORE / "sources.toml"
IMAGES = ("run", "test", "bench")
# The bench image's workloads: every .c here goes into kernel-bench only.
BENCH_DIR = paths.ROOT / "tests" / "bench"
# Images kit/generate.py derives from another instead of listing them in
# IMAGES: kernel-cov is the test image instrumented, plus the sources that
# core/sources.toml gives to "cov" (the gcov runtime).
DERIVED_IMAGES = ("cov",)


@dataclass(frozen=True)
class Suite:
    name: str
    file: Path
    depends: str
    group: str = ""   # "conformance": what every front and page strategy must pass


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KitError(f"{path.relative_to(paths.ROOT)}: {exc}") from exc


def suites(kconf) -> list[Suite]:
    """The suites of tests/kernel/suites.toml whose 'depends' holds."""
    data = _read_toml(paths.SUITES_FILE)
    selected = []
    for entry in data.get("suite", []):
        try:
            name, file = entry["name"], entry["file"]
        except KeyError as exc:
            raise KitError(f"{paths.SUITES_FILE.name}: a [[suite]] lacks {exc}") from exc
        path = paths.SUITES_FILE.parent / file
        if not path.exists():
            raise KitError(f"{paths.SUITES_FILE.name}: suite '{name}': no file {file}")
        depends = entry.get("depends", "y")
        if config.eval_expr(kconf, depends):
            selected.append(Suite(name, path, depends, str(entry.get("group", ""))))
    return selected


def groups() -> set[str]:
    """Every group tests/kernel/suites.toml names."""
    return {str(e["group"]) for e in _read_toml(paths.SUITES_FILE).get("suite", [])
            if e.get("group")}


def group_filter(kconf, group: str) -> str:
    """A test filter (suite names, comma separated) running ``group``'s suites
    that this configuration builds."""
    known = groups()
    if group not in known:
        raise KitError(f"no suite group '{group}' in {paths.SUITES_FILE.name} "
                       f"(groups: {', '.join(sorted(known)) or 'none'})")
    return ",".join(s.name for s in suites(kconf) if s.group == group)


def arch_sources_file(arch: Arch) -> Path:
    """arch/<arch>/sources.toml: the arch files that depend on an option."""
    return paths.ROOT / "arch" / arch.src_dir / "sources.toml"


@dataclass(frozen=True)
class SourceSet:
    shared: list[Path]               # in every image
    per_image: dict[str, list[Path]]  # image -> its own sources
    arch: list[Path]                 # arch/<arch>/*.c *.S
    host_excluded: set[Path]


def source_dirs(arch: Arch) -> list[Path]:
    """The directories select() lists sources from (the suites are named one
    by one in suites.toml)."""
    return sorted([d for d in CORE.iterdir() if d.is_dir()] +
                  [BENCH_DIR, paths.ROOT / "arch" / arch.src_dir])


def select(kconf, arch: Arch) -> SourceSet:
    data = _read_toml(SOURCES_FILE)
    conditional = data.get("conditional", {})
    image_of = data.get("image", {})
    for rel in list(conditional) + list(image_of):
        if not (CORE / rel).exists():
            raise KitError(f"core/sources.toml names core/{rel}, which does not exist")
    shared: list[Path] = []
    per_image: dict[str, list[Path]] = {image: [] for image in IMAGES + DERIVED_IMAGES}
    for path in sorted(CORE.glob("*/*.c")):
        rel = path.relative_to(CORE).as_posix()
        if rel in conditional and not config.eval_expr(kconf, conditional[rel]):
            continue
        if rel in image_of:
            per_image[image_of[rel]].append(path)
        else:
            shared.append(path)
    per_image["test"] += [s.file for s in suites(kconf)]
    per_image["bench"] += sorted(BENCH_DIR.glob("*.c"))
    arch_dir = paths.ROOT / "arch" / arch.src_dir
    arch_conditional = (_read_toml(arch_sources_file(arch)).get("conditional", {})
                        if arch_sources_file(arch).exists() else {})
    for rel in arch_conditional:
        if not (arch_dir / rel).exists():
            raise KitError(f"arch/{arch.src_dir}/sources.toml names arch/{arch.src_dir}/{rel}, "
                           "which does not exist")
    arch_sources = [p for p in sorted(arch_dir.glob("*.c")) + sorted(arch_dir.glob("*.S"))
                    if p.name not in arch_conditional
                    or config.eval_expr(kconf, arch_conditional[p.name])]
    host_excluded = {CORE / rel for rel in data.get("not_on_host", {}).get("files", [])}
    return SourceSet(shared, per_image, arch_sources, host_excluded)
