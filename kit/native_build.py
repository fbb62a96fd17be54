"""What a native program over a variant's core/mm code compiles: the include
path and forced autoconf.h every such build shares (the preload library and
the fuzz harness), and its objects."""
from __future__ import annotations

from pathlib import Path

from . import paths


def flags_and_compiles(out: Path, src: Path, sources: list[Path], prefix: str, obj) -> tuple[str, dict]:
    """The -I/-include flags (the core headers, the variant's gen/, ``src``)
    and {object: source} for ``sources``, objects named by ``obj(prefix, src)``."""
    gen = out / "gen"
    includes = [paths.ROOT / "core" / "include", paths.ROOT / "core" / "mm", gen, src]
    flags = " ".join([f"-I{d}" for d in includes] + ["-include", str(gen / "autoconf.h")])
    return flags, {obj(prefix, s): str(s) for s in sources}
