"""Generation and incremental builds: what changes, what rebuilds."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, kit

CC_LINE = re.compile(r"\bCC (\S+)")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("incremental") / "v"
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    kit("build", "-O", str(out), check=True)
    return out


def compiled(proc) -> list[str]:
    return CC_LINE.findall(proc.stdout)


def test_generated_files_say_so(built: Path):
    for name in ("ktest_registry.c", "bench_sizes.c"):
        first = (built / "gen" / name).read_text().splitlines()[0]
        assert first.startswith("/* generated from templates/") and "do not edit" in first
    assert (built / "build.ninja").read_text().startswith("# generated from templates/build.ninja.j2")
    assert "#define CONFIG_MM_SIMPLEHEAP 1" in (built / "gen" / "autoconf.h").read_text()


def test_second_build_does_nothing(built: Path):
    proc = kit("build", "-O", str(built), check=True)
    assert "ninja: no work to do." in proc.stdout


def test_touching_a_source_rebuilds_only_its_object(built: Path):
    src = Path(__file__).resolve().parent.parent / "core" / "lib" / "kerr.c"
    os.utime(src)
    proc = kit("build", "-O", str(built), check=True)
    assert compiled(proc) == ["obj/core/lib/kerr.c.o"]
    assert "LINK kernel-test.elf" in proc.stdout


def test_touching_kconfig_regenerates_but_rebuilds_nothing(built: Path):
    os.utime(Path(__file__).resolve().parent.parent / "Kconfig")
    proc = kit("build", "-O", str(built), check=True)
    assert "GEN build.ninja" in proc.stdout
    assert compiled(proc) == []
    assert "LINK" not in proc.stdout


def test_an_input_removed_from_the_tree_regenerates(built: Path):
    """A template or kit file that a pull deleted: build.ninja was generated
    from it, so Ninja must regenerate, not stop at "no known rule to make it"."""
    depfile = built / "gen" / "build.ninja.d"
    text = depfile.read_text()
    assert str(ROOT / "templates" / "build.ninja.j2") in text
    depfile.write_text(text.rstrip("\n") + f" \\\n  {ROOT / 'templates' / 'gone.c.j2'}\n")
    proc = kit("build", "-O", str(built), check=True)
    assert "GEN build.ninja" in proc.stdout and compiled(proc) == []
    assert "gone.c.j2" not in depfile.read_text()
    assert "ninja: no work to do." in kit("build", "-O", str(built), check=True).stdout


def test_a_directory_another_checkout_set_up_is_taken_over(built: Path):
    """Its build.ninja names the other checkout (gone here): this one's kit
    generates it again, as kbuild's O= follows the tree that builds it."""
    ninja = built / "build.ninja"
    text = ninja.read_text()
    assert f"root = {ROOT}\n" in text
    ninja.write_text(text.replace(f"root = {ROOT}\n", "root = /nonexistent/checkout\n", 1))
    proc = kit("build", "-O", str(built), check=True)
    assert "set up by the checkout at /nonexistent/checkout" in proc.stdout
    assert f"root = {ROOT}\n" in ninja.read_text()
    assert compiled(proc) == []
    assert "ninja: no work to do." in kit("build", "-O", str(built), check=True).stdout


def test_a_file_added_to_a_source_directory_regenerates(built: Path):
    """A new core/lib/*.c changes what the images link: the directory's mtime
    (what a file added or removed changes) is an input of the regen edge."""
    depfile = (built / "gen" / "build.ninja.d").read_text()
    for d in ("core/lib", "core/mm", "tests/bench", "arch/riscv"):
        assert f"{ROOT / d} " in depfile or f"{ROOT / d}\n" in depfile, d
    os.utime(ROOT / "core" / "lib")
    proc = kit("build", "-O", str(built), check=True)
    assert "GEN build.ninja" in proc.stdout and compiled(proc) == []
    assert "ninja: no work to do." in kit("build", "-O", str(built), check=True).stdout


def test_config_change_rebuilds_what_mentions_the_symbol(built: Path):
    proc = kit("olddefconfig", "-O", str(built), "--set", "TEST_FILTER=ktest_self", check=True)
    assert "TEST_FILTER=ktest_self (--set)" in proc.stdout
    proc = kit("build", "-O", str(built), check=True)
    assert "GEN build.ninja" in proc.stdout
    assert 'CONFIG_TEST_FILTER "ktest_self"' in (built / "gen" / "autoconf.h").read_text()
    # ktest.c reads the filter; the allocators never mention it.
    assert "obj/core/lib/ktest.c.o" in compiled(proc)
    assert "obj/core/mm/heap.c.o" not in compiled(proc)
    assert "obj/core/mm/bitmap_pa.c.o" not in compiled(proc)
    assert "ninja: no work to do." in kit("build", "-O", str(built), check=True).stdout


def mentioning(symbol: str) -> set[str]:
    """Sources under core/ and tests/ that name CONFIG_<symbol>, themselves or
    in a header they include (found here by grep, not by fixdep)."""
    name = f"CONFIG_{symbol}"
    files = list((ROOT / "core").rglob("*.[ch]")) + list((ROOT / "tests").rglob("*.[ch]"))
    headers = {p.name for p in files if p.suffix == ".h" and name in p.read_text()}
    include = re.compile(r'^#include "([^"]+)"', re.M)
    return {p.relative_to(ROOT).as_posix() for p in files if p.suffix == ".c" and
            (name in p.read_text() or headers & set(include.findall(p.read_text())))}


def test_symbol_change_rebuilds_only_what_mentions_it(built: Path):
    # SIMPLEHEAP_SIZE_KB: the heap region, and the test suites that size
    # their allocations by it; nothing else of the allocators.
    kit("olddefconfig", "-O", str(built), "--set", "SIMPLEHEAP_SIZE_KB=2048", check=True)
    proc = kit("build", "-O", str(built), check=True)
    rebuilt = set(compiled(proc))
    assert "obj/core/mm/heap_region.c.o" in rebuilt
    assert rebuilt == {f"obj/{src}.o" for src in mentioning("SIMPLEHEAP_SIZE_KB")
                       if (built / "obj" / f"{src}.o").exists()}
    assert "obj/core/mm/heap.c.o" not in rebuilt
    assert (built / "gen" / "config" / "SIMPLEHEAP_SIZE_KB").read_text() == "2048\n"


def test_deleted_symbol_stamp_is_written_again_and_kept_as_a_dependency(tmp_path: Path):
    """Deleting gen/config/<SYMBOL> once made fixdep drop the dependency, and
    a later change of that symbol left a stale object ("no work to do")."""
    out = tmp_path / "twotier"
    kit("defconfig", "twotier", "--set", "SLAB_KEEP_EMPTY=2", "-O", str(out), check=True)
    kit("build", "-O", str(out), check=True)
    stamp = out / "gen" / "config" / "SLAB_KEEP_EMPTY"
    stamp.unlink()
    proc = kit("build", "-O", str(out), check=True)
    assert stamp.read_text() == "2\n"
    assert "obj/core/mm/slab.c.o" in compiled(proc)      # its input went missing
    proc = kit("build", "-O", str(out), "--set", "SLAB_KEEP_EMPTY=3", check=True)
    assert "obj/core/mm/slab.c.o" in compiled(proc)
    assert "ninja: no work to do." in kit("build", "-O", str(out), check=True).stdout


def test_stamp_of_a_name_kconfig_no_longer_defines_says_so(built: Path):
    """A symbol that left Kconfig: its stamp changes, so what mentions it rebuilds."""
    gone = built / "gen" / "config" / "OLD_SYMBOL"
    gone.write_text("y\n")
    kit("generate", "-O", str(built), check=True)
    assert gone.read_text() == "undefined\n"
    gone.unlink()


def test_missing_host_tool_names_the_package(out: Path, tmp_path: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "build.py", "build", "-O", str(out)],
                          cwd=Path(__file__).resolve().parent.parent, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, PATH=str(empty)))
    assert proc.returncode != 0
    assert "install the Debian package 'gcc-riscv64-unknown-elf'" in proc.stderr


def test_clean_removes_a_directory_the_kit_made(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    assert (out / ".mmkit-build").is_file()
    proc = kit("clean", "-O", str(out))
    assert proc.returncode == 0 and proc.stdout == f"removed {out}\n"
    assert not out.exists()


def linux_tree(d: Path) -> None:
    for name in ("Makefile", "Kconfig", ".config", "MAINTAINERS"):
        (d / name).write_text("x\n")
    (d / "arch" / "riscv").mkdir(parents=True)


def home_dir(d: Path) -> None:
    (d / ".config" / "git").mkdir(parents=True)
    (d / ".bashrc").write_text("x\n")
    (d / "notes.txt").write_text("precious\n")


@pytest.mark.parametrize("make", [
    lambda d: (d / ".config").write_text("CONFIG_RAM_MB=128\n"),    # .config as a file
    lambda d: (d / ".config").mkdir(),                              # .config as a directory
    home_dir,                                                       # like ~
    linux_tree,                                                     # like a Linux source tree
    lambda d: (d / ".mmkit-build").mkdir(),                         # the marker, but not a file
], ids=["config-file", "config-dir", "home", "linux-tree", "marker-dir"])
def test_clean_refuses_what_the_kit_did_not_make(tmp_path: Path, make):
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    make(stranger)
    before = sorted(p.relative_to(stranger) for p in stranger.rglob("*"))
    proc = kit("clean", "-O", str(stranger))
    assert proc.returncode == 1
    assert proc.stderr == (f"build.py: error: refusing to delete {stranger}: the kit did not "
                           "create it (no .mmkit-build in it); remove it yourself if it is "
                           "yours to remove\n")
    assert sorted(p.relative_to(stranger) for p in stranger.rglob("*")) == before


def test_configuring_into_a_full_directory_does_not_make_it_cleanable(tmp_path: Path):
    """-O naming a directory with other things in it: the kit writes its files
    there, but never marks the directory as its own."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("precious\n")
    kit("defconfig", "simpleheap", "-O", str(home), check=True)
    assert not (home / ".mmkit-build").exists()
    assert kit("clean", "-O", str(home)).returncode == 1
    assert (home / "notes.txt").read_text() == "precious\n"


def out_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x\n")
    return tmp_path / "file"


def out_under_a_file(tmp_path: Path) -> Path:
    return out_is_a_file(tmp_path) / "sub" / "dir"


def out_read_only(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes through directory permissions (see the /sys case)")
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    return ro / "variant"


@pytest.mark.parametrize("where, complaint", [
    (out_is_a_file, "it is a file"),
    (out_under_a_file, "which is a file"),
    (out_read_only, "permission denied"),
    (lambda _: Path("/proc/mmkit-variant"), "cannot use /proc/mmkit-variant"),
    (lambda _: Path("/proc/self/mmkit"), "cannot use /proc/"),
    (lambda _: Path("/sys/mmkit-variant"), "cannot use /sys/mmkit-variant"),
], ids=["file", "under-file", "read-only", "proc", "proc-self", "sys"])
def test_unusable_output_directory_is_one_line(tmp_path: Path, where, complaint: str):
    out = where(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    proc = kit("defconfig", "simpleheap", "-O", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith("build.py: error: ") and len(proc.stderr.splitlines()) == 1
    assert complaint in proc.stderr, proc.stderr
    assert sorted(tmp_path.rglob("*")) == before          # nothing half-written
    assert not out.exists() or out.read_text() == "x\n"


def test_written_files_get_umask_modes(out: Path):
    """.config, build.ninja and gen/* are created as open() would create them
    (0666 less the umask), not 0600 as mkstemp makes its temporary files."""
    old = os.umask(0o027)
    try:
        kit("defconfig", "simpleheap", "-O", str(out), check=True)
        kit("generate", "-O", str(out), check=True)
    finally:
        os.umask(old)
    files = [out / ".config", out / "build.ninja", out / "gen" / "autoconf.h",
             out / "gen" / "ktest_registry.c", out / "gen" / "config" / "RAM_MB"]
    modes = {f.relative_to(out).as_posix(): oct(f.stat().st_mode & 0o777) for f in files}
    assert modes == {name: oct(0o640) for name in modes}


def test_noop_build_imports_neither_kconfiglib_nor_jinja2(built: Path):
    """A build with nothing to do reads .config as text and lets Ninja decide
    about regeneration: Kconfig is not parsed, no template is loaded.  (The
    time it takes is a benchmark, ./build.py selfbench, never a test.)"""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "build.py"), "build",
                           "-O", str(built)], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    assert proc.returncode == 0 and "ninja: no work to do." in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "kit.cli" in imported
    assert not imported & {"kconfiglib", "jinja2", "kit.config", "kit.generate"}


def test_selfbench_reports_the_noop_build(built: Path):
    proc = kit("selfbench", "-O", str(built), "--runs", "2", check=True)
    assert re.fullmatch(r"selfbench: no-op \./build\.py build: best \d+\.\d{3} s, median "
                        r"\d+\.\d{3} s, worst \d+\.\d{3} s wall over 2 runs \((under|OVER) the "
                        r"0\.1 s target\); CPU best \d+\.\d{3} s\n", proc.stdout), proc.stdout


def test_smp_riscv64_atomics_are_inline_amos(tmp_path: Path):
    """rv64imac has the A extension: C11 atomics must be AMO/LR-SC instructions,
    never calls into a libatomic the freestanding link does not have (the
    link would fail on the undefined symbol; this names the cause)."""
    out = tmp_path / "smp"
    kit("defconfig", "twotier-smp", "--arch", "riscv64", "--set", "DEBUG_SPINLOCK=y",
        "-O", str(out), check=True)
    kit("build", "-O", str(out), check=True)
    elf = out / "kernel-test.elf"
    undefined = subprocess.run(["riscv64-unknown-elf-nm", "-u", str(elf)], text=True,
                               stdout=subprocess.PIPE, check=True).stdout
    assert undefined.strip() == ""
    text = subprocess.run(["riscv64-unknown-elf-objdump", "-d", str(elf)], text=True,
                          stdout=subprocess.PIPE, check=True).stdout
    assert "__atomic_" not in text
    for insn in ("amoadd.w", "amoor.d", "lr.w", "sc.w"):
        assert re.search(rf"\t{re.escape(insn)}(\.aq|\.rl|\.aqrl)?\s", text), insn


@pytest.mark.parametrize("arch, smp_only", [("riscv64", "arch/riscv/smp.c"),
                                            ("x86_64", "arch/x86_64/smp.c")])
def test_arch_sources_follow_their_options(arch: str, smp_only: str, tmp_path: Path):
    """arch/<arch>/sources.toml: the SMP runtime is built only with SMP, so a
    uniprocessor kernel's image (and the memory map the bench sees) is not
    changed by it."""
    for preset, wanted in (("twotier", False), ("twotier-smp", True)):
        out = tmp_path / f"{preset}-{arch}"
        kit("defconfig", preset, "--arch", arch, "-O", str(out), check=True)
        kit("generate", "-O", str(out), check=True)
        assert (smp_only in (out / "build.ninja").read_text()) == wanted, preset


def test_debug_info_adds_dwarf_and_changes_no_instruction(tmp_path: Path):
    """DEBUG_INFO (-g) is why an image has DWARF, and all it changes: the
    matrix builds its cells without it (kit/matrix.py CELL_DEFAULTS) on
    the promise that their instructions, so their bench figures, are a
    user's build's."""
    out = tmp_path / "v"
    kit("defconfig", "twotier", "--arch", "riscv64", "-O", str(out), check=True)
    sections = {}
    for value in ("y", "n"):
        kit("build", "-O", str(out), "--set", f"DEBUG_INFO={value}", check=True)
        elf = out / "kernel-bench.elf"
        headers = subprocess.run(["riscv64-unknown-elf-objdump", "-h", str(elf)], text=True,
                                 stdout=subprocess.PIPE, check=True).stdout
        assert (".debug_info" in headers) == (value == "y"), headers
        text = tmp_path / f"text-{value}.bin"
        subprocess.run(["riscv64-unknown-elf-objcopy", "-O", "binary", "-j", ".text", str(elf),
                        str(text)], check=True)
        sections[value] = text.read_bytes()
    assert sections["y"] and sections["y"] == sections["n"]
