"""BENCH lines from the bench image: parse them strictly, derive the figures.

The bench image (core/init/image_bench.c, workloads in tests/bench/)
prints one ``BENCH {json}`` line per figure, format version 1:

    meta   what ran: arch, mode, page allocator, repetitions, seed ...
    op     one measured operation: instructions per op (min, median, max
           over the repetitions), with its parameters (size, order, pattern)
    frag   raw counts after an aging pattern; the standard fragmentation
           figures are derived here (derive_frag), never in the guest
    pgtable page-table pages the kernel needed to map one more GiB with
           leaves of one size (and the first GiB, upper levels included);
           bytes per GiB are derived here (derive_pgtable)
    compact the hugepage success rate on a fragmented heap without and with
           compaction, and compaction's counts
    hugepage the hugepage pool's statistics for one page size after the
           workloads (configured, reserved, free, in use, fallbacks ...)
    worst  the largest instruction count of a single kmalloc() or kfree()
           over a stress pattern (and the sum, for the mean): the worst
           case, next to TLSF's published bound (TLSF_PUBLISHED_BOUND)
    end    the number of BENCH lines printed, so a cut run is caught
    error  the guest's harness reports a problem of its own

A line that is not valid JSON, has an unknown version or kind, lacks a
field, has a field of the wrong type, or has a field the kind does not
define is refused with a one-line reason (BenchLineError).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import archs, qemu
from .errors import KitError

PREFIX = "BENCH "
FORMAT_VERSION = 1

# kind -> field -> type; every field is required unless listed in OPTIONAL.
INT, STR, INTS = "int", "str", "int list"
SCHEMA: dict[str, dict[str, str]] = {
    "meta": {"arch": STR, "mode": STR, "page_alloc": STR, "reps": INT, "seed": INT,
             "counter_overhead": INT, "sizes": STR, "page_size": INT, "managed_pages": INT},
    "op": {"name": STR, "reps": INT, "ops": INT, "failures": INT, "min": INT, "median": INT,
           "max": INT, "size": INT, "class": INT, "granted": INT, "pattern": STR, "order": INT,
           "seed": INT, "slots": INT, "max_size": INT, "zone": STR, "from": STR, "to": STR,
           "page_size": INT, "pool": STR},
    "frag": {"pattern": STR, "ops": INT, "attempts": INT, "failures": INT, "live": INT,
             "requested": INT, "granted": INT, "peak_requested": INT, "peak_footprint": INT,
             "heap_free": INT, "heap_largest": INT, "page_total": INT, "page_free": INT,
             "page_largest_run": INT, "page_meta": INT, "front_meta": INT, "nr_free": INTS,
             "largest_kmalloc": INT, "footprint": INT, "peak_slab_live": INT,
             "peak_slab_free": INT, "peak_slab_empty": INT, "peak_slab_tail": INT,
             "peak_pcp": INT},
    "pgtable": {"page_size": INT, "mapped": INT, "table_pages": INT, "first_table_pages": INT},
    "hugepage": {"page_size": INT, "configured": INT, "reserved": INT, "free": INT, "in_use": INT,
                 "allocs": INT, "fallback_block": INT, "fallback_small": INT, "failures": INT,
                 "auto_served": INT, "auto_missed": INT},
    "compact": {"attempts": INT, "free_pages": INT, "without": INT, "with": INT, "movable_pages": INT,
                "unmovable_pages": INT, "blocks_formed": INT, "pages_migrated": INT,
                "failures": INT},
    "worst": {"name": STR, "pattern": STR, "ops": INT, "max": INT, "total": INT},
    "end": {"lines": INT, "leaked_objects": INT, "pages_retained": INT, "misuse": INT},
    "error": {"message": STR},
}
OPTIONAL = {"op": {"size", "class", "granted", "pattern", "order", "seed", "slots", "max_size",
                   "zone", "from", "to", "page_size", "pool"},
            "frag": {"largest_kmalloc", "footprint", "peak_slab_live", "peak_slab_free",
                     "peak_slab_empty", "peak_slab_tail", "peak_pcp"}}

# What a footprint's peak held (the frag line's peak_* parts), in display order.
PEAK_PARTS = ("slab_live", "slab_free", "slab_empty", "slab_tail", "pcp")

# The worst case Masmano et al. (ECRTS 2004) publish for TLSF's operations, in
# instructions: printed next to the measured worst single kmalloc() / kfree()
# of the stress patterns, a reference, not a target (their count is the
# allocator's own code; ours is the whole kernel call).
TLSF_PUBLISHED_BOUND = 168

# Parameters that tell one op figure from another, in display order.
OP_PARAMS = ("pool", "pattern", "zone", "from", "to", "size", "order", "page_size")


class BenchLineError(KitError):
    """A BENCH line that breaks the format."""


def _check_type(kind: str, key: str, value: object, want: str) -> None:
    def is_count(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    ok = {INT: is_count(value), STR: isinstance(value, str),
          INTS: isinstance(value, list) and all(is_count(v) for v in value)}[want]
    if not ok:
        raise BenchLineError(f"{kind} line: field '{key}' should be a {want} "
                             f"(non-negative), not {json.dumps(value)}")


def parse_line(line: str) -> dict:
    """One ``BENCH {json}`` line -> its object, checked against SCHEMA."""
    text = line.strip()
    if not text.startswith(PREFIX):
        raise BenchLineError(f"not a BENCH line: {text[:60]!r}")
    try:
        obj = json.loads(text[len(PREFIX):])
    except json.JSONDecodeError as exc:
        raise BenchLineError(f"BENCH line is not valid JSON ({exc.msg} at column "
                             f"{exc.colno + len(PREFIX)}): {text[:80]!r}") from exc
    if not isinstance(obj, dict):
        raise BenchLineError(f"BENCH line is not a JSON object: {text[:80]!r}")
    if obj.get("v") != FORMAT_VERSION or isinstance(obj.get("v"), bool):
        raise BenchLineError(f"BENCH line has format version {obj.get('v')!r}, "
                             f"expected {FORMAT_VERSION}")
    kind = obj.get("kind")
    if kind not in SCHEMA:
        raise BenchLineError(f"BENCH line has unknown kind {kind!r} "
                             f"(known: {', '.join(SCHEMA)})")
    fields = SCHEMA[kind]
    unknown = sorted(set(obj) - set(fields) - {"v", "kind"})
    if unknown:
        raise BenchLineError(f"{kind} line: unknown field(s) {', '.join(unknown)}")
    missing = [k for k in fields if k not in obj and k not in OPTIONAL.get(kind, set())]
    if missing:
        raise BenchLineError(f"{kind} line: missing field(s) {', '.join(missing)}")
    for key, want in fields.items():
        if key in obj:
            _check_type(kind, key, obj[key], want)
    if kind == "op" and not obj["min"] <= obj["median"] <= obj["max"]:
        raise BenchLineError(f"op line '{obj['name']}': min <= median <= max does not hold")
    if kind == "pgtable" and obj["mapped"] == 0:
        raise BenchLineError("pgtable line: 'mapped' is 0, no figure per GiB can follow")
    return obj


@dataclass
class BenchRun:
    meta: dict | None = None
    ops: list[dict] = field(default_factory=list)
    frags: list[dict] = field(default_factory=list)
    pgtables: list[dict] = field(default_factory=list)
    hugepages: list[dict] = field(default_factory=list)
    compacts: list[dict] = field(default_factory=list)
    worsts: list[dict] = field(default_factory=list)
    end: dict | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(console: str) -> BenchRun:
    """Every BENCH line of a console log; problems are collected, not raised."""
    run = BenchRun()
    seen = 0
    for raw in console.replace("\r\n", "\n").split("\n"):
        if not raw.strip().startswith("BENCH"):
            continue
        seen += 1
        try:
            obj = parse_line(raw)
        except BenchLineError as exc:
            run.errors.append(str(exc))
            continue
        kind = obj["kind"]
        if run.end is not None:
            run.errors.append(f"{kind} line after the end line")
        if kind == "meta":
            if run.meta is not None or seen != 1:
                run.errors.append("the meta line must come first, once")
            run.meta = obj
        elif kind == "op":
            run.ops.append(obj)
        elif kind == "frag":
            run.frags.append(obj)
        elif kind == "pgtable":
            run.pgtables.append(obj)
        elif kind == "hugepage":
            run.hugepages.append(obj)
        elif kind == "compact":
            run.compacts.append(obj)
        elif kind == "worst":
            run.worsts.append(obj)
        elif kind == "end":
            run.end = obj
        else:
            run.errors.append(f"guest harness error: {obj['message']}")
    if run.meta is None and not any("meta" in e for e in run.errors):
        run.errors.append("no meta line (did the bench image run?)")
    if run.end is None:
        run.errors.append(f"no end line: the run stopped after {seen} BENCH line(s)")
    elif run.end["lines"] != seen:
        run.errors.append(f"end line counts {run.end['lines']} BENCH lines, "
                          f"{seen} were received")
    elif run.end["leaked_objects"] or run.end["misuse"]:
        run.errors.append(f"workloads leaked {run.end['leaked_objects']} object(s), "
                          f"{run.end['misuse']} misuse report(s)")
    return run


def op_key(op: dict) -> str:
    """A figure's name with its parameters: 'pair size=64', 'page_alloc order=3'."""
    parts = [op["name"]] + [f"{p}={op[p]}" for p in OP_PARAMS if p in op]
    return " ".join(parts)


# --- fragmentation, with the standard definitions ---------------------------------

def unusable_index(nr_free: list[int], free_pages: int, order: int) -> float | None:
    """Linux's unusable free space index U(o): the share of free pages that
    cannot serve an order-o request.  None when nothing is free."""
    if free_pages <= 0:
        return None
    suitable = sum(n << k for k, n in enumerate(nr_free) if k >= order)
    return (free_pages - suitable) / free_pages


def fragmentation_index(nr_free: list[int], free_pages: int, order: int) -> float | None:
    """Linux's fragmentation index F(o): towards 0 a failure would be for
    lack of memory, towards 1 for fragmentation; -1 when an order-o block
    is free.  None when there are no free blocks at all."""
    blocks = sum(nr_free)
    if blocks == 0:
        return None
    if any(n for k, n in enumerate(nr_free) if k >= order):
        return -1.0
    return 1 - (1 + free_pages / (1 << order)) / blocks


def peak_parts(frag: dict) -> dict | None:
    """What the footprint held at its peak, each part over peak_requested;
    "other" is the rest of the peak (pages outside slabs).  None when the
    line does not carry the parts or nothing was requested."""
    if not frag["peak_requested"] or any(f"peak_{k}" not in frag for k in PEAK_PARTS):
        return None
    parts = {k: frag[f"peak_{k}"] / frag["peak_requested"] for k in PEAK_PARTS}
    rest = frag["peak_footprint"] - sum(frag[f"peak_{k}"] for k in PEAK_PARTS)
    parts["other"] = rest / frag["peak_requested"]
    return parts


def derive_frag(frag: dict, page_size: int, orders: tuple[int, ...] = (0, 3, 9)) -> dict:
    """The standard figures from one frag line's counts (None: not defined)."""
    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    managed = frag["page_total"] * page_size
    nr_free, free = frag["nr_free"], frag["page_free"]
    return {
        "failure_rate": ratio(frag["failures"], frag["attempts"]),
        "internal_frag": ratio(frag["granted"] - frag["requested"], frag["granted"])
        if frag["granted"] >= frag["requested"] else None,
        "jw4": ratio(frag["peak_footprint"], frag["peak_requested"])
        if frag["peak_footprint"] else None,
        # JW #4 taken apart: each part of the peak per peak requested byte,
        # "other" the pages outside slabs (None: the line has no parts).
        "jw4_parts": peak_parts(frag),
        # Held bytes no live allocation uses, the same way for every mode.
        "external_frag": ratio(frag["footprint"] - frag["granted"], frag["footprint"])
        if frag.get("footprint") and frag["footprint"] >= frag["granted"] else None,
        "heap_external_frag": 1 - frag["heap_largest"] / frag["heap_free"]
        if frag["heap_free"] else None,
        "largest_free_heap": frag["heap_largest"] if frag["heap_free"] else None,
        "largest_free_pages": frag["page_largest_run"] * page_size,
        "largest_kmalloc": frag.get("largest_kmalloc"),
        "meta_overhead": ratio(frag["page_meta"] + frag["front_meta"], managed),
        "page_meta_overhead": ratio(frag["page_meta"], managed),
        "front_meta_overhead": ratio(frag["front_meta"], managed),
        "unusable_index": {str(o): unusable_index(nr_free, free, o) for o in orders},
        "fragmentation_index": {str(o): fragmentation_index(nr_free, free, o) for o in orders},
    }


def derive_pgtable(line: dict, page_size: int) -> dict:
    """Page-table memory from one pgtable line: bytes per GiB mapped with its
    leaf size (the marginal GiB), and what the first GiB into an empty slot
    took, the tables above the leaves included."""
    return {
        "table_bytes_per_gib": line["table_pages"] * page_size * (1 << 30) // line["mapped"],
        "first_gib_table_bytes": line["first_table_pages"] * page_size,
    }


# --- object pools against kmalloc ------------------------------------------------

# The seed's "+50% speed" for object pools: a pool's alloc+free pair costs at
# most this fraction of the kmalloc+kfree pair of the same size, in the same
# variant (1 / 1.5, rounded as the issue states it).
POOL_TARGET = 0.67


def pool_ratios(ops: list[dict]) -> list[dict]:
    """Each typed pool's pair (pool_pair) against kmalloc's of its size
    (kmalloc_pair), both measured by tests/bench/pools.c: medians, their
    ratio and whether it meets POOL_TARGET."""
    kmalloc = {(op.get("pool"), op.get("size")): op["median"] for op in ops
               if op["name"] == "kmalloc_pair"}
    out = []
    for op in ops:
        key = (op.get("pool"), op.get("size"))
        if op["name"] != "pool_pair" or key not in kmalloc:
            continue
        ratio = op["median"] / kmalloc[key] if kmalloc[key] else None
        out.append({"pool": key[0], "size": key[1], "pool_pair": op["median"],
                    "kmalloc_pair": kmalloc[key], "ratio": ratio,
                    "met": ratio is not None and ratio <= POOL_TARGET})
    return out


def summary(run: BenchRun) -> dict:
    """What bench.json holds: the raw lines plus derived figures."""
    page_size = run.meta["page_size"] if run.meta else 4096
    return {
        "v": FORMAT_VERSION,
        "meta": run.meta,
        "ops": [{**op, "key": op_key(op)} for op in run.ops],
        "frag": [{**f, "derived": derive_frag(f, page_size)} for f in run.frags],
        "pgtable": [{**p, "derived": derive_pgtable(p, page_size)} for p in run.pgtables],
        "pools": pool_ratios(run.ops),
        "hugepage": run.hugepages,
        "compact": run.compacts,
        "worst": run.worsts,
        "end": run.end,
        "errors": run.errors,
    }


# --- a table for people ------------------------------------------------------------

def fmt_ratio(value: float | None, percent: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if percent else f"{value:.2f}"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def fmt_leaf(n: int) -> str:
    """A leaf size as people say it: 4 KiB, 2 MiB, 1 GiB."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def table(data: dict, counter: str) -> list[str]:
    """Lines for people from a summary()."""
    meta = data["meta"] or {}
    out = [f"bench: {meta.get('arch', '?')}, mode {meta.get('mode', '?')}, page allocator "
           f"{meta.get('page_alloc', '?')}; {meta.get('reps', '?')} repetitions, seed "
           f"{meta.get('seed', '?')}; instructions per operation ({counter} under -icount)"]
    width = max((len(op["key"]) for op in data["ops"]), default=10)
    out.append(f"  {'operation':<{width}}  {'median':>8}  {'max':>8}  {'ops':>5}  failures")
    for op in data["ops"]:
        out.append(f"  {op['key']:<{width}}  {op['median']:>8}  {op['max']:>8}  "
                   f"{op['ops']:>5}  {op['failures']}")
    if data["frag"]:
        out.append("  after aging     fail   int.frag   JW#4   heap ext.frag  largest kmalloc"
                   "  U(9)    F(9)   metadata")
    for f in data["frag"]:
        d = f["derived"]
        out.append(f"  {f['pattern']:<12}  {fmt_ratio(d['failure_rate']):>6}  "
                   f"{fmt_ratio(d['internal_frag']):>9}  {fmt_ratio(d['jw4'], False):>5}  "
                   f"{fmt_ratio(d['heap_external_frag']):>13}  "
                   f"{fmt_bytes(d['largest_kmalloc']):>15}  "
                   f"{fmt_ratio(d['unusable_index']['9']):>6}  "
                   f"{fmt_ratio(d['fragmentation_index']['9'], False):>6}  "
                   f"{fmt_ratio(d['meta_overhead']):>8}")
    parts = [f for f in data["frag"] if f["derived"].get("jw4_parts")]
    if parts:
        out.append("  JW#4 at peak    live  free slots  empty slabs  slab tails  per-CPU pages"
                   "  outside slabs")
    for f in parts:
        p = f["derived"]["jw4_parts"]
        out.append(f"  {f['pattern']:<12}  {p['slab_live']:>6.2f}  {p['slab_free']:>10.2f}  "
                   f"{p['slab_empty']:>11.2f}  {p['slab_tail']:>10.2f}  {p['pcp']:>13.2f}  "
                   f"{p['other']:>13.2f}")
    worst = data.get("worst") or []
    if worst:
        out.append(f"  worst single call (published TLSF bound: {TLSF_PUBLISHED_BOUND})"
                   "   pattern      max    mean   calls")
    for w in worst:
        mean = w["total"] // w["ops"] if w["ops"] else 0
        out.append(f"  {w['name']:<42}  {w['pattern']:<10}  {w['max']:>6}  {mean:>6}  "
                   f"{w['ops']:>6}")
    if data.get("pgtable"):
        out.append("  page tables     leaf      per GiB mapped   first GiB (upper levels too)")
    for p in data.get("pgtable", []):
        d = p["derived"]
        out.append(f"  {'':<14}  {fmt_leaf(p['page_size']):>8}  "
                   f"{fmt_bytes(d['table_bytes_per_gib']):>14}   "
                   f"{fmt_bytes(d['first_gib_table_bytes'])}")
    huge = data.get("hugepage") or []
    if huge:
        out.append("  hugepage pool   size   configured reserved  free in_use  allocs  "
                   "fallback block/small  failures  auto served/missed")
    for h in huge:
        out.append(f"  {'':<14}  {fmt_leaf(h['page_size']):>5}  {h['configured']:>10} "
                   f"{h['reserved']:>8}  {h['free']:>4} {h['in_use']:>6}  {h['allocs']:>6}  "
                   f"{h['fallback_block']:>14}/{h['fallback_small']:<5}  {h['failures']:>8}  "
                   f"{h['auto_served']:>11}/{h['auto_missed']}")
    for c in data.get("compact") or []:
        out.append(f"  compaction: {c['attempts']} x 2 MiB on a fragmented heap "
                   f"({c['movable_pages']} movable, {c['unmovable_pages']} unmovable pages, "
                   f"{c['free_pages']} free): "
                   f"{c['without']} without, {c['with']} with compaction; "
                   f"{c['blocks_formed']} blocks formed, {c['pages_migrated']} pages migrated, "
                   f"{c['failures']} failures")
    pools = data.get("pools") or []
    if pools:
        out.append(f"  pools against kmalloc (target: a pool pair at most {POOL_TARGET}x the "
                   "kmalloc pair of its size)")
    for p in pools:
        ratio = "-" if p["ratio"] is None else f"{p['ratio']:.2f}x"
        out.append(f"  {p['pool']:<12} {p['size']:>6} B  pool pair {p['pool_pair']:>5}  "
                   f"kmalloc pair {p['kmalloc_pair']:>5}  {ratio:>6}  "
                   f"{'MET' if p['met'] else 'NOT MET'}")
    out.extend(f"  ERROR: {e}" for e in data["errors"])
    return out


# --- the bench image's run ---------------------------------------------------------

@dataclass
class BenchResult:
    boot: qemu.Boot
    data: dict            # summary() plus the counter's name and how the boot ended

    @property
    def ok(self) -> bool:
        return self.boot.passed and not self.data["errors"]

    @property
    def reason(self) -> str:
        if not self.boot.passed:
            return self.boot.reason
        return "; ".join(self.data["errors"]) or "pass"


def result(boot: qemu.Boot, arch: archs.Arch) -> BenchResult:
    """The figures of one boot of the bench image (kit/variant.py boots it
    under -icount shift=0,sleep=off, so that they repeat exactly)."""
    data = summary(parse(boot.console))
    data["counter"] = arch.counter
    data["outcome"] = boot.outcome
    if not boot.passed:
        data["errors"].insert(0, boot.reason)
    return BenchResult(boot, data)
