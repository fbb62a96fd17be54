"""Which compilers build a variant: the arch's defaults (kit/archs.py), or
the environment's, as kbuild takes them from make's command line.

    CC=...             the kernel's compiler (e.g. CC=clang; see the README
                       for what builds with clang)
    CROSS_COMPILE=...  a prefix for the kernel's gcc and objcopy
                       (CROSS_COMPILE=riscv64-linux-gnu-)
    HOSTCC=...         the host build's compiler (test --host, hostbench):
                       gcc or clang
    MMKIT_CCACHE=0     compile without ccache (used when it is installed)
    KCONFIG_CONFIG=... the configuration file's name (default .config), as
                       in kbuild; recorded here so that changing it
                       regenerates

Like kbuild (and unlike .config), these are read on every build and not
remembered: a build without CC= goes back to the default.  The choice is
written to <out>/gen/toolchain, an input of build.ninja's regeneration, so
a different compiler regenerates build.ninja and rebuilds what it compiled
(Ninja rebuilds an edge whose command changed).  A build whose choice did
not change reads one small file and writes nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import tools

FILE = Path("gen") / "toolchain"
KEYS = ("cc", "objcopy", "host_cc", "ccache", "kconfig_config")


def resolve(arch, environ=None) -> dict[str, str]:
    """The toolchain the environment asks for, for ``arch`` (an archs.Arch)."""
    env = os.environ if environ is None else environ
    cross = env.get("CROSS_COMPILE", "")
    cc = env.get("CC") or (cross + "gcc" if cross else arch.cc)
    objcopy = env.get("OBJCOPY") or (cross + "objcopy" if cross else arch.objcopy)
    if env.get("CC") and "clang" in os.path.basename(env["CC"]) and not env.get("OBJCOPY"):
        objcopy = "llvm-objcopy" if tools.which("llvm-objcopy") else arch.objcopy
    host_cc = env.get("HOSTCC") or "gcc"
    ccache = ""
    if env.get("MMKIT_CCACHE", "1") != "0":
        ccache = tools.which("ccache") or ""
    # Not a compiler, but read from the environment the same way: which
    # configuration file the build reads (kit/paths.py config_name()).
    kconfig_config = env.get("KCONFIG_CONFIG") or ".config"
    return {"cc": cc, "objcopy": objcopy, "host_cc": host_cc, "ccache": ccache,
            "kconfig_config": kconfig_config}


def text(chosen: dict[str, str]) -> str:
    return "".join(f"{k}={chosen[k]}\n" for k in KEYS)


def parse(content: str) -> dict[str, str]:
    out = dict(line.split("=", 1) for line in content.splitlines() if "=" in line)
    return {k: out.get(k, "") for k in KEYS}


def record(out: Path, arch, environ=None) -> dict[str, str]:
    """Write <out>/gen/toolchain when the environment's choice differs from it."""
    chosen = resolve(arch, environ)
    path = out / FILE
    wanted = text(chosen)
    try:
        if path.read_text(encoding="utf-8") == wanted:
            return chosen
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".toolchain.{os.getpid()}")
    tmp.write_text(wanted, encoding="utf-8")
    os.replace(tmp, path)
    return chosen


def current(out: Path, arch) -> dict[str, str]:
    """What <out>/gen/toolchain says (the generator's view), else the environment's."""
    try:
        return parse((out / FILE).read_text(encoding="utf-8"))
    except OSError:
        return resolve(arch)


def is_clang(cc: str) -> bool:
    return "clang" in os.path.basename(cc.split()[0]) if cc else False


def libgcc(arch, cc: str) -> str:
    """What links the kernel's compiler helpers: -lgcc for gcc; for clang,
    which finds no libgcc for a bare-metal target, the file the arch's gcc
    would use (clang's own runtime is not packaged for these targets)."""
    if not is_clang(cc):
        return "-lgcc"
    import subprocess
    try:
        multilib = [f for f in arch.ldflags if f.startswith(("-march=", "-mabi=", "-m64"))]
        path = subprocess.run([arch.cc, *multilib, "-print-libgcc-file-name"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        path = ""
    return path if os.path.isabs(path) else "-lgcc"


def ccache_launcher(ccache: str, root: Path, out: Path) -> str:
    """The compile commands' prefix when ccache is used: objects are shared
    between variants whose preprocessed sources agree (every matrix cell of
    an arch compiles string.c, lz4.c, the arch code... to the same bytes).

    For that the command lines must match across output directories:
    CCACHE_BASEDIR makes ccache turn absolute paths under the tree and the
    output directory into paths relative to the compile's directory (the
    same for every cell at one depth, e.g. build/matrix/<cell>), and
    CCACHE_NOHASHDIR leaves that directory out of the hash (it only names
    the debug info's compilation directory, which such cells share up to
    their own name).  The compiler then sees relative paths, which the
    template's second -fmacro-prefix-map maps back for __FILE__."""
    if not ccache:
        return ""
    base = os.path.commonpath([str(root), str(out)])    # "/" works too (ccache 4)
    return f"CCACHE_BASEDIR={base} CCACHE_NOHASHDIR=1 {ccache}"
