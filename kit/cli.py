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
    variant = Variant.configure(args.preset, args.arch, args.set or [],
                                Path(args.out) if args.out else None)
    remember(variant)
    print(f"configured {variant.out}: preset {args.preset} for {variant.arch.name}")
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
    env = dict(os.environ, KCONFIG_CONFIG=str(variant.config_path), srctree=str(paths.ROOT))
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
    """The variant with --arch/--set applied (if given) and ``targets`` built."""
    variant = variant_of(args)
    extra = overrides(args)
    if extra:
        variant.reconfigure(extra)
    variant.build(targets, args.jobs)
    return variant


def cmd_build(args: argparse.Namespace) -> int:
    built(args, [])
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    variant_of(args).generate()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    result = built(args, ["kernel"]).boot("run", echo=True)
    print(f"\nbuild.py: run: {result.reason}")
    return 0 if result.passed else 1


def report(what: str, boot, verdict, verbose: bool) -> int:
    """Print a test run as people read it; the exit status says whether it passed."""
    if verbose:
        print(boot.console)
    for line in verdict.summary:
        print(line)
    # SMP runs end with how often each lock class made a CPU wait.
    for line in boot.console.splitlines():
        if line.startswith("mmkit: lock contention:"):
            print(line)
    print(verdict.line(what))
    return 0 if verdict.passed else 1


def cmd_test(args: argparse.Namespace) -> int:
    if args.tsan and not args.host:
        raise KitError("--tsan is for the host run: use it with --host")
    if args.host:
        target, what = ("host-tsan", "TSan") if args.tsan else ("host", "ASan+UBSan")
        boot, verdict = built(args, [target]).host_test(tsan=args.tsan)
        return report(f"test (host, {what})", boot, verdict, args.verbose)
    variant = built(args, ["kernel"])
    boot, verdict = variant.test()
    return report(f"test ({variant.arch.name})", boot, verdict, args.verbose)


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
ELSEWHERE = {"coverage": "coverage_cli",
             **dict.fromkeys(("bench", "matrix", "workflow", "hostbench", "lz4bench",
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
                          help="set a Kconfig symbol (repeatable); refused if Kconfig would drop it")

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
            "configure a variant from a preset (in build/<preset>-<arch> unless -O)",
            [common, settable])
    d.add_argument("preset", help="preset name (see: build.py list)")
    d.missing_hint = preset_names
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
    t.add_argument("--tsan", action="store_true",
                   help="with --host: under ThreadSanitizer instead (CPUs are threads)")
    t.add_argument("-v", "--verbose", action="store_true", help="print the guest's console")
    for module in ("coverage_cli", "bench_cli"):  # coverage; bench, matrix, workflow, ...
        if command is None or ELSEWHERE.get(command) == module:
            importlib.import_module(f"{__package__}.{module}").register(add, common, settable)
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
