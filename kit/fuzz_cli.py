"""build.py's commands that search for defects: fuzz (kit/fuzz.py) and
randconfig (kit/randconfig.py)."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import paths
from .cli_args import any_int, positive_int
from .errors import KitError


def _seed(text: str) -> int:
    value = any_int(text)
    if value < 0 or value >= 2 ** 64:
        raise argparse.ArgumentTypeError(f"'{text}' is not a seed (0 .. 2^64-1)")
    return value


def cmd_fuzz(args: argparse.Namespace) -> int:
    from . import fuzz
    from .fragments import presets
    known = presets()
    chosen = args.preset or list(fuzz.PRESETS)
    for name in chosen:
        if name not in known:
            raise KitError(f"unknown preset '{name}' (valid: {', '.join(known)})")
    base = Path(args.out).resolve() if args.out else paths.BUILD / "fuzz"
    case_dir = Path(args.cases).resolve() if args.cases else fuzz.CASES
    replays = [Path(f) for f in args.replay or []]
    for f in replays:
        if not f.is_file():
            raise KitError(f"--replay {f}: no such file")
    failed = 0
    for name in chosen:
        program = fuzz.build(name, base, args.jobs)
        for case in replays:
            r = fuzz.replay(program, case, args.plant)
            print(f"fuzz {name}: replay {case}: "
                  + ("ok" if r.ok else f"FAIL at operation {r.op} ({r.where}): {r.message}"))
            failed += not r.ok
        if replays:
            continue
        r = fuzz.run(program, args.seed, args.ops, args.plant)
        if r.ok:
            print(f"fuzz {name}: seed {args.seed}, {args.ops} operations: ok in "
                  f"{r.seconds:.1f} s ({r.message})")
            continue
        failed += 1
        print(f"fuzz {name}: seed {args.seed}: FAIL at operation {r.op} ({r.where}): "
              f"{r.message}")
        if r.op is None:
            print(r.output.rstrip())
            continue
        ops = fuzz.operations(program, args.seed, min(r.op + 1, args.ops))
        print(f"fuzz {name}: minimising {len(ops)} operations ...", flush=True)
        small = fuzz.minimise(program, ops, r, base / name / "minimise", args.plant)
        path = fuzz.save_case(case_dir, name, args.seed, args.ops, r, small)
        print(f"fuzz {name}: minimised to {len(small)} operation(s): {path}")
        for line in small:
            print(f"    {line}")
    return 1 if failed else 0


def cmd_randconfig(args: argparse.Namespace) -> int:
    from . import archs, randconfig
    base = Path(args.out).resolve() if args.out else paths.BUILD / "randconfig"
    seeds = list(range(args.seed, args.seed + args.n))
    arches = args.arch or list(archs.ARCHES)
    cases = []
    if args.regressions:
        cases = [c for c in randconfig.regression_cases() if not c.pending]
        for c in cases:
            randconfig.check_case(c)      # a stale case: its file and symbol, before any build
    results = randconfig.run(base, seeds, arches, args.jobs or 1, cases)
    failed = [r for r in results if not r.passed]
    for r in failed:
        if r.name.startswith("case-"):
            print(f"randconfig: regression case {r.name[5:]} FAILS at {r.step}: {r.reason}")
            print(f"  log: {base / r.name / (r.log or '')}")
            continue
        seed, arch = r.name.split("/")
        case = randconfig.keep_case(base, int(seed), arch, r.step, r.reason)
        print(f"randconfig: seed {seed} on {arch} FAILS at {r.step}: {r.reason}")
        print(f"  log: {base / r.name / (r.log or '')}")
        print(f"  configuration ({case}):")
        for line in case.read_text(encoding="utf-8").splitlines()[2:]:
            print(f"    {line}")
        print(f"  keep it as a regression case: cp {case} "
              f"tests/randconfig_cases/{case.name}")
    what = [f"seeds {', '.join(map(str, seeds))}; {', '.join(arches)}"]
    if cases:
        what.append(f"{len(cases)} regression case(s)")
    print(f"randconfig: {len(results) - len(failed)} of {len(results)} cells passed "
          f"({'; '.join(what)})")
    return 1 if failed else 0


def register(add, common: argparse.ArgumentParser, settable: argparse.ArgumentParser) -> None:
    """Add the commands with cli.parser()'s ``add(name, func, help, parents)``."""
    f = add("fuzz", cmd_fuzz, "run the allocator fuzz harness (every API call against a shadow "
            "model, under ASan+UBSan) on presets; a finding is minimised into tests/fuzz/", [])
    f.add_argument("-O", "--out", metavar="DIR",
                   help="where the presets are built (default: build/fuzz)")
    f.add_argument("-j", "--jobs", type=positive_int, metavar="N", help="parallel build jobs")
    f.add_argument("--preset", action="append", metavar="NAME",
                   help="fuzz this preset (repeatable; default: the fuzzed presets of kit/fuzz.py)")
    f.add_argument("--ops", type=positive_int, default=1_000_000, metavar="N",
                   help="operations per preset (default: 1000000)")
    f.add_argument("--seed", type=_seed, default=1, metavar="S",
                   help="the stream's seed (default: 1); the same seed, the same operations")
    f.add_argument("--replay", action="append", metavar="FILE",
                   help="replay this case (tests/fuzz/*.ops) instead of a stream (repeatable)")
    f.add_argument("--cases", metavar="DIR",
                   help="where a minimised finding is written (default: tests/fuzz)")
    f.add_argument("--plant", metavar="KIND", choices=["leak", "stray"],
                   help="make the harness wrong on purpose (leak: skip some kfree()s; stray: "
                        "write into some objects) to see a finding reported and minimised")

    r = add("randconfig", cmd_randconfig, "draw N random valid configurations (Kconfiglib), "
            "build, boot and test each on every arch; print the failing ones with their seeds",
            [])
    r.add_argument("-O", "--out", metavar="DIR",
                   help="where the configurations are built (default: build/randconfig)")
    r.add_argument("-j", "--jobs", type=positive_int, metavar="N",
                   help="cells built and booted in parallel (default: 1)")
    r.add_argument("--seed", type=_seed, default=1, metavar="S",
                   help="the first configuration's seed (default: 1); configuration i of the "
                        "run is seed S+i, reproduced alone with --seed S+i -n 1")
    r.add_argument("-n", type=positive_int, default=1, metavar="N",
                   help="how many configurations (default: 1)")
    r.add_argument("--arch", action="append", choices=["riscv64", "x86_64"],
                   help="only this arch (repeatable; default: every arch)")
    r.add_argument("--regressions", action="store_true",
                   help="also the regression cases of tests/randconfig_cases/ (configurations "
                        "that failed once), each on its arch")
