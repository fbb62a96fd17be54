"""./build.py randconfig: random valid configurations, each built, booted
and tested on every arch, as Linux's `make randconfig` builds are.

Configuration number S (its seed) is drawn by draw(S, arch) with
Kconfiglib, walking the menu tree in order so that every symbol is drawn
after the ones it depends on: a visible bool is y or n with even odds, a
visible choice takes one of its visible members, a visible int takes its
active range's lower end with probability 1/5, its upper end with 1/5,
and otherwise a value between them, uniform, or log-uniform where the
range spans more than a factor of 64 (where kit/config.py's cross
checks bound an option by others drawn before it - the reserve, the heap
region and the store by RAM_MB - the upper end is that bound).  Strings keep their defaults
(their syntax is checked by kit/config.py, and a random string is
almost never valid).  A draw that kit/config.py's cross-symbol checks
refuse (a heap region larger than half of RAM, ...) is drawn again from
the same generator, so S always gives the same configuration.  The
configuration is kept as the fragment of what differs from the defaults
(<out>/<S>/randconfig.config), which the cells are configured from
exactly as from a preset: what Kconfig would not take is an error there,
so every drawn configuration is a valid one.

A failing configuration is kept as a regression case, not as its seed:
a seed redraws its configuration only while the Kconfig tree stays as it
was (any option added anywhere changes the walk), so a recorded seed would
soon test something else without a word.  The case is the draw's
fragment itself (write_min_config(), the arch in the file name and, for
x86_64, in the fragment), tests/randconfig_cases/<seed>-<arch>[-<what>].config;
a run prints, for each failing cell, the command that copies its case file
there.  A case may say '# suites: GLOB,...' (the suites it failed in: the
default run boots only those), '# long: WHY' (only the long run replays
it) and '# pending: WHY' (it fails until fixed: listed as skipped).  tests/test_randconfig.py configures every case (a symbol that no
longer exists, or a value Kconfig refuses, is an error naming the file,
line and symbol, never a silently different configuration) and builds,
boots and tests each on its arch.

Left out of the draw, at their defaults:

    TEST_*          the deliberate failures (a failing case, a panic, a
                    hang, a leak, ...): a configuration with one fails by
                    design
    QEMU_TIMEOUT    the host's patience, not the variant (set by patience())
    KNOWN_FAILING   combinations that fail today for a known reason
    COVERAGE        an extra image that randconfig does not boot
    DEBUG_INFO      -g, which changes no instruction (cells build without it:
                    kit/matrix.py CELL_DEFAULTS)
    BENCH_*         the bench image's workload, which randconfig does not boot
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from . import archs, paths
from .errors import KitError
from .fsutil import write_atomic

EXCLUDED_PREFIXES = ("TEST_", "BENCH_")
EXCLUDED = {"QEMU_TIMEOUT", "COVERAGE", "DEBUG_INFO"}
TIMEOUT = 900
END_PROBABILITY = 0.2           # each range end
MAX_ATTEMPTS = 200
# Combinations that fail today for a known reason, left out of the draw
# until fixed (each with the reason; remove the entry with the fix).
KNOWN_FAILING: tuple[tuple[tuple[str, ...], str], ...] = ()
# Configurations that failed once: tests/test_randconfig.py replays them.
CASES = paths.ROOT / "tests" / "randconfig_cases"
# The default run's sample (tests/test_randconfig.py) and the long run's.
# The sample is the first seed from SAMPLE_SEED whose draws on every arch
# are cheap to boot (sample_seeds()): a seed redraws its configuration only
# while the Kconfig tree stays as it was, so a seed picked once for its cost
# may later draw 8 CPUs and GiBs of page-poisoned RAM; the rule keeps the
# default run's cost bounded whatever Kconfig gains.
SAMPLE_SEED, SAMPLE_COUNT = 12, 1
SAMPLE_SEARCH = 200
SAMPLE_MAX_RAM_MB = 1024
# A regression case poisons pages in the default run up to this much RAM
# (costly(); seed 16's 32 MiB poisoned case runs its suites in seconds).
POISON_MAX_RAM_MB = 128
LONG_SEED, LONG_COUNT = 1000, 20


@dataclass(frozen=True)
class Drawn:
    seed: int
    arch: str
    fragment: str         # the .config lines that differ from the defaults
    attempts: int


def _excluded(name: str) -> bool:
    return name in EXCLUDED or name.startswith(EXCLUDED_PREFIXES) or name.startswith("ARCH")


def _active_range(sym) -> tuple[int, int] | None:
    import kconfiglib
    base = 16 if sym.type == kconfiglib.HEX else 10
    for lo, hi, cond in sym.ranges:
        if kconfiglib.expr_value(cond):
            return int(lo.str_value, base), int(hi.str_value, base)
    return None


def _walk(node):
    """The menu tree's nodes in order, depth first."""
    while node is not None:
        yield node
        if node.list is not None:
            yield from _walk(node.list)
        node = node.next


def _between(rng: random.Random, lo: int, hi: int) -> int:
    """A value in [lo, hi]: uniform, or log-uniform over a range of more
    than a factor of 64 (RAM_MB 32 .. 8192, counts up to 65536), whose
    uniform draw would almost always be in its top decade."""
    if hi - lo < 64 or hi < 64 * max(lo, 1):
        return rng.randint(lo, hi)
    return min(hi, max(lo, round(math.exp(rng.uniform(math.log(max(lo, 1)), math.log(hi))))))


def _cap(kconf, name: str) -> int | None:
    """The largest value kit/config.py's cross checks allow ``name`` given
    what was drawn before it (RAM_MB, BUDDY_MAX_ORDER come earlier in the
    menus): the upper end of what is valid, drawn as a range end."""
    ram_kb = int(kconf.syms["RAM_MB"].str_value) * 1024
    if name == "MIN_FREE_KBYTES":
        return ram_kb // 8
    if name == "ZSTORE_LIMIT_KB":
        return ram_kb // 4
    if name == "SIMPLEHEAP_SIZE_KB":
        order = kconf.syms.get("BUDDY_MAX_ORDER")
        cap = ram_kb // 2
        if order is not None and order.visibility:
            cap = min(cap, 4 << int(order.str_value))
        return cap
    return None


def _draw_once(kconf, rng: random.Random) -> None:
    import kconfiglib
    for node in _walk(kconf.top_node.list):
        item = node.item
        if isinstance(item, kconfiglib.Choice):
            members = [s for s in item.syms if s.visibility and not _excluded(s.name)]
            if item.visibility and members and not any(_excluded(s.name) for s in item.syms):
                rng.choice(members).set_value(2)
            continue
        if not isinstance(item, kconfiglib.Symbol) or item.choice is not None:
            continue
        if _excluded(item.name) or not node.prompt or not item.visibility:
            continue
        if item.type == kconfiglib.BOOL:
            item.set_value(2 if rng.random() < 0.5 else 0)
        elif item.type in (kconfiglib.INT, kconfiglib.HEX):
            bounds = _active_range(item)
            if bounds is None:
                continue
            lo, hi = bounds
            cap = _cap(kconf, item.name)
            if cap is not None and lo <= cap < hi:
                hi = cap
            r = rng.random()
            value = lo if r < END_PROBABILITY else hi if r < 2 * END_PROBABILITY \
                else _between(rng, lo, hi)
            item.set_value(str(value) if item.type == kconfiglib.INT else hex(value))


def patience(cpus: int, poisoned_mb: int = 0) -> int:
    """A draw's QEMU_TIMEOUT: TIMEOUT per two CPUs, and TIMEOUT more per
    4 GiB of page-poisoned RAM, up to QEMU_TIMEOUT's range end.  TCG runs
    every vCPU as a host thread, so on a 2-core host the SMP suites' work
    on 8 CPUs takes several times as long as on 2, and ticket locks
    (SPINLOCK_TICKET) go at the host's scheduling pace (seed 1000: 921 s
    for mm_smp on 8 vCPUs); page poisoning writes and checks every page
    the zone suites fill (seed 1005's 4762 MiB on riscv64: 521 s at load
    10, past 900 s at load 30)."""
    return min(3600, TIMEOUT * (max(1, (cpus + 1) // 2) + poisoned_mb // 4096))


def _patience_of(kconf) -> int:
    poison = kconf.syms["DEBUG_PAGE_POISON"].str_value == "y"
    return patience(int(kconf.syms["NR_CPUS"].str_value or 1),
                    int(kconf.syms["RAM_MB"].str_value) if poison else 0)


def draw(seed: int, arch: str) -> Drawn:
    """Configuration ``seed`` for ``arch``: the same on every run."""
    from . import config
    rng = random.Random(seed)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        kconf = config.load_kconfig()
        config.apply(kconf, [config.arch_assignment(arch)])
        _draw_once(kconf, rng)
        try:
            config.check_constraints(kconf)
        except KitError:
            continue
        kconf.syms["QEMU_TIMEOUT"].set_value(str(_patience_of(kconf)))
        if any(all(kconf.syms[n].str_value == "y" for n in names) for names, _ in KNOWN_FAILING):
            continue
        return Drawn(seed, arch, _fragment(kconf, seed, arch), attempt)
    raise KitError(f"randconfig: seed {seed}: no valid configuration in {MAX_ATTEMPTS} draws")


def _fragment(kconf, seed: int, arch: str) -> str:
    """What differs from the defaults, as a fragment a preset could be."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "min"
        kconf.write_min_config(str(path), header="")
        body = path.read_text(encoding="utf-8")
    return (f"# description: randconfig seed {seed} ({arch}): "
            f"./build.py randconfig --seed {seed} -n 1\n{body}")


def _cheap(drawn: Drawn) -> bool:
    """One CPU, at most SAMPLE_MAX_RAM_MB of guest RAM and no page poisoning
    (which writes every free page): minutes of CPU at most."""
    values = dict(line.split("=", 1) for line in drawn.fragment.splitlines()
                  if line.startswith("CONFIG_") and "=" in line)
    ram = int(values.get("CONFIG_RAM_MB", "0") or 0)
    return (values.get("CONFIG_SMP") != "y" and ram <= SAMPLE_MAX_RAM_MB
            and values.get("CONFIG_DEBUG_PAGE_POISON") != "y")


def sample_seeds(arches: list[str] | None = None) -> list[int]:
    """The default run's SAMPLE_COUNT seeds: the first from SAMPLE_SEED on
    whose draw is cheap on every arch."""
    arches = arches or list(archs.ARCHES)
    seeds = []
    for seed in range(SAMPLE_SEED, SAMPLE_SEED + SAMPLE_SEARCH):
        if all(_cheap(draw(seed, arch)) for arch in arches):
            seeds.append(seed)
            if len(seeds) == SAMPLE_COUNT:
                return seeds
    raise KitError(f"randconfig: no cheap seed in {SAMPLE_SEED}..{SAMPLE_SEED + SAMPLE_SEARCH - 1}")


def write_fragment(base: Path, drawn: Drawn) -> Path:
    path = base / str(drawn.seed) / f"randconfig-{drawn.arch}.config"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, drawn.fragment)
    return path


def cells(base: Path, seeds: list[int], arches: list[str]):
    """A matrix cell per seed and arch, configured from the drawn fragment."""
    from .matrix_file import Cell
    out = []
    for seed in seeds:
        for arch in arches:
            fragment = write_fragment(base, draw(seed, arch))
            out.append(Cell(f"{seed}/{arch}", str(fragment), arch))
    return out


@dataclass(frozen=True)
class Case:
    """A regression case: tests/randconfig_cases/<seed>-<arch>[-<what>].config."""
    path: Path
    seed: int
    arch: str
    long: str             # why only the long run replays it ("": the default run does)
    pending: str          # why it still fails ("": it must pass)
    suites: str           # the suites the default run boots (TEST_FILTER; "": all)

    @property
    def name(self) -> str:
        return self.path.stem


def _header(path: Path, text: str, key: str) -> str:
    """The value of a '# key: value' header line ("" if there is none)."""
    values = [line.split(":", 1)[1].strip() for line in text.splitlines()
              if line.startswith(f"# {key}:")]
    if len(values) > 1:
        raise KitError(f"{path}: '# {key}:' given {len(values)} times")
    if values and not values[0]:
        raise KitError(f"{path}: '# {key}:' says no reason")
    return values[0] if values else ""


def load_case(path: Path) -> Case:
    """A case file's name and headers, checked (its body: check_case())."""
    seed, _, rest = path.stem.partition("-")
    arch = rest.split("-", 1)[0]
    if path.suffix != ".config" or not seed.isdigit() or arch not in archs.ARCHES:
        raise KitError(f"{path}: a regression case is named <seed>-<arch>[-<what>].config "
                       f"with arch one of {', '.join(archs.ARCHES)}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KitError(f"cannot read {path}: {exc.strerror}") from None
    return Case(path, int(seed), arch, _header(path, text, "long"), _header(path, text, "pending"),
                _header(path, text, "suites"))


def regression_cases(directory: Path = CASES) -> list[Case]:
    """Every case of ``directory``, in name order."""
    return [load_case(p) for p in sorted(directory.glob("*.config"))]


def check_case(case: Case):
    """Configure ``case`` on its arch as a cell would (no build): its Kconfig.
    A symbol that no longer exists, a value Kconfig refuses or drops, an
    arch that disagrees with the file name: a KitError naming the file,
    line and symbol (kit/config.py), so a case never turns silently into
    another configuration."""
    from . import config
    return config.from_preset(str(case.path), case.arch)


def costly(case: Case) -> str:
    """Why the default run leaves ``case`` to the long run ("" if it does
    not): more than one CPU (TCG runs every vCPU on the host's two cores,
    and a spin-wait whose lock holder is descheduled costs minutes under
    load: 16-riscv64-smp-txn's mm_smp took 593 s at load 17), more than
    SAMPLE_MAX_RAM_MB of RAM, or page poisoning (which writes every free
    page) over more than POISON_MAX_RAM_MB - the sample's cost rule
    (_cheap()), by CPU count, and with a small RAM's poisoning allowed."""
    if case.long:
        return case.long
    kconf = check_case(case)
    cpus = int(kconf.syms["NR_CPUS"].str_value or 1)
    ram = int(kconf.syms["RAM_MB"].str_value)
    if cpus > 1:
        return f"{cpus} CPUs"
    if ram > SAMPLE_MAX_RAM_MB:
        return f"RAM_MB={ram}"
    if kconf.syms["DEBUG_PAGE_POISON"].str_value == "y" and ram > POISON_MAX_RAM_MB:
        return f"page poisoning of RAM_MB={ram}"
    return ""


def case_cells(cases: list[Case], whole: bool = True):
    """A matrix cell per case, configured from the case file on its arch;
    unless ``whole``, its test image runs only the suites of its '# suites:'
    header (the ones it failed in: the default run's budget)."""
    from .matrix_file import Cell
    return [Cell(f"case-{c.name}", str(c.path), c.arch,
                 () if whole or not c.suites else (f"TEST_FILTER={c.suites}",))
            for c in cases]


def keep_case(base: Path, seed: int, arch: str, step: str, reason: str) -> Path:
    """The failing cell's fragment as a regression case file, ready to copy
    into tests/randconfig_cases/: <base>/<seed>/<seed>-<arch>.config."""
    drawn = (base / str(seed) / f"randconfig-{arch}.config").read_text(encoding="utf-8")
    body = "".join(line + "\n" for line in drawn.splitlines()
                   if not line.startswith("# description:"))
    path = base / str(seed) / f"{seed}-{arch}.config"
    write_atomic(path, f"# description: randconfig seed {seed} ({arch}) failed at {step}: "
                       f"{' '.join(reason.split())}\n"
                       f"# found by: ./build.py randconfig --seed {seed} -n 1 --arch {arch} "
                       f"(a seed redraws this only while Kconfig is unchanged)\n" + body)
    return path


def run(base: Path, seeds: list[int], arches: list[str] | None = None, jobs: int = 1,
        cases: list[Case] = (), whole: bool = True):
    """Draw, build, boot and test every seed on every arch, and every case
    on its arch (every suite, or unless ``whole`` its own: case_cells()),
    ``jobs`` cells at a time through kit/matrix.py's runner; the cells'
    results."""
    from . import matrix
    arches = arches or list(archs.ARCHES)
    chosen = cells(base, seeds, arches) + case_cells(list(cases), whole)
    return matrix.Runner(base, jobs, rerun=True, steps=matrix.TEST_STEPS).run(chosen)
