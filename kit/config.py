"""Kconfig handling with Kconfiglib: resolving presets and assignments,
loading and writing .config, with strict checks.

Kconfiglib resolves everything.  What this module adds is the refusal to
change a user's request silently: an assignment that Kconfig would drop or
alter (unknown symbol, unmet dependency, bad value, out of range), and a
value in .config that Kconfig refuses, is an error naming the symbol and
why, as KUnit's kunit.py does for .kunitconfig.

Importing Kconfiglib and parsing the Kconfig tree cost more than a no-op
build may take, so the text-level half (presets, fragments, SYM=VALUE,
reading .config) is kit/fragments.py, re-exported here.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from . import archs, paths
from .errors import KitError
# The text-level half, re-exported: callers need not know which half they use.
from .fragments import (Assignment, Preset, arch_assignment, assignment_lines,  # noqa: F401
                        assignments_of, parse_fragment, parse_set, preset, presets,
                        read_config)

try:
    import kconfiglib
except ImportError as exc:  # pragma: no cover - depends on the host
    raise SystemExit("build.py: error: Python module 'kconfiglib' not found: install the "
                     "Debian package 'python3-kconfiglib' (ci/setup.sh) and run build.py "
                     "with /usr/bin/python3") from exc

ARCHES = tuple(archs.ARCHES)

def load_kconfig() -> kconfiglib.Kconfig:
    """Parse the Kconfig tree, quietly: the kit reports problems itself."""
    os.environ["srctree"] = str(paths.ROOT)
    kconf = kconfiglib.Kconfig(str(paths.KCONFIG), warn_to_stderr=False)
    kconf.warn_assign_undef = False
    kconf.warn_assign_override = False
    kconf.warn_assign_redun = False
    return kconf


def from_preset(name: str, arch: str | None = None, settings=(), extra=(),
                fragments=()) -> kconfiglib.Kconfig:
    """The one way a configuration is made from a preset (a name, or a
    fragment's path): its fragment, then the ``fragments`` (--kconfig,
    merged in order: two that disagree are an error), then --arch, then
    SYM=VALUE ``settings``, then ``extra`` assignments, each checked to
    stick (apply())."""
    from .fragments import merge_fragments
    assignments = parse_fragment(preset(name).path) + merge_fragments(list(fragments))
    if arch:
        assignments.append(arch_assignment(arch))
    kconf = load_kconfig()
    apply(kconf, assignments + parse_set(list(settings)) + list(extra))
    return kconf


def _range_hint(sym: kconfiglib.Symbol, value: int, base: int) -> str:
    """Name what would admit @value, when a range that holds it is switched off
    (NR_CPUS: 'range 1 8 if SMP'), so the user learns which symbol to set."""
    for lo, hi, cond in sym.ranges:
        if (not kconfiglib.expr_value(cond)
                and int(lo.str_value, base) <= value <= int(hi.str_value, base)):
            return f" (range [{lo.str_value}, {hi.str_value}] needs {kconfiglib.expr_str(cond)})"
    return ""


def _why_dropped(kconf: kconfiglib.Kconfig, a: Assignment) -> str:
    """Explain why Kconfig did not take an assignment."""
    sym = kconf.syms[a.name]
    if not any(node.prompt for node in sym.nodes):
        return "it has no prompt and cannot be set (it is derived)"
    if sym.type in (kconfiglib.INT, kconfiglib.HEX):
        base = 16 if sym.type == kconfiglib.HEX else 10
        try:
            int(a.value, base)
        except ValueError:
            return f"'{a.value}' is not a valid {kconfiglib.TYPE_TO_STR[sym.type]}"
        for lo, hi, cond in sym.ranges:
            if kconfiglib.expr_value(cond):
                return (f"{a.value} is out of range [{lo.str_value}, {hi.str_value}]"
                        + _range_hint(sym, int(a.value, base), base))
    if sym.type == kconfiglib.BOOL and a.value not in ("y", "n"):
        return f"'{a.value}' is not a valid bool (y or n)"
    if sym.visibility == 0:
        return f"unmet dependencies: depends on {kconfiglib.expr_str(sym.direct_dep)}"
    if sym.choice is not None and a.value == "n":
        return ("it is a choice member; set the member you want to y instead "
                f"(now {sym.choice.selection.name if sym.choice.selection else 'none'})")
    if sym.choice is not None:
        return f"another assignment selected {sym.choice.selection.name} in the same choice"
    return f"Kconfig resolved it to '{sym.str_value}'"


def apply(kconf: kconfiglib.Kconfig, assignments: list[Assignment]) -> None:
    """Apply assignments in order, then check every one of them stuck.

    Later assignments override earlier ones (preset, then --arch, then
    --set); only the last value of each symbol is checked.
    """
    final: dict[str, Assignment] = {}
    for a in assignments:
        if a.name not in kconf.syms or not kconf.syms[a.name].nodes:
            raise KitError(f"{a.origin}: unknown symbol {a.name}")
        sym = kconf.syms[a.name]
        value = a.value
        if sym.type == kconfiglib.BOOL and value in ("y", "n"):
            sym.set_value(2 if value == "y" else 0)
        else:
            sym.set_value(value)
        final[a.name] = a
    for a in final.values():
        sym = kconf.syms[a.name]
        if sym.str_value != a.value:
            raise KitError(f"{a.origin}: {a.name}={a.value} not applied: {_why_dropped(kconf, a)}")
    check_constraints(kconf)


# kmalloc size classes (KMALLOC_CLASSES): every class a multiple of the
# granule, so that slab objects keep 8-byte alignment and the generated
# size->class lookup can be indexed by (size + 7) / 8; none above the
# largest slab object (core/include/slab.h KMEM_CACHE_MAX_SIZE: a slab is
# at most 2^3 pages, fewer under a buddy allocator with a smaller max
# order), where whole pages take over.
KMALLOC_CLASS_GRANULE = 8
_PAGE_KB = 4
_SLAB_MAX_ORDER = 3


# What debugging puts after every slab object (core/include/slab.h
# SLAB_DEBUG_EXTRA): a red zone of 16 bytes (DEBUG_REDZONE), an owner
# track of 32 (DEBUG_OWNER).
_SLAB_DEBUG_EXTRA = {"DEBUG_REDZONE": 16, "DEBUG_OWNER": 32}


def kmalloc_class_max(buddy_max_order: int | None = None, debug_extra: int = 0) -> int:
    """The largest class a slab can hold, given the buddy's max order (if buddy)
    and the bytes debugging adds to each object."""
    order = _SLAB_MAX_ORDER if buddy_max_order is None else min(_SLAB_MAX_ORDER,
                                                               buddy_max_order)
    return ((_PAGE_KB * 1024) << order) - debug_extra


def kmalloc_classes(text: str, class_max: int | None = None) -> list[int]:
    """Parse and check KMALLOC_CLASSES: sizes separated by spaces or commas."""
    limit = class_max or kmalloc_class_max()
    items = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not items:
        raise KitError("KMALLOC_CLASSES is empty: give at least one size class")
    sizes: list[int] = []
    for item in items:
        if not item.isdigit() or int(item) == 0:
            raise KitError(f"KMALLOC_CLASSES: '{item}' is not a positive integer")
        size = int(item)
        if size % KMALLOC_CLASS_GRANULE:
            raise KitError(f"KMALLOC_CLASSES: {size} is not a multiple of "
                           f"{KMALLOC_CLASS_GRANULE} (objects keep 8-byte alignment)")
        if size > limit:
            raise KitError(f"KMALLOC_CLASSES: {size} is larger than the largest slab object "
                           f"({limit}); larger requests take whole pages")
        if sizes and size == sizes[-1]:
            raise KitError(f"KMALLOC_CLASSES: {size} is listed twice")
        if sizes and size < sizes[-1]:
            raise KitError(f"KMALLOC_CLASSES: not ascending ({size} after {sizes[-1]})")
        sizes.append(size)
    return sizes


# Object pools (core/mm/Kconfig.pool): the four typed pools with their own
# symbols, then POOL_EXTRA's name:size:count:reserve entries.  An object
# is at most the largest slab object less one word (the state word pools
# keep where the checks are exact, core/include/pool.h POOL_MAX_SIZE).
POOL_BUILTIN = ("proc", "file", "thread", "socket")
POOL_NAME_MAX = 20
_POOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_POOL_WORD = 8
# What one pool object may cost its backing allocator at most: its bytes
# rounded to a word, the state word, rounding to the alignment (at most a
# cache line, kit/pools.py), and a SimpleHeap block header.
_POOL_OBJECT_OVERHEAD = _POOL_WORD + 64 + 16


@dataclass(frozen=True)
class PoolSpec:
    """One typed pool as configured, and how to name it in a message."""
    name: str
    size: int
    count: int
    reserve: int
    origin: str


def pool_max_size(buddy_max_order: int | None = None, debug_extra: int = 0) -> int:
    return kmalloc_class_max(buddy_max_order, debug_extra) - _POOL_WORD


def slab_debug_extra(values) -> int:
    """Bytes debugging adds after each slab object (core/include/slab.h SLAB_DEBUG_EXTRA)."""
    return sum(n for name, n in _SLAB_DEBUG_EXTRA.items() if values.get(name) in (True, "y"))


def pool_extra(text: str) -> list[PoolSpec]:
    """Parse POOL_EXTRA: entries name:size:count:reserve separated by spaces."""
    out: list[PoolSpec] = []
    for entry in text.split():
        origin = f"POOL_EXTRA: '{entry}'"
        parts = entry.split(":")
        if len(parts) != 4:
            raise KitError(f"{origin} is not name:size:count:reserve")
        name, *numbers = parts
        if not _POOL_NAME.fullmatch(name) or len(name) > POOL_NAME_MAX:
            raise KitError(f"{origin}: '{name}' is not a C identifier of at most "
                           f"{POOL_NAME_MAX} characters (a letter, then letters, digits or _)")
        if name in POOL_BUILTIN:
            raise KitError(f"{origin}: '{name}' is one of the built-in pools "
                           f"({', '.join(POOL_BUILTIN)}); pick another name")
        if any(p.name == name for p in out):
            raise KitError(f"{origin}: pool '{name}' is listed twice")
        for what, value in zip(("size", "count", "reserve"), numbers):
            if not value.isdigit():
                raise KitError(f"{origin}: the {what} '{value}' is not a non-negative integer")
        size, count, reserve = (int(v) for v in numbers)
        out.append(PoolSpec(name, size, count, reserve, origin))
    return out


def pool_specs(values: dict[str, object]) -> list[PoolSpec]:
    """Every typed pool of a configuration (resolved values), in table order."""
    if not values.get("POOLS"):
        return []
    out = []
    for name in POOL_BUILTIN:
        sym = f"POOL_{name.upper()}"
        if values.get(sym):
            out.append(PoolSpec(name, int(values[f"{sym}_SIZE"]), int(values[f"{sym}_COUNT"]),
                                int(values[f"{sym}_RESERVE"]), f"{sym}_*"))
    return out + pool_extra(str(values.get("POOL_EXTRA") or ""))


def check_pools(values: dict[str, object]) -> None:
    """What the pool symbols' ranges cannot say: sizes against the largest
    slab object, reserves against counts, and the preallocated objects of
    all pools against the memory they come from."""
    buddy = values.get("BUDDY_MAX_ORDER") if values.get("PAGE_ALLOC_BUDDY") else None
    limit = pool_max_size(int(buddy) if buddy else None, slab_debug_extra(values))
    if values.get("MM_SIMPLEHEAP"):
        arena_kb, arena = int(values["SIMPLEHEAP_SIZE_KB"]), "the SimpleHeap region"
    else:
        arena_kb, arena = int(values["RAM_MB"]) * 1024, "RAM"
    total = 0
    for p in pool_specs(values):
        if p.size == 0:
            raise KitError(f"{p.origin}: pool '{p.name}' has size 0")
        if p.size > limit:
            raise KitError(f"{p.origin}: pool '{p.name}': size {p.size} is larger than the "
                           f"largest pool object ({limit} bytes)")
        if p.reserve > p.count:
            raise KitError(f"{p.origin}: pool '{p.name}': reserve {p.reserve} is larger "
                           f"than its count {p.count}")
        total += p.count * (p.size + _POOL_OBJECT_OVERHEAD + slab_debug_extra(values))
        if total > arena_kb * 1024 // 2:
            raise KitError(f"{p.origin}: pool '{p.name}': the pools' preallocated objects "
                           f"need up to {-(-total // 1024)} KiB, more than half of {arena} "
                           f"({arena_kb // 2} KiB)")


def check_hugepages(values: dict[str, object]) -> None:
    """The hugepage pool against RAM, the buddy allocator's largest block and
    the vmap area: what HUGEPAGES_2M / HUGEPAGES_1G's ranges cannot say."""
    n2m, n1g = int(values["HUGEPAGES_2M"]), int(values["HUGEPAGES_1G"])
    ram_mb = int(values["RAM_MB"])
    need_mb = n2m * 2 + n1g * 1024
    if need_mb > ram_mb // 2:
        raise KitError(f"HUGEPAGES_2M={n2m} and HUGEPAGES_1G={n1g} reserve {need_mb} MiB, "
                       f"more than half of RAM_MB={ram_mb} ({ram_mb // 2} MiB)")
    if values.get("PAGE_ALLOC_BUDDY"):
        order = int(values["BUDDY_MAX_ORDER"])
        for count, name, want in ((n2m, "HUGEPAGES_2M", 9), (n1g, "HUGEPAGES_1G", 18)):
            if count and order < want:
                raise KitError(f"{name}={count} needs BUDDY_MAX_ORDER >= {want} "
                               f"(it is {order}: the buddy allocator has no such block)")
    vmap_mb = int(values["VMAP_SIZE_MB"])
    slots_mb = hugepage_vmap_mb(values)
    if slots_mb > vmap_mb:
        raise KitError(f"HUGEPAGES_2M={n2m} and HUGEPAGES_1G={n1g} need up to {slots_mb} MiB "
                       f"of address space, more than VMAP_SIZE_MB={vmap_mb}")


def hugepage_vmap_mb(values: dict[str, object]) -> int:
    """The vmap area the hugepage pool takes (0 without it): slots aligned
    to their size, each pool followed by a guard page."""
    if not values.get("HUGEPAGES"):
        return 0
    n2m, n1g = int(values["HUGEPAGES_2M"]), int(values["HUGEPAGES_1G"])
    return n2m * 2 + n1g * 1024 + (1024 if n1g else 0) + (2 if n2m else 0) + 2


def check_guard(values: dict[str, object]) -> None:
    """The guard pool (debug_guard.c reserves 2N+1 pages of the vmap area:
    each object page and a guard page after it, a guard page before the
    first) next to the hugepage pool's share of the area; without room the
    kernel boots with guard sampling off (randconfig seed 1010:
    DEBUG_GUARD_POOL_PAGES=4096 in VMAP_SIZE_MB=16)."""
    n = int(values["DEBUG_GUARD_POOL_PAGES"])
    vmap_mb = int(values["VMAP_SIZE_MB"])
    huge_mb = hugepage_vmap_mb(values)
    need_kb = (2 * n + 1) * _PAGE_KB
    if need_kb + huge_mb * 1024 > vmap_mb * 1024:
        beside = f" beside the hugepage pool's {huge_mb} MiB" if huge_mb else ""
        raise KitError(f"DEBUG_GUARD_POOL_PAGES={n} needs {need_kb} KiB of the vmap area"
                       f"{beside}, more than VMAP_SIZE_MB={vmap_mb}")


def check_constraints(kconf: kconfiglib.Kconfig) -> None:
    """Checks across symbols that Kconfig ranges cannot express."""
    syms = kconf.syms
    ram_kb = int(syms["RAM_MB"].str_value) * 1024
    # The SimpleHeap and TLSF regions: each one page_alloc() run, and a buddy run is one block.
    order = syms.get("BUDDY_MAX_ORDER")
    for region in ("SIMPLEHEAP_SIZE_KB", "TLSF_SIZE_KB"):
        heap = syms.get(region)
        if heap is None or not heap.visibility:
            continue
        if int(heap.str_value) > ram_kb // 2:
            raise KitError(f"{region}={heap.str_value} does not fit in half of "
                           f"RAM_MB={syms['RAM_MB'].str_value} ({ram_kb // 2} KiB)")
        if (order is not None and order.visibility
                and int(heap.str_value) > _PAGE_KB << int(order.str_value)):
            raise KitError(f"{region}={heap.str_value} does not fit the largest buddy "
                           f"block of BUDDY_MAX_ORDER={order.str_value} "
                           f"({_PAGE_KB << int(order.str_value)} KiB)")
    reserve = int(syms["MIN_FREE_KBYTES"].str_value)
    if reserve > ram_kb // 8:
        raise KitError(f"MIN_FREE_KBYTES={reserve} is more than an eighth of "
                       f"RAM_MB={syms['RAM_MB'].str_value} ({ram_kb // 8} KiB)")
    zstore = syms.get("ZSTORE_LIMIT_KB")
    if zstore is not None and zstore.visibility and int(zstore.str_value) > ram_kb // 4:
        raise KitError(f"ZSTORE_LIMIT_KB={zstore.str_value} is more than a quarter of "
                       f"RAM_MB={syms['RAM_MB'].str_value} ({ram_kb // 4} KiB)")
    classes = syms.get("KMALLOC_CLASSES")
    if classes is not None and classes.visibility:
        extra = sum(n for name, n in _SLAB_DEBUG_EXTRA.items()
                    if name in syms and syms[name].str_value == "y")
        kmalloc_classes(classes.str_value, kmalloc_class_max(
            int(order.str_value) if order is not None and order.visibility else None, extra))
    pools = syms.get("POOLS")
    if pools is not None and pools.str_value == "y":
        check_pools(resolved(kconf))
    huge = syms.get("HUGEPAGES")
    if huge is not None and huge.str_value == "y":
        check_hugepages(resolved(kconf))
    guard = syms.get("DEBUG_GUARD")
    if guard is not None and guard.str_value == "y":
        check_guard(resolved(kconf))


# The .config's first line; menuconfig and oldconfig keep it
# (KCONFIG_CONFIG_HEADER), so that saving there changes no more than the values.
HEADER = "# mmkit configuration (build.py writes this file)\n"


def config_text(kconf: kconfiglib.Kconfig) -> str:
    """The .config Kconfiglib would write, as a string."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config"
        kconf.write_config(str(path), header=HEADER, save_old=False)
        return path.read_text(encoding="utf-8")


def describe_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    changes = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            changes.append(f"removed {name}")
        elif name not in old:
            changes.append(f"new {name}={new[name]}")
        elif old[name] != new[name]:
            changes.append(f"changed {name}={old[name]}->{new[name]}")
    return changes


def config_path(out: Path) -> Path:
    return out / paths.config_name()


def write_config(kconf: kconfiglib.Kconfig, out: Path) -> None:
    """Write out/.config (only if it changes), creating and marking ``out``."""
    from .fsutil import write_if_changed
    from . import outdir
    text = config_text(kconf)
    outdir.prepare(out)
    try:
        write_if_changed(config_path(out), text)
    except IsADirectoryError:
        raise KitError(f"{config_path(out)} is a directory, not a configuration file: "
                       "remove it first") from None
    except OSError as exc:
        raise KitError(f"cannot write {config_path(out)}: {exc.strerror}") from None


def _invalid_values(kconf: kconfiglib.Kconfig, lines: dict[str, tuple[str, int]],
                    skip: set[str]) -> list[str]:
    """Assignments in a .config that Kconfig refuses, each with the reason.

    A value of the wrong type, out of range, or with unmet dependencies was
    put there by hand (or by another tool): it is not what an older Kconfig
    wrote, and updating the file would silently replace the user's value.
    Derived symbols (no prompt) are left out: their value follows the
    others', and an update recomputes it.
    """
    problems = []
    for name, (value, lineno) in sorted(lines.items(), key=lambda item: item[1][1]):
        sym = kconf.syms.get(name)
        if name in skip or sym is None or not sym.nodes or sym.str_value == value:
            continue
        if not any(node.prompt for node in sym.nodes):
            continue
        why = _why_dropped(kconf, Assignment(name, value, f"line {lineno}"))
        problems.append(f"line {lineno}: {name}={value}: {why}")
    return problems


def write_min_config(kconf: kconfiglib.Kconfig, target: Path) -> None:
    """The minimal config (what differs from the defaults), as a preset starts."""
    from .fsutil import write_atomic
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "defconfig"
        kconf.write_min_config(str(path), header="# description: (say what this variant is)\n")
        write_atomic(target, path.read_text(encoding="utf-8"))


def load(out: Path, allow_stale: bool = False,
         overridden: set[str] = frozenset()) -> tuple[kconfiglib.Kconfig, list[str]]:
    """Load out/.config.  Returns the Kconfig and what an update would change.

    A value Kconfig refuses (wrong type, out of range, unmet dependency) is
    an error naming the symbol, the value and why, unless the caller is
    about to set that symbol (``overridden``: olddefconfig --set).  A
    .config written by an older Kconfig (symbols new or removed since, or a
    derived value that follows from them) is an error unless
    ``allow_stale``: the caller then writes it back with olddefconfig
    semantics and shows the list.
    """
    path = config_path(out)
    text = read_config(path)
    kconf = load_kconfig()
    with redirect_stdout(io.StringIO()):
        kconf.load_config(str(path))
    lines = assignment_lines(text)
    invalid = _invalid_values(kconf, lines, set(overridden))
    if invalid:
        raise KitError(f"{path}: {'; '.join(invalid)} (correct the value, or set one with "
                       "./build.py olddefconfig --set SYM=VALUE)")
    old = {name: value for name, (value, _) in lines.items() if name not in overridden}
    new = {name: value for name, value in assignments_of(config_text(kconf)).items()
           if name not in overridden}
    changes = describe_changes(old, new)
    if changes and not allow_stale:
        what = ("is from an older Kconfig" if any(not c.startswith("changed ") for c in changes)
                else "is out of date")
        raise KitError(f"{path} {what} ({'; '.join(changes)}): "
                       "run ./build.py olddefconfig to update it")
    if not allow_stale:
        check_constraints(kconf)
    return kconf, changes


def new_symbols(out: Path) -> list[str]:
    """listnewconfig: the symbols a user could set that out/.config does not
    mention (added to Kconfig since it was written), as CONFIG_X=default."""
    kconf, _ = load(out, allow_stale=True)
    assigned = assignment_lines(read_config(config_path(out)))
    new = []
    for sym in kconf.unique_defined_syms:
        if sym.name in assigned or not sym.visibility or not sym.config_string:
            continue
        if not any(node.prompt for node in sym.nodes):
            continue
        new.append(sym.config_string.strip().replace(f"# CONFIG_{sym.name} is not set",
                                                     f"CONFIG_{sym.name}=n"))
    return new


def ask_new_symbols(out: Path) -> kconfiglib.Kconfig:
    """oldconfig: Kconfiglib's question for every visible symbol out/.config
    does not set, answered on stdin (Enter takes the default); returns the
    Kconfig with the answers, unsaved.  Running out of answers is an error
    and changes nothing."""
    import oldconfig as kconfiglib_oldconfig   # Kconfiglib's, beside kconfiglib.py
    kconf = load_kconfig()
    with redirect_stdout(io.StringIO()):
        kconf.load_config(str(config_path(out)))
    try:
        while True:    # an answer can make earlier symbols visible: ask again
            kconfiglib_oldconfig.conf_changed = False
            for node in kconf.node_iter():
                kconfiglib_oldconfig.oldconfig(node)
            if not kconfiglib_oldconfig.conf_changed:
                break
    except (EOFError, KeyboardInterrupt):
        print()
        raise KitError(f"oldconfig: no answer (end of input); {config_path(out)} "
                       "was not changed") from None
    return kconf


def resolved(kconf: kconfiglib.Kconfig) -> dict[str, object]:
    """Every defined symbol's resolved value: bools as True/False, ints as int."""
    values: dict[str, object] = {}
    for sym in kconf.unique_defined_syms:
        if sym.type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            values[sym.name] = sym.str_value == "y"
        elif sym.type == kconfiglib.INT:
            values[sym.name] = int(sym.str_value) if sym.str_value else 0
        elif sym.type == kconfiglib.HEX:
            values[sym.name] = int(sym.str_value, 16) if sym.str_value else 0
        else:
            values[sym.name] = sym.str_value
    return values


def eval_expr(kconf: kconfiglib.Kconfig, expr: str) -> bool:
    """Evaluate a Kconfig expression such as 'SLAB && !PCP'."""
    return kconf.eval_string(expr) == 2
