"""build.py's command line: argparse in front of the kit's modules."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import (archs, bench_cli, config, coverage, generate, host, outdir, paths, procs, qemu,
               tools, verdict)
from .cli_args import OneLineParser, positive_int
from .errors import KitError


# --- where the variant lives -------------------------------------------------

def out_dir(args: argparse.Namespace) -> Path:
    """-O, else the out dir the last defconfig made, else an error."""
    if args.out:
        return Path(args.out).resolve()
    if paths.CURRENT.exists():
        return Path(paths.CURRENT.read_text(encoding="utf-8").strip())
    raise KitError("no configured variant: run ./build.py defconfig PRESET first "
                   f"(presets: {', '.join(config.presets())})")


def remember(out: Path) -> None:
    from .fsutil import write_atomic
    write_atomic(paths.CURRENT, f"{out}\n")


def overrides(args: argparse.Namespace) -> list[config.Assignment]:
    extra = [config.arch_assignment(args.arch)] if getattr(args, "arch", None) else []
    return extra + config.parse_set(getattr(args, "set", None) or [])


def variant_arch(out: Path) -> archs.Arch:
    kconf, _ = config.load(out)
    return archs.get(kconf.syms["ARCH"].str_value)


# --- configuration commands ------------------------------------------------------

def cmd_defconfig(args: argparse.Namespace) -> int:
    preset = config.preset(args.preset)
    out = Path(args.out).resolve() if args.out else paths.BUILD / preset.name
    kconf = config.load_kconfig()
    config.apply(kconf, config.parse_fragment(preset.path) + overrides(args))
    config.write_config(kconf, out)
    remember(out)
    print(f"configured {out}: preset {preset.name} for {kconf.syms['ARCH'].str_value}")
    return 0


def cmd_olddefconfig(args: argparse.Namespace) -> int:
    out = out_dir(args)
    requested = overrides(args)
    kconf, changes = config.load(out, allow_stale=True,
                                 overridden={a.name for a in requested})
    config.apply(kconf, requested)
    config.write_config(kconf, out)
    # What Kconfig changed, then what was asked for (already checked to have stuck).
    changes = changes + [f"{a.name}={kconf.syms[a.name].str_value} ({a.origin})" for a in requested]
    print(f"olddefconfig: {out}/.config: " + ("; ".join(changes) if changes else "no changes"))
    return 0


def cmd_savedefconfig(args: argparse.Namespace) -> int:
    out = out_dir(args)
    kconf, _ = config.load(out)
    target = out / "defconfig"
    kconf.write_min_config(str(target), header="# description: (say what this variant is)\n")
    print(f"minimal config written to {target}; to make it a preset, copy it to "
          "configs/NAME.config and describe it on its first line")
    return 0


def cmd_menuconfig(args: argparse.Namespace) -> int:
    out = out_dir(args)
    config.load(out)  # refuse a stale or missing .config before opening the menu
    if not sys.stdin.isatty():
        raise KitError("menuconfig needs a terminal (stdin is not a TTY)")
    env = dict(os.environ, KCONFIG_CONFIG=str(config.config_path(out)),
               srctree=str(paths.ROOT))
    rc = procs.run([sys.executable, "-m", "menuconfig", str(paths.KCONFIG)], env=env,
                   deathsig=signal.SIGTERM).returncode
    if rc != 0:
        raise KitError(f"menuconfig exited with status {rc}")
    kconf, _ = config.load(out)
    config.check_constraints(kconf)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    known = config.presets()
    width = max((len(n) for n in known), default=0)
    print("presets (use with: ./build.py defconfig PRESET [--arch ARCH]):")
    for p in known.values():
        print(f"  {p.name:<{width}}  {p.description}")
    print(f"arches: {', '.join(config.ARCHES)}")
    return 0


# --- building and booting ---------------------------------------------------------

def ensure_generated(out: Path) -> None:
    if not (out / "build.ninja").exists():
        generate.generate(out)


def ninja(out: Path, targets: list[str], jobs: int | None) -> None:
    exe = tools.require("ninja")
    cmd = [exe, "-C", str(out)] + (["-j", str(jobs)] if jobs else []) + targets
    rc = procs.run(cmd, deathsig=signal.SIGTERM).returncode
    if rc != 0:
        raise KitError(f"build failed in {out} (ninja exit status {rc})")


def prepare(args: argparse.Namespace, targets: list[str]) -> Path:
    """Apply --arch/--set if given, generate if needed, build ``targets``."""
    out = out_dir(args)
    extra = overrides(args)
    if extra:
        kconf, _ = config.load(out)
        config.apply(kconf, extra)
        config.write_config(kconf, out)
    else:
        config.load(out)  # a stale .config is an error before anything is built
    arch = variant_arch(out)
    tools.require(arch.cc)
    ensure_generated(out)
    ninja(out, targets, args.jobs)
    return out


def cmd_build(args: argparse.Namespace) -> int:
    prepare(args, [])
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    generate.generate(out_dir(args))
    return 0


def boot_image(out: Path, image: str, echo: bool) -> qemu.Boot:
    kconf, _ = config.load(out)
    arch = archs.get(kconf.syms["ARCH"].str_value)
    boot = f"kernel-{image}.elf32" if arch.boot_objcopy else f"kernel-{image}.elf"
    return qemu.boot(arch, out / boot, int(kconf.syms["RAM_MB"].str_value),
                     float(kconf.syms["QEMU_TIMEOUT"].str_value),
                     log=out / f"{image}.log", echo=echo)


def cmd_run(args: argparse.Namespace) -> int:
    out = prepare(args, ["kernel"])
    result = boot_image(out, "run", echo=True)
    print(f"\nbuild.py: run: {result.reason}")
    return 0 if result.passed else 1


def report_tests(what: str, result: qemu.Boot, verbose: bool, test_filter: str = "") -> int:
    """Summarise a test boot; the exit status says whether everything passed."""
    if verbose:
        print(result.console)
    v = verdict.judge(result, test_filter)
    for line in v.summary:
        print(line)
    print(v.line(what))
    return 0 if v.passed else 1


def cmd_test(args: argparse.Namespace) -> int:
    if args.host:
        out = prepare(args, ["host"])
        kconf, _ = config.load(out)
        result = host.run(out / "host" / "ktest", float(kconf.syms["QEMU_TIMEOUT"].str_value),
                          log=out / "host-test.log")
        return report_tests("test (host, ASan+UBSan)", result, args.verbose,
                            kconf.syms["TEST_FILTER"].str_value)
    out = prepare(args, ["kernel"])
    result = boot_image(out, "test", echo=False)
    kconf, _ = config.load(out)
    return report_tests(f"test ({variant_arch(out).name})", result, args.verbose,
                        kconf.syms["TEST_FILTER"].str_value)


# --- coverage -----------------------------------------------------------------------

COVERAGE_ON = config.Assignment("COVERAGE", "y", "coverage")


def coverage_run(out: Path, label: str, verbose: bool) -> tuple[int, Path]:
    """Boot kernel-cov (already built), summarise its tests, collect its coverage.

    Returns the tests' exit status and the variant's lcov.info.
    """
    arch = variant_arch(out)
    result = boot_image(out, "cov", echo=False)
    status = report_tests(f"coverage run ({label})", result, verbose)
    info = coverage.collect(out, arch, result.console, label)
    print(f"coverage: {label}: {info} and {info.parent / 'html' / 'index.html'}")
    return status, info


def print_coverage(files: dict[str, coverage.FileCov], label: str) -> bool:
    for line in coverage.summary(files, label):
        print(line)
    met, lines = coverage.gate(files)
    for line in lines:
        print(line)
    return met


def cmd_coverage(args: argparse.Namespace) -> int:
    if args.matrix:
        return coverage_matrix(args)
    if args.preset:
        raise KitError("--preset selects matrix variants: use it with --matrix")
    if any(a.name == "COVERAGE" and a.value != "y" for a in overrides(args)):
        raise KitError("the coverage command needs COVERAGE=y")
    out = out_dir(args)
    kconf, _ = config.load(out)
    if kconf.syms["COVERAGE"].str_value != "y":
        config.apply(kconf, [COVERAGE_ON])
        config.write_config(kconf, out)
        print(f"coverage: COVERAGE was off in {config.config_path(out)}: turned it on "
              "(adds the kernel-cov image to the build)")
    out = prepare(args, ["coverage"])
    label = variant_arch(out).name
    status, info = coverage_run(out, label, args.verbose)
    met = print_coverage(coverage.load_info(info), label)
    return 1 if status or (args.enforce_gate and not met) else 0


def coverage_matrix(args: argparse.Namespace) -> int:
    """Every preset (or --preset) on every arch (or --arch): one merged report."""
    base = Path(args.out).resolve() if args.out else paths.BUILD / "coverage"
    known = config.presets()
    chosen = args.preset or list(known)
    for name in chosen:
        config.preset(name)  # an unknown name fails before anything is built
    arches = [args.arch] if args.arch else list(config.ARCHES)
    extra = config.parse_set(args.set or [])
    if any(a.name == "COVERAGE" and a.value != "y" for a in extra):
        raise KitError("the coverage command needs COVERAGE=y")
    infos: dict[str, Path] = {}
    failed: dict[str, str] = {}
    for preset in chosen:
        for arch_name in arches:
            label = f"{preset}-{arch_name}"
            out = base / label
            print(f"coverage: {label}: building in {out}")
            kconf = config.load_kconfig()
            config.apply(kconf, config.parse_fragment(known[preset].path)
                         + [config.arch_assignment(arch_name)] + extra + [COVERAGE_ON])
            config.write_config(kconf, out)
            tools.require(archs.get(arch_name).cc)
            ensure_generated(out)
            try:
                ninja(out, ["coverage"], args.jobs)
                status, info = coverage_run(out, label, args.verbose)
            except KitError as exc:
                print(f"coverage: {label}: error: {exc}")
                failed[label] = str(exc)
                continue
            infos[label] = info
            if status:
                failed[label] = "tests failed (coverage kept)"
    if not infos:
        raise KitError("coverage --matrix: no variant produced coverage data")
    merged = coverage.merge(list(infos.values()), base / "lcov.info")
    index = coverage.html(merged, base / "html", "mmkit coverage: " + ", ".join(infos))
    reach = base / "reach.md"
    from .fsutil import write_atomic
    write_atomic(reach, coverage.reach_table(
        {label: coverage.load_info(info) for label, info in infos.items()},
        {k: v for k, v in failed.items() if k not in infos}))
    print(f"coverage: merged {len(infos)} variants: {merged}, {index}, {reach}")
    met = print_coverage(coverage.load_info(merged), "merged")
    if failed:
        problems = "; ".join(f"{k}: {v}" for k, v in failed.items())
        print(f"build.py: coverage --matrix: FAILED: {problems}")
        return 1
    return 1 if args.enforce_gate and not met else 0


def cmd_clean(args: argparse.Namespace) -> int:
    out = out_dir(args)
    removed = outdir.remove(out)
    if paths.CURRENT.exists() and paths.CURRENT.read_text().strip() == str(out):
        paths.CURRENT.unlink()
    print(f"removed {out}" if removed else f"nothing to remove: {out} does not exist")
    return 0


# --- argument parsing ------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="build.py",
        description="mmkit: configure, build, boot and test kernel allocator variants.")
    common = OneLineParser(add_help=False)
    common.add_argument("-O", "--out", metavar="DIR",
                        help="variant directory (default: build/<preset> of the last defconfig)")
    common.add_argument("-j", "--jobs", type=positive_int, metavar="N", help="parallel build jobs")
    settable = OneLineParser(add_help=False)
    settable.add_argument("--arch", choices=config.ARCHES, help="target architecture")
    settable.add_argument("--set", action="append", metavar="SYM=VAL",
                          help="set a Kconfig symbol (repeatable); refused if Kconfig would drop it")

    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def add(name: str, func, help_text: str, parents: list) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text, parents=parents)
        sp.set_defaults(func=func)
        return sp

    d = add("defconfig", cmd_defconfig, "configure a variant from a preset", [common, settable])
    d.add_argument("preset", help="preset name (see: build.py list)")
    d.missing_hint = lambda: f"valid: {', '.join(config.presets())}"
    add("menuconfig", cmd_menuconfig, "edit the configuration in Kconfiglib's menuconfig", [common])
    add("olddefconfig", cmd_olddefconfig,
        "update .config to the current Kconfig, listing what changed", [common, settable])
    add("savedefconfig", cmd_savedefconfig, "write a minimal config (<out>/defconfig)", [common])
    add("list", cmd_list, "list presets and arches", [])
    add("build", cmd_build, "build the variant's kernel images (Ninja)", [common, settable])
    add("run", cmd_run, "build and boot the run image in QEMU, console on the terminal",
        [common, settable])
    t = add("test", cmd_test, "build and boot the test image; KTAP summary and exit status",
            [common, settable])
    t.add_argument("--host", action="store_true",
                   help="run the suites natively under ASan+UBSan instead of in QEMU")
    t.add_argument("-v", "--verbose", action="store_true", help="print the guest's console")
    cov = add("coverage", cmd_coverage,
              "build and boot the instrumented test image (kernel-cov); lcov report and HTML",
              [common, settable])
    cov.add_argument("--matrix", action="store_true",
                     help="every preset on every arch, each in DIR/<preset>-<arch> (DIR: -O, "
                          "default build/coverage); one merged report and DIR/reach.md")
    cov.add_argument("--preset", action="append", metavar="NAME",
                     help="with --matrix: only this preset (repeatable); --arch limits the arches")
    cov.add_argument("--enforce-gate", action="store_true",
                     help=f"exit 1 when {coverage.GATE_DIR} line coverage is below "
                          f"{coverage.GATE_TARGET:g}%% (the gate is always printed)")
    cov.add_argument("-v", "--verbose", action="store_true", help="print the guest's console")
    bench_cli.register(add, common, settable)  # bench, matrix, workflow, hostbench, lz4bench
    add("clean", cmd_clean, "remove the variant directory", [common])
    g = sub.add_parser("generate", parents=[common])  # used by build.ninja's regen edge
    g.set_defaults(func=cmd_generate)
    return p


def main(argv: list[str] | None = None) -> int:
    # From here on Ctrl-C is a KeyboardInterrupt, so that the kit's children
    # are ended (build.py handles it until now).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        args = parser().parse_args(argv)
        return args.func(args)
    except KitError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        procs.stop_all()
        print("build.py: error: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # Every expected failure is a KitError; an unexpected I/O one is
        # still one line, naming the file.
        where = f": {exc.filename}" if exc.filename else ""
        print(f"build.py: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
