"""Configuration as text, without Kconfiglib: presets (configs/*.config),
config fragments, SYM=VALUE assignments, and reading a .config file.

Resolving any of it against Kconfig is kit/config.py's job; this half is
what a build with nothing to change needs, and imports nothing heavy.
"""
from __future__ import annotations

import re
from collections import namedtuple
from pathlib import Path

from . import archs, paths
from .errors import KitError

_ASSIGN = re.compile(r"^(?:CONFIG_)?([A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (?:CONFIG_)?([A-Za-z0-9_]+) is not set$")


# One SYM=VALUE request, and where it came from (for messages).
Assignment = namedtuple("Assignment", "name value origin")
# A preset: configs/<name>.config, described on its first line.
Preset = namedtuple("Preset", "name path description")


def presets() -> dict[str, Preset]:
    """Presets in configs/: NAME.config, first line '# description: ...'."""
    found = {}
    for path in sorted(paths.CONFIGS.glob("*.config"), key=lambda p: p.stem):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# description:"):
                description = line.split(":", 1)[1].strip()
                break
        found[path.stem] = Preset(path.stem, path, description)
    return found


def is_fragment_path(name: str) -> bool:
    """Does defconfig's argument name a file (as `make KCONFIG_ALLCONFIG=` or
    kunit.py --kunitconfig) rather than a preset?  A path has a '/' or ends
    in .config; a preset name has neither."""
    return "/" in name or name.endswith(".config")


def preset(name: str) -> Preset:
    """A preset by name, or a fragment file by path (its stem names it)."""
    if is_fragment_path(name):
        path = Path(name)
        if not path.is_file():
            raise KitError(f"{name}: no such fragment file (a preset is named without a "
                           f"path: {', '.join(presets())})")
        return Preset(path.stem, path.resolve(), "")
    known = presets()
    if name not in known:
        raise KitError(f"unknown preset '{name}' (valid: {', '.join(known)})")
    return known[name]


def merge_fragments(paths_: list[Path]) -> list[Assignment]:
    """--kconfig fragments, in order, as one list of assignments.

    As kunit.py merges --kunitconfig files: two fragments that set one symbol
    to different values are an error naming both places (the order given
    must not decide silently); the same value twice is fine."""
    seen: dict[str, tuple[int, Assignment]] = {}
    out: list[Assignment] = []
    for index, path in enumerate(paths_):
        if not Path(path).is_file():
            raise KitError(f"--kconfig {path}: no such file")
        for a in parse_fragment(Path(path)):
            first = seen.get(a.name)
            if first is not None and first[0] != index and first[1].value != a.value:
                raise KitError(f"--kconfig fragments conflict: {first[1].origin} sets "
                               f"{a.name}={first[1].value}, {a.origin} sets {a.name}={a.value}")
            seen[a.name] = (index, a)
            out.append(a)
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def parse_fragment(path: Path) -> list[Assignment]:
    """Read a config fragment: SYM=VAL and '# SYM is not set' lines."""
    out = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        # A preset by its file name, as before; any other file as given.
        origin = f"{path.name if path.parent == paths.CONFIGS else path}:{lineno}"
        unset = _UNSET.match(line)
        if unset:
            out.append(Assignment(unset.group(1), "n", origin))
            continue
        if not line or line.startswith("#"):
            continue
        m = _ASSIGN.match(line)
        if not m:
            raise KitError(f"{origin}: not a SYM=VALUE line: {raw!r}")
        out.append(Assignment(m.group(1), _unquote(m.group(2)), origin))
    return out


def parse_set(items: list[str]) -> list[Assignment]:
    """--set SYM=VAL arguments (CONFIG_ prefix optional)."""
    out = []
    for item in items:
        m = _ASSIGN.match(item.strip())
        if not m:
            raise KitError(f"--set {item!r}: expected SYM=VALUE")
        out.append(Assignment(m.group(1), _unquote(m.group(2)), "--set"))
    return out


def arch_assignment(arch: str) -> Assignment:
    return Assignment(archs.get(arch).kconfig_symbol, "y", "--arch")


def assignments_of(text: str) -> dict[str, str]:
    """SYM -> value for every assignment in .config text ('n' for unset)."""
    return {name: value for name, (value, _) in assignment_lines(text).items()}


def assignment_lines(text: str) -> dict[str, tuple[str, int]]:
    """SYM -> (value, line number) for every assignment in .config text."""
    out = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _UNSET.match(line.strip())
        if m:
            out[m.group(1)] = ("n", lineno)
            continue
        m = _ASSIGN.match(line.strip())
        if m:
            out[m.group(1)] = (_unquote(m.group(2)), lineno)
    return out


def read_config(path: Path) -> str:
    """The text of a .config; every way it can be unreadable is a KitError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KitError(f"no configuration in {path.parent}: run ./build.py defconfig PRESET "
                       f"first (presets: {', '.join(presets())})") from None
    except IsADirectoryError:
        raise KitError(f"{path} is a directory, not a configuration file: remove it and run "
                       "./build.py defconfig PRESET") from None
    except OSError as exc:
        raise KitError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise KitError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}): "
                       "fix or remove the line, or run ./build.py defconfig PRESET") from None
