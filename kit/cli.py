"""build.py's command line: argparse in front of kit/variant.py.

Each command finds its variant (-O, else the last defconfig's), asks the
Variant to do the work, and prints.  Modules are imported by the commands
that need them: a no-op `build` must not pay for Kconfiglib or Jinja2.
"""
from __future__ import annotations

import argparse
import importlib
import signal
import sys
from pathlib import Path

from . import archs, paths, procs
from .cli_args import OneLineParser, positive_int
from .errors import KitError
from .variant import Variant


# --- where the variant lives -------------------------------------------------

def variant_of(args: argparse.Namespace) -> Variant:
    """-O, else the variant the last defconfig made, else an error."""
    if args.out:
        return Variant(Path(args.out))
    try:
        return Variant(Path(paths.CURRENT.read_text(encoding="utf-8").strip()))
    except (OSError, UnicodeDecodeError):
        from .fragments import presets
        raise KitError("no configured variant: run ./build.py defconfig PRESET first "
                       f"(presets: {', '.join(presets())})") from None


def preset_names() -> str:
    from .fragments import presets
    return f"valid: {', '.join(presets())}"


def remember(variant: Variant) -> None:
    from .fsutil import write_atomic
    write_atomic(paths.CURRENT, f"{variant.out}\n")


def overrides(args: argparse.Namespace) -> list:
    """--arch and --set as assignments, in that order (later ones win)."""
    from . import fragments
    extra = [fragments.arch_assignment(args.arch)] if getattr(args, "arch", None) else []
    return extra + fragments.parse_set(getattr(args, "set", None) or [])


# --- configuration commands ------------------------------------------------------

def cmd_defconfig(args: argparse.Namespace) -> int:
    from .fragments import is_fragment_path
    fragments = [Path(f) for f in args.kconfig or []]
    variant = Variant.configure(args.preset, args.arch, args.set or [],
                                Path(args.out) if args.out else None, fragments=fragments)
    remember(variant)
    what = f"fragment {args.preset}" if is_fragment_path(args.preset) else f"preset {args.preset}"
    merged = "".join(f" + {f}" for f in args.kconfig or [])
    print(f"configured {variant.out}: {what}{merged} for {variant.arch.name}")
    return 0


def cmd_listnewconfig(args: argparse.Namespace) -> int:
    """As kbuild's: the symbols the .config does not set yet, with their defaults."""
    from . import config
    variant = variant_of(args)
    for line in config.new_symbols(variant.out):
        print(line)
    return 0


def cmd_oldconfig(args: argparse.Namespace) -> int:
    """As kbuild's: ask for each symbol the .config does not set (Kconfiglib's
    oldconfig questions, one answer a line on stdin), then check and save."""
    from . import config
    from .fragments import assignments_of, read_config
    variant = variant_of(args)
    before = assignments_of(read_config(variant.config_path))
    kconf = config.ask_new_symbols(variant.out)
    config.check_constraints(kconf)
    config.write_config(kconf, variant.out)
    changes = config.describe_changes(before, assignments_of(read_config(variant.config_path)))
    print(f"oldconfig: {variant.config_path}: " + ("; ".join(changes) or "no changes"))
    return 0


def cmd_olddefconfig(args: argparse.Namespace) -> int:
    variant = variant_of(args)
    changes = variant.olddefconfig(overrides(args))
    print(f"olddefconfig: {variant.config_path}: "
          + ("; ".join(changes) if changes else "no changes"))
    return 0


def cmd_savedefconfig(args: argparse.Namespace) -> int:
    target = variant_of(args).savedefconfig()
    print(f"minimal config written to {target}; to make it a preset, copy it to "
          "configs/NAME.config and describe it on its first line")
    return 0


def cmd_menuconfig(args: argparse.Namespace) -> int:
    import os
    variant = variant_of(args)
    variant.kconfig()  # refuse a stale or missing .config before opening the menu
    if not sys.stdin.isatty():
        raise KitError("menuconfig needs a terminal (stdin is not a TTY)")
    from .config import HEADER
    env = dict(os.environ, KCONFIG_CONFIG=str(variant.config_path), srctree=str(paths.ROOT),
               KCONFIG_CONFIG_HEADER=HEADER)
    rc = procs.run([sys.executable, "-m", "menuconfig", str(paths.KCONFIG)], env=env,
                   deathsig=signal.SIGTERM).returncode
    if rc != 0:
        raise KitError(f"menuconfig exited with status {rc}")
    variant.kconfig()  # what was saved must pass the checks Kconfig cannot express
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .fragments import presets
    known = presets()
    width = max((len(n) for n in known), default=0)
    print("presets (use with: ./build.py defconfig PRESET [--arch ARCH]):")
    for p in known.values():
        print(f"  {p.name:<{width}}  {p.description}")
    print(f"arches: {', '.join(archs.ARCHES)}")
    return 0


# --- building and booting ---------------------------------------------------------

def built(args: argparse.Namespace, targets: list[str]) -> Variant:
    """The variant with --arch/--set applied (if given) and ``targets`` built.

    --arch and --set change the variant's .config and stay for later runs
    (as `make FOO=...` does not, but `scripts/config` does): this says so,
    naming what changed.  What is per run only is --filter, --qemu-args
    and --gdb, which go to QEMU, not to the configuration."""
    variant = variant_of(args)
    extra = overrides(args)
    if extra:
        changes = variant.reconfigure(extra)
        given = ", ".join(f"{a.name}={a.value}" for a in extra)
        print(f"build.py: {given}: "
              + (f"saved in {variant.config_path} ({'; '.join(changes)}); later runs keep it"
                 if changes else f"already so in {variant.config_path}, nothing changed"))
    variant.build(targets, args.jobs, verbose=getattr(args, "verbose_build", False))
    return variant


def cmd_build(args: argparse.Namespace) -> int:
    built(args, [])
    return 0


def booting_options() -> OneLineParser:
    """The options of a command that boots QEMU (run, test, bench), as a
    parent parser: how this one run boots, never saved (run_options())."""
    booting = OneLineParser(add_help=False)
    booting.add_argument("--qemu-args", action="append", metavar="ARGS",
                         help="more QEMU arguments for this run, e.g. '-d int' (repeatable)")
    booting.add_argument("--gdb", action="store_true",
                         help="start QEMU's gdb stub (-s -S), print the gdb command to attach, "
                              "and wait for it")
    return booting


def run_options(args: argparse.Namespace) -> dict:
    """--qemu-args and --gdb: how this one run boots (never saved)."""
    import shlex
    qemu_args = [w for text in (getattr(args, "qemu_args", None) or [])
                 for w in shlex.split(text)]
    from . import qemu
    return {"qemu_args": qemu_args,
            "gdb": qemu.free_port() if getattr(args, "gdb", False) else 0}


def announce_gdb(variant: Variant, image: str, port: int) -> None:
    """Print the gdb command line that attaches to QEMU's stub (-gdb ... -S)."""
    from . import tools
    gdb = "gdb-multiarch" if variant.arch.name != "x86_64" else "gdb"
    if tools.which(gdb) is None and tools.which("gdb-multiarch"):
        gdb = "gdb-multiarch"
    elf = variant.out / f"kernel-{image}.elf"
    print(f"build.py: QEMU waits for gdb on localhost:{port}; in another terminal:\n"
          f"    {gdb} -q {elf} -ex 'target remote localhost:{port}'\n"
          "  (then 'continue'; no time limit while under gdb)", flush=True)


def cmd_preload(args: argparse.Namespace) -> int:
    """Only the path on stdout (LD_PRELOAD=$(./build.py preload)); Ninja's
    output goes to <out>/preload-build.log, and a --set or --arch is saved
    in the .config without a word on stdout."""
    from .preload_programs import LIBRARY
    variant = variant_of(args)
    extra = overrides(args)
    if extra:
        variant.reconfigure(extra)
    variant.build(["preload"], args.jobs, log=variant.log("preload-build"))
    print(variant.out / LIBRARY)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    variant_of(args).generate()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    variant = built(args, ["kernel"])
    run = run_options(args)
    if run["gdb"]:
        announce_gdb(variant, "run", run["gdb"])
    result = variant.boot("run", echo=True, **run)
    print(f"\nbuild.py: run: {result.reason}")
    return 0 if result.passed else 1


def report(what: str, boot, verdict, verbose: bool) -> int:
    """Print a test run as people read it; the exit status says whether it passed.
    ``verbose``: print the console first (a run that streamed it passes False)."""
    if verbose:
        print(boot.console)
    for line in verdict.summary:
        print(line)
    # SMP runs end with how often each lock class made a CPU wait, and how
    # many objects each slab cache had freed onto another CPU's slab.
    for line in boot.console.splitlines():
        if line.startswith(("mmkit: lock contention:", "mmkit: remote frees:")):
            print(line)
    print(verdict.line(what))
    return 0 if verdict.passed else 1


def write_results(args: argparse.Namespace, verdict, arch: str, variant: Variant | None,
                  name: str) -> None:
    """--json FILE and --junit FILE."""
    from . import results
    if getattr(args, "json", None):
        defconfig = None
        if variant is not None:
            defconfig = str(variant.config_path)
        results.write_json(Path(args.json), results.to_json(
            verdict, arch=arch, defconfig=defconfig,
            build_dir=str(variant.out) if variant is not None else None))
        print(f"build.py: results (kunit.py JSON): {args.json}")
    if getattr(args, "junit", None):
        results.write_junit(Path(args.junit), results.to_junit(verdict, name=name))
        print(f"build.py: results (JUnit XML): {args.junit}")


def group_filter(args: argparse.Namespace, variant: Variant) -> str:
    """--group as a filter: the group's suites that the (built) variant has."""
    from . import config, sources
    kconf, _ = config.load(variant.out)
    return sources.group_filter(kconf, args.group)


def cmd_test(args: argparse.Namespace) -> int:
    from .cmdline import check_filter
    if args.group and args.filter:
        raise KitError("--group and --filter both choose the cases: use one")
    if args.group:
        from . import sources
        if args.group not in sources.groups():
            sources.group_filter(None, args.group)   # the one-line error naming the groups
    if args.filter:
        check_filter(args.filter)
    if args.tsan and not args.host:
        raise KitError("--tsan is for the host run: use it with --host")
    if args.host:
        if args.gdb or args.qemu_args:
            raise KitError("--gdb and --qemu-args are for QEMU runs, not --host")
        if args.list_tests:
            raise KitError("--list-tests lists the test image's cases: use it without --host")
        target, what = ("host-tsan", "TSan") if args.tsan else ("host", "ASan+UBSan")
        variant = built(args, [target])
        if args.group:
            args.filter = group_filter(args, variant)
        boot, verdict = variant.host_test(args.filter or "", tsan=args.tsan)
        write_results(args, verdict, "host", variant, "mmkit host")
        return report(f"test (host, {what})", boot, verdict, args.verbose)
    variant = built(args, ["kernel"])
    if args.group:
        args.filter = group_filter(args, variant)
    run = run_options(args)
    if args.list_tests:
        for name in variant.list_tests(args.filter or "", **run):
            print(name)
        return 0
    if run["gdb"]:
        announce_gdb(variant, "test", run["gdb"])
    boot, verdict = variant.test(args.filter or "", echo=args.verbose or run["gdb"], **run)
    write_results(args, verdict, variant.arch.name, variant, f"mmkit {variant.arch.name}")
    if args.verbose or run["gdb"]:
        print()
    return report(f"test ({variant.arch.name})", boot, verdict, False)


def cmd_parse(args: argparse.Namespace) -> int:
    """Re-read a saved console log (<out>/test.log, a CI artifact): the same
    summary, verdict and result files as the run that wrote it."""
    from . import verdict as verdict_mod
    if args.log == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.log).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise KitError(f"cannot read {args.log}: {exc.strerror}") from None
    boot = verdict_mod.boot_from_log(text)
    verdict = verdict_mod.judge(boot)
    arch = next((a for a in archs.ARCHES if f"mmkit: {a}," in text), "unknown")
    write_results(args, verdict, arch, None, f"mmkit {arch}")
    return report(f"parse {args.log}", boot, verdict, False)


def cmd_new_allocator(args: argparse.Namespace) -> int:
    from . import scaffold
    written = scaffold.new_allocator(args.name, args.kind)
    for path in written:
        print(f"new-allocator: wrote {path.relative_to(paths.ROOT)}")
    print(f"new-allocator: {args.name} builds with ./build.py defconfig {args.name}; "
          "./build.py test --group conformance names each function still a stub "
          "(docs/ALLOCATOR_INTERFACE.md)")
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    variant = variant_of(args)
    removed = variant.clean()
    try:
        if paths.CURRENT.read_text(encoding="utf-8").strip() == str(variant.out):
            paths.CURRENT.unlink()
    except OSError:
        pass
    print(f"removed {variant.out}" if removed else f"nothing to remove: {variant.out} "
          "does not exist")
    return 0


# --- argument parsing ------------------------------------------------------------

# Commands defined by other modules: running one of cli's own imports
# neither (a no-op build pays for one command's arguments, no more).
ELSEWHERE = {"coverage": "coverage_cli", "fuzz": "fuzz_cli", "randconfig": "fuzz_cli",
             **dict.fromkeys(("bench", "matrix", "workflow", "hostbench", "realbench", "lz4bench",
                              "selfbench"), "bench_cli")}


class _NotRun:
    """What add() gives back for a command that is not being run: its
    arguments are never parsed, so they are not defined."""
    missing_hint = None

    def add_argument(self, *args, **kwargs) -> None:
        pass


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """build.py's parser.  With ``command``, the one being run, only that
    command gets its arguments (and its module imported); an unknown one
    gets the full parser, so that the error names every command."""
    p = OneLineParser(
        prog="build.py",
        description="mmkit: configure, build, boot and test kernel allocator variants.")
    common = OneLineParser(add_help=False)
    common.add_argument("-O", "--out", metavar="DIR",
                        help="variant directory (default: the last defconfig's, "
                             "build/<preset>-<arch>)")
    common.add_argument("-j", "--jobs", type=positive_int, metavar="N",
                        help="parallel build jobs")
    settable = OneLineParser(add_help=False)
    settable.add_argument("--arch", choices=list(archs.ARCHES), help="target architecture")
    settable.add_argument("--set", action="append", metavar="SYM=VAL",
                          help="set a Kconfig symbol (repeatable); refused if Kconfig would drop "
                               "it; saved in the variant's .config")
    booting = booting_options()
    results = OneLineParser(add_help=False)
    results.add_argument("--json", metavar="FILE",
                         help="write the results as JSON in the kunit.py --json shape")
    results.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")

    # prog given: otherwise argparse builds a help formatter (and imports shutil) now
    sub = p.add_subparsers(dest="command", metavar="COMMAND", prog="build.py")
    sub.required = True
    seen: list[str] = []

    def add(name: str, func, help_text: str | None, parents: list):
        seen.append(name)
        if command is not None and name != command:
            return _NotRun()
        kwargs = {"help": help_text, "description": help_text} if help_text else {}
        sp = sub.add_parser(name, parents=parents, **kwargs)
        sp.set_defaults(func=func)
        return sp

    d = add("defconfig", cmd_defconfig,
            "configure a variant from a preset or a fragment file "
            "(in build/<name>-<arch> unless -O)", [common, settable])
    d.add_argument("preset", help="preset name (see: build.py list), or a fragment's path "
                                  "(one with a '/' or ending in .config)")
    d.add_argument("--kconfig", action="append", metavar="FILE",
                   help="merge this config fragment after the preset (repeatable, in order; "
                        "two fragments that disagree are an error)")
    d.missing_hint = preset_names
    add("listnewconfig", cmd_listnewconfig,
        "list the symbols the .config does not set yet, with their defaults", [common])
    add("oldconfig", cmd_oldconfig,
        "ask for each symbol the .config does not set yet (answers on stdin)", [common])
    add("menuconfig", cmd_menuconfig, "edit the configuration in Kconfiglib's menuconfig", [common])
    add("olddefconfig", cmd_olddefconfig,
        "update .config to the current Kconfig, listing what changed", [common, settable])
    add("savedefconfig", cmd_savedefconfig, "write a minimal config (<out>/defconfig)", [common])
    add("list", cmd_list, "list presets and arches", [])
    b = add("build", cmd_build, "build the variant's kernel images (Ninja); "
            "compile_commands.json in the output directory", [common, settable])
    b.add_argument("-v", "--verbose", dest="verbose_build", action="store_true",
                   help="show every compiler command (as V=1 in the environment)")
    add("preload", cmd_preload,
        "build libmmkit.so, the variant's allocators as a drop-in malloc, and print its path",
        [common, settable])
    add("run", cmd_run, "build and boot the run image in QEMU, console on the terminal",
        [common, settable, booting])
    t = add("test", cmd_test, "build and boot the test image; KTAP summary and exit status",
            [common, settable, booting, results])
    t.add_argument("--host", action="store_true",
                   help="run the suites natively under ASan+UBSan instead of in QEMU")
    t.add_argument("--tsan", action="store_true",
                   help="with --host: under ThreadSanitizer instead (CPUs are threads)")
    t.add_argument("-v", "--verbose", action="store_true",
                   help="stream the guest's console as it runs")
    t.add_argument("--filter", metavar="GLOBS",
                   help="run only these cases, KUnit-style suite_glob[.case_glob],... "
                        "(this run only: the kernel command line, no rebuild)")
    t.add_argument("--group", metavar="NAME",
                   help="run only the suites of this group of tests/kernel/suites.toml, e.g. "
                        "conformance (what every allocator must pass)")
    t.add_argument("--list-tests", action="store_true",
                   help="list the cases the test image would run (suite.case), run none")
    p_ = add("parse", cmd_parse, "re-read a saved console log (e.g. <out>/test.log): "
             "summary, verdict, --json/--junit", [results])
    p_.add_argument("log", metavar="LOG", help="console log, or - for standard input")
    for module in ("coverage_cli", "bench_cli", "fuzz_cli"):  # coverage; bench, ...; fuzz
        if command is None or ELSEWHERE.get(command) == module:
            importlib.import_module(f"{__package__}.{module}").register(add, common, settable)
    n = add("new-allocator", cmd_new_allocator,
            "write a new kmalloc front or page strategy with every interface function a stub: "
            "Kconfig entry, C file, source line, preset, README row", [])
    n.add_argument("name", help="the allocator's name: a lowercase C identifier, used for the "
                                "preset, the file and (in capitals) the Kconfig symbol")
    n.add_argument("--kind", required=True, choices=["front", "pages"],
                   help="front: an allocator mode (kmalloc_front.h); pages: a page allocator "
                        "strategy (pa_strategy.h)")
    add("clean", cmd_clean, "remove the variant directory (only one the kit made)", [common])
    add("generate", cmd_generate, None, [common])  # build.ninja's regen edge runs it
    if command is not None and command not in seen and command not in ELSEWHERE:
        return parser(None)
    return p


def command_of(argv: list[str]) -> str | None:
    """The command in ``argv`` (its first word not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    # From here on Ctrl-C is a KeyboardInterrupt, so that the kit's children
    # are ended (build.py handles it until now).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = parser(command_of(argv)).parse_args(argv)
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
