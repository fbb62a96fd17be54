"""One variant: one output directory, end to end.

As kunit.py's LinuxSourceTree owns a build directory, and twister's
TestInstance a suite on a platform, a Variant owns <out>: its
configuration (.config, from a preset, --arch and --set), generation and
build (through kit/ninja.py, the one Ninja runner), the names of its
images, booting them, and the verdict on what they printed.  The CLI, the
matrix (a cell is a Variant), coverage, bench and hostbench all go
through it; none of them repeats a step.

Two speeds.  Kconfiglib (kit/config.py) is used where a configuration is
made or changed; a build with nothing to change reads only the .config
text (its arch, for the tool check) and lets Ninja decide whether to
regenerate.  Once built, the resolved values are read from gen/config.json,
which the generator wrote from the same Kconfig.
"""
from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Sequence
from pathlib import Path

from . import archs, ninja, paths, tools
from .errors import KitError

CONFIG = ".config"
# What defconfig made the variant from (Variant.preset).
PRESET_FILE = "preset"
# Ninja targets built with the host's compiler only (no cross toolchain needed).
HOST_TARGETS = {"host", "hostbench", "hostbench-peers", "preload", "fuzz"}
_ARCH_LINE = re.compile(r'^CONFIG_ARCH="([^"]*)"$', re.M)


# What Variant.coverage() returns: kernel-cov's qemu.Boot, the
# verdict.Verdict on the tests it ran, and <out>/coverage/lcov.info, or
# None and why the capture failed.
CoverageRun = namedtuple("CoverageRun", "boot verdict info error")


def default_dir(preset: str, arch: str) -> Path:
    """build/<preset>-<arch>: configuring the other arch never overwrites a variant."""
    return paths.BUILD / f"{preset}-{arch}"


class Variant:
    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()

    def __repr__(self) -> str:
        return f"Variant({self.out})"

    # --- files --------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        """.config, or $KCONFIG_CONFIG (kit/paths.py)."""
        return self.out / paths.config_name()

    def image(self, name: str) -> Path:
        """What QEMU boots for image ``name`` (run, test, bench, cov)."""
        return self.out / self.arch.boot_file(name)

    def log(self, name: str) -> Path:
        return self.out / f"{name}.log"

    # --- configuration (Kconfiglib) -------------------------------------------------

    @classmethod
    def configure(cls, preset: str, arch: str | None = None, settings: Sequence[str] = (),
                  out: Path | None = None, extra: Sequence = (),
                  fragments: Sequence[Path] = ()) -> "Variant":
        """A variant from a preset (or a fragment's path), --kconfig
        ``fragments``, the arch and SYM=VALUE settings (then ``extra``
        assignments); ``out`` defaults to build/<preset>-<arch>.  Writes
        .config only when it changes, so an up-to-date build stays up to date."""
        from . import config
        from .fragments import preset as find_preset
        kconf = config.from_preset(preset, arch, settings, extra, fragments)
        variant = cls(out or default_dir(find_preset(preset).name,
                                         kconf.syms["ARCH"].str_value))
        config.write_config(kconf, variant.out)
        from .fsutil import write_if_changed
        write_if_changed(variant.out / PRESET_FILE,
                         " + ".join([preset, *(str(f) for f in fragments)]) + "\n")
        return variant

    @property
    def preset(self) -> str:
        """What the last defconfig made this variant from (a preset name, or
        a fragment's path, and its --kconfig fragments), for titles; the
        directory's name for a variant configured before this was kept."""
        try:
            return (self.out / PRESET_FILE).read_text(encoding="utf-8").strip() or self.out.name
        except OSError:
            return self.out.name

    def kconfig(self):
        """The Kconfig with this .config loaded; a stale or invalid .config is an error."""
        from . import config
        kconf, _ = config.load(self.out)
        return kconf

    def reconfigure(self, assignments: Sequence) -> list[str]:
        """Apply --arch/--set assignments to the .config, each checked to stick;
        returns what changed in it ("changed RAM_MB=128->256"), for people."""
        from . import config
        from .fragments import assignments_of, read_config
        before = assignments_of(read_config(self.config_path))
        kconf, _ = config.load(self.out)
        config.apply(kconf, list(assignments))
        config.write_config(kconf, self.out)
        return config.describe_changes(before, assignments_of(read_config(self.config_path)))

    def olddefconfig(self, assignments: Sequence = ()) -> list[str]:
        """Bring a .config from an older Kconfig up to date (then apply
        ``assignments``); returns what changed, for people."""
        from . import config
        kconf, changes = config.load(self.out, allow_stale=True,
                                     overridden={a.name for a in assignments})
        config.apply(kconf, list(assignments))
        config.write_config(kconf, self.out)
        return changes + [f"{a.name}={kconf.syms[a.name].str_value} ({a.origin})"
                          for a in assignments]

    def savedefconfig(self) -> Path:
        from . import config
        target = self.out / "defconfig"
        config.write_min_config(self.kconfig(), target)
        return target

    # --- facts without Kconfiglib ---------------------------------------------------

    @property
    def arch(self) -> archs.Arch:
        """The arch, from the .config's derived ARCH line (no Kconfig parse)."""
        from .fragments import read_config
        m = _ARCH_LINE.search(read_config(self.config_path))
        if m is None:
            return archs.get(self.kconfig().syms["ARCH"].str_value)
        return archs.get(m.group(1))

    def generated(self) -> dict:
        """gen/config.json: arch, mode, page allocator and every resolved value,
        as the generator last wrote them (call after build())."""
        import json
        try:
            return json.loads((self.out / "gen" / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise KitError(f"{self.out} is not generated: run ./build.py build -O "
                           f"{self.out}") from None

    def value(self, name: str):
        return self.generated()["config"][name]

    # --- generation and build ----------------------------------------------------------

    def generate(self) -> None:
        from . import generate
        generate.generate(self.out)

    def build(self, targets: Sequence[str] = (), jobs: int | None = None,
              log: Path | None = None, verbose: bool = False) -> None:
        """Build ``targets`` (Ninja's default: the kernel images) with Ninja.

        Ninja regenerates whatever is out of date (its regen edge checks the
        .config against Kconfig, and gen/toolchain: CC, CROSS_COMPILE and
        HOSTCC from the environment, kit/toolchain.py); only a variant
        never generated is generated here first, as there is no build.ninja
        yet.  ``verbose`` (or V=1) shows every command.
        """
        from . import toolchain
        chosen = toolchain.record(self.out, self.arch)
        host_only = bool(targets) and set(targets) <= HOST_TARGETS
        tools.require((chosen["host_cc"] if host_only else chosen["cc"]).split()[0])
        if not (self.out / "build.ninja").exists():
            self.generate()
        ninja.build(self.out, targets, jobs, log, verbose=verbose)

    def clean(self) -> bool:
        """Delete the directory, if the kit made it (kit/outdir.py)."""
        from . import outdir
        return outdir.remove(self.out)

    # --- booting and verdicts ---------------------------------------------------------

    def boot(self, image: str, echo: bool = False, icount: bool = False,
             timeout_symbol: str = "QEMU_TIMEOUT", append: str = "",
             qemu_args: Sequence[str] = (), gdb: int = 0):
        """Boot image ``image`` (built) in QEMU; its console goes to <out>/<image>.log.

        With NR_CPUS CPUs (-smp), except under -icount (the bench): one CPU
        whatever NR_CPUS is, since a CPU spinning for another with no timer
        armed would wait forever there.

        Per run, never saved: ``append`` is the kernel command line (QEMU
        -append), ``qemu_args`` more QEMU arguments, ``gdb`` (a port) starts
        QEMU's gdb stub there and waits for gdb (no time limit then)."""
        from . import qemu
        return qemu.boot(self.arch, self.image(image), int(self.value("RAM_MB")),
                         float(self.value(timeout_symbol)), log=self.log(image), echo=echo,
                         icount=icount, cpus=1 if icount else int(self.value("NR_CPUS")),
                         extra=qemu.extra_args(append, qemu_args, gdb), wait=bool(gdb))

    def judge(self, boot, test_filter: str | None = None):
        """The verdict on a test run (kit/verdict.py), naming the filter (the
        run's, else TEST_FILTER) if no case ran."""
        from . import verdict
        if test_filter is None:
            test_filter = f'TEST_FILTER="{self.value("TEST_FILTER")}"'
        return verdict.judge(boot, test_filter)

    def test(self, test_filter: str = "", echo: bool = False, **run):
        """Boot the test image (built) and judge it; (boot, verdict).
        ``test_filter`` (suite_glob[.case_glob],...) reaches the guest on its
        command line, in place of TEST_FILTER, for this run only."""
        from .cmdline import kernel_cmdline
        boot = self.boot("test", echo=echo, append=kernel_cmdline(test_filter), **run)
        return boot, self.judge(boot, f'--filter "{test_filter}"' if test_filter else None)

    def list_tests(self, test_filter: str = "", **run) -> list[str]:
        """The cases the test image would run (suite.case), listed by the guest."""
        from .cmdline import kernel_cmdline, listed
        boot = self.boot("test", append=kernel_cmdline(test_filter, list_tests=True), **run)
        if not boot.passed:
            raise KitError(f"listing the test cases failed: {boot.reason} "
                           f"(console: {self.log('test')})")
        return listed(boot.console)

    def host_test(self, test_filter: str = "", tsan: bool = False):
        """Run the host build of the suites (built: target 'host') under ASan+UBSan,
        or with @tsan the ThreadSanitizer build (target 'host-tsan'); the
        filter reaches it as the guest's would (MMKIT_CMDLINE)."""
        from . import host
        from .cmdline import kernel_cmdline
        target = "host-tsan" if tsan else "host"
        boot = host.run(self.out / target / "ktest", float(self.value("QEMU_TIMEOUT")),
                        log=self.log(f"{target}-test"), cmdline=kernel_cmdline(test_filter))
        return boot, self.judge(boot, f'--filter "{test_filter}"' if test_filter else None)

    def bench(self, echo: bool = False, **run):
        """Boot the bench image (built) under -icount; writes <out>/bench.json.
        ``run``: boot()'s per-run qemu_args and gdb."""
        import json

        from . import bench
        from .fsutil import write_atomic
        boot = self.boot("bench", echo=echo, icount=True, timeout_symbol="BENCH_TIMEOUT", **run)
        result = bench.result(boot, self.arch)
        write_atomic(self.out / "bench.json",
                     json.dumps(result.data, indent=2, sort_keys=True) + "\n")
        return result

    def coverage(self, label: str, title: str | None = None) -> CoverageRun:
        """Boot kernel-cov (built), judge its tests, and make its lcov report.

        The last run's report goes first: a run whose capture fails leaves
        no report, rather than an old one that reads as this run's.
        """
        from . import coverage
        coverage.forget(self.out)
        boot = self.boot("cov")
        verdict = self.judge(boot)
        try:
            info = coverage.collect(self.out, self.arch, boot.console, label,
                                    title or f"mmkit coverage: {self.preset} on {self.arch.name}")
        except KitError as exc:
            return CoverageRun(boot, verdict, None, str(exc))
        return CoverageRun(boot, verdict, info, None)
