"""Configuration handling: presets, --set validation, stale .config files."""
from pathlib import Path

import pytest

from conftest import kit
from kit import config
from kit.errors import KitError


def test_every_preset_resolves_on_both_arches():
    for name, preset in config.presets().items():
        assert preset.description, f"preset {name} has no '# description:' line"
        for arch in config.ARCHES:
            kconf = config.load_kconfig()
            config.apply(kconf, config.parse_fragment(preset.path) +
                         [config.arch_assignment(arch)])
            assert kconf.syms["ARCH"].str_value == arch


def expect_refused(out: Path, preset: str, settings: list[str], message: str) -> None:
    """defconfig of @preset with @settings fails with one line naming
    @message, and writes nothing."""
    args = ["defconfig", preset, "-O", str(out)]
    for s in settings:
        args += ["--set", s]
    proc = kit(*args)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (out / ".config").exists()


def test_list_names_every_preset():
    proc = kit("list", check=True)
    for name in config.presets():
        assert name in proc.stdout


@pytest.mark.parametrize("setting, message", [
    ("NO_SUCH_SYMBOL=y", "unknown symbol NO_SUCH_SYMBOL"),
    ("RAM_MB=9000", "RAM_MB=9000 not applied: 9000 is out of range [32, 8192]"),
    ("RAM_MB=lots", "'lots' is not a valid int"),
    ("DEBUG_POISON=maybe", "not a valid bool"),
    ("ARCH=x86_64", "ARCH=x86_64 not applied: it has no prompt"),
    ("ARCH_RISCV64=n", "choice member"),
    # More than one CPU needs SMP; the range that would take it says so.
    ("NR_CPUS=4", "NR_CPUS=4 not applied: 4 is out of range [1, 1] (range [1, 8] needs SMP)"),
])
def test_bad_set_is_refused_and_nothing_written(out: Path, setting: str, message: str):
    proc = kit("defconfig", "simpleheap", "-O", str(out), "--set", setting)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (out / ".config").exists()


def test_unknown_preset_lists_valid_ones(out: Path):
    proc = kit("defconfig", "nonsense", "-O", str(out))
    assert proc.returncode != 0
    assert "unknown preset 'nonsense' (valid: " in proc.stderr
    assert "simpleheap" in proc.stderr


@pytest.mark.parametrize("args, names", [
    (["frobnicate"], ["invalid choice: 'frobnicate'", "defconfig", "build", "test"]),
    (["defconfig", "simpleheap", "--arch", "arm"], ["'arm'", "riscv64, x86_64"]),
    (["build", "-j", "two"], ["-j/--jobs", "'two' is not a positive whole number"]),
    (["build", "-j", "0"], ["'0' is not a positive whole number"]),
    ([], ["no command given", "defconfig", "matrix"]),
    (["defconfig"], ["required: preset", "simpleheap", "twotier"]),
])
def test_usage_errors_are_one_line_naming_the_choices(args: list[str], names: list[str]):
    """As every other error: one line, exit status 2 (argparse's for usage)."""
    proc = kit(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("build.py: error: "), proc.stderr
    for name in names:
        assert name in lines[0]


def test_cross_symbol_constraint(out: Path):
    proc = kit("defconfig", "simpleheap", "-O", str(out), "--set", "RAM_MB=64",
               "--set", "SIMPLEHEAP_SIZE_KB=65536")
    assert proc.returncode != 0
    assert "does not fit in half of RAM_MB=64" in proc.stderr


@pytest.mark.parametrize("settings, message", [
    (["ZSTORE_LIMIT_KB=16384"], "ZSTORE_LIMIT_KB=16384 is more than a quarter of RAM_MB=32 "
                                "(8192 KiB)"),
    (["ZSTORE_LIMIT_KB=32"], "ZSTORE_LIMIT_KB=32 not applied: 32 is out of range [64, 262144]"),
    (["ZSTORE_ACCELERATION=0"], "ZSTORE_ACCELERATION=0 not applied: 0 is out of range [1, 65537]"),
])
def test_bad_zstore_settings_are_refused(out: Path, settings: list[str], message: str):
    expect_refused(out, "twotier-zstore", ["RAM_MB=32", *settings], message)


@pytest.mark.parametrize("classes, message", [
    ("", "KMALLOC_CLASSES is empty"),
    ("8 32 16 64", "KMALLOC_CLASSES: not ascending (16 after 32)"),
    ("8 16 16 32", "KMALLOC_CLASSES: 16 is listed twice"),
    ("8 20 32", "KMALLOC_CLASSES: 20 is not a multiple of 8"),
    ("8 16 4096 65536", "KMALLOC_CLASSES: 65536 is larger than the largest slab object "
                        "(32768)"),
    ("8 sixteen", "KMALLOC_CLASSES: 'sixteen' is not a positive integer"),
    ("0 8", "KMALLOC_CLASSES: '0' is not a positive integer"),
])
def test_bad_kmalloc_classes_are_refused(out: Path, classes: str, message: str):
    proc = kit("defconfig", "twotier", "-O", str(out), "--set", f"KMALLOC_CLASSES={classes}")
    assert proc.returncode != 0
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (out / ".config").exists()


@pytest.mark.parametrize("debug, limit", [
    (["DEBUG_REDZONE=y"], 32752),
    (["DEBUG_OWNER=y"], 32736),
    (["DEBUG_REDZONE=y", "DEBUG_OWNER=y"], 32720),
])
def test_debug_shrinks_the_largest_class(out: Path, debug: list[str], limit: int):
    """Red zones and owner tracks sit after each slab object: the largest class
    is a slab less those bytes, refused above and taken at the limit."""
    sets = [a for d in debug for a in ("--set", d)]
    proc = kit("defconfig", "twotier", "-O", str(out), *sets,
               "--set", f"KMALLOC_CLASSES=8 {limit + 8}")
    assert proc.returncode != 0
    assert (f"KMALLOC_CLASSES: {limit + 8} is larger than the largest slab object ({limit})"
            in proc.stderr), proc.stderr
    kit("defconfig", "twotier", "-O", str(out), *sets, "--set", f"KMALLOC_CLASSES=8 {limit}",
        check=True)


def test_good_kmalloc_classes_are_taken(out: Path):
    kit("defconfig", "hybrid", "-O", str(out), "--set", "KMALLOC_CLASSES=8 24,40 4096",
        check=True)
    assert 'CONFIG_KMALLOC_CLASSES="8 24,40 4096"' in (out / ".config").read_text()


@pytest.mark.parametrize("settings, message", [
    (["HUGEPAGES_2M=600"], "HUGEPAGES_2M=600 and HUGEPAGES_1G=1 reserve 2224 MiB, more than "
                           "half of RAM_MB=3072 (1536 MiB)"),
    (["BUDDY_MAX_ORDER=10"], "HUGEPAGES_1G=1 needs BUDDY_MAX_ORDER >= 18 (it is 10"),
    (["HUGEPAGES_1G=0", "BUDDY_MAX_ORDER=8"], "HUGEPAGES_2M=8 needs BUDDY_MAX_ORDER >= 9"),
    (["VMAP_SIZE_MB=1024"], "need up to 2068 MiB of address space, more than VMAP_SIZE_MB=1024"),
])
def test_hugepage_pool_that_does_not_fit_is_refused(out: Path, settings: list[str], message: str):
    expect_refused(out, "twotier-huge", settings, message)


@pytest.mark.parametrize("preset, settings, message", [
    ("twotier-vmap", ["DEBUG_GUARD=y", "DEBUG_GUARD_POOL_PAGES=2048", "VMAP_SIZE_MB=16"],
     "DEBUG_GUARD_POOL_PAGES=2048 needs 16388 KiB of the vmap area, more than VMAP_SIZE_MB=16"),
    ("twotier-huge", ["DEBUG_GUARD=y", "DEBUG_GUARD_POOL_PAGES=4096", "VMAP_SIZE_MB=2080"],
     "DEBUG_GUARD_POOL_PAGES=4096 needs 32772 KiB of the vmap area beside the hugepage "
     "pool's 2068 MiB, more than VMAP_SIZE_MB=2080"),
])
def test_guard_pool_that_does_not_fit_is_refused(out: Path, preset: str, settings: list[str],
                                                  message: str):
    """The guard pool's 2N+1 pages of address space, with the hugepage pool's
    share; the largest pool that fits is taken (2047 pages in 16 MiB)."""
    expect_refused(out, preset, settings, message)
    kit("defconfig", "twotier-vmap", "-O", str(out), "--set", "DEBUG_GUARD=y",
        "--set", "DEBUG_GUARD_POOL_PAGES=2047", "--set", "VMAP_SIZE_MB=16", check=True)


def test_heap_region_must_fit_a_buddy_block(out: Path):
    proc = kit("defconfig", "hybrid", "-O", str(out), "--set", "BUDDY_MAX_ORDER=6",
               "--set", "SIMPLEHEAP_SIZE_KB=512")
    assert proc.returncode != 0
    assert ("SIMPLEHEAP_SIZE_KB=512 does not fit the largest buddy block of "
            "BUDDY_MAX_ORDER=6 (256 KiB)") in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    kit("defconfig", "hybrid", "-O", str(out), "--set", "BUDDY_MAX_ORDER=6",
        "--set", "SIMPLEHEAP_SIZE_KB=256", check=True)
    # The bitmap allocator hands out runs of any length.
    kit("defconfig", "hybrid-bitmap", "-O", str(out), "--set", "SIMPLEHEAP_SIZE_KB=8192",
        check=True)


def test_tlsf_region_must_fit_ram_and_a_buddy_block(out: Path):
    proc = kit("defconfig", "tlsf", "-O", str(out), "--set", "RAM_MB=64",
               "--set", "TLSF_SIZE_KB=65536")
    assert proc.returncode != 0
    assert "TLSF_SIZE_KB=65536 does not fit in half of RAM_MB=64 (32768 KiB)" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    fragment = out.parent / "tlsf-buddy.config"
    fragment.write_text("CONFIG_MM_TLSF=y\nCONFIG_PAGE_ALLOC_BUDDY=y\n")
    proc = kit("defconfig", str(fragment), "-O", str(out), "--set", "BUDDY_MAX_ORDER=6",
               "--set", "TLSF_SIZE_KB=512")
    assert proc.returncode != 0
    assert ("TLSF_SIZE_KB=512 does not fit the largest buddy block of "
            "BUDDY_MAX_ORDER=6 (256 KiB)") in proc.stderr
    # Pools stand on slabs or the SimpleHeap region: TLSF mode has neither.
    proc = kit("defconfig", "tlsf", "-O", str(out), "--set", "POOLS=y")
    assert proc.returncode != 0 and "POOLS=y not applied" in proc.stderr
    assert not (out / ".config").exists()


def test_options_of_other_modes_are_refused(out: Path):
    proc = kit("defconfig", "simpleheap", "-O", str(out), "--set", "KMALLOC_CLASSES=8 16")
    assert proc.returncode != 0
    assert "KMALLOC_CLASSES=8 16 not applied: unmet dependencies" in proc.stderr
    proc = kit("defconfig", "twotier", "-O", str(out), "--set", "SIMPLEHEAP_SIZE_KB=128")
    assert proc.returncode != 0
    assert "unmet dependencies" in proc.stderr


def test_set_and_arch_are_applied(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), "--arch", "x86_64",
        "--set", "RAM_MB=256", "--set", "CONFIG_TEST_FILTER=heap*", check=True)
    text = (out / ".config").read_text()
    assert "CONFIG_ARCH_X86_64=y" in text
    assert "CONFIG_RAM_MB=256" in text
    assert 'CONFIG_TEST_FILTER="heap*"' in text


def test_stale_config_is_refused_then_updated(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    cfg = out / ".config"
    text = cfg.read_text()
    # As if written by an older Kconfig: a symbol since removed, one since added.
    text = text.replace("# CONFIG_DEBUG_POISON is not set\n", "")
    text += "CONFIG_OLD_REMOVED_OPTION=y\n"
    cfg.write_text(text)
    proc = kit("build", "-O", str(out))
    assert proc.returncode != 0
    assert "is from an older Kconfig" in proc.stderr
    assert "new DEBUG_POISON=n" in proc.stderr
    assert "removed OLD_REMOVED_OPTION" in proc.stderr
    assert cfg.read_text() == text  # untouched
    proc = kit("olddefconfig", "-O", str(out), check=True)
    assert "new DEBUG_POISON=n" in proc.stdout
    assert "OLD_REMOVED_OPTION" not in cfg.read_text()
    proc = kit("olddefconfig", "-O", str(out), check=True)
    assert "no changes" in proc.stdout


def test_missing_config_says_how_to_make_one(out: Path):
    proc = kit("build", "-O", str(out))
    assert proc.returncode != 0
    assert "run ./build.py defconfig PRESET first" in proc.stderr


def test_savedefconfig_round_trips(out: Path, tmp_path: Path):
    kit("defconfig", "simpleheap", "-O", str(out), "--set", "RAM_MB=256", check=True)
    kit("savedefconfig", "-O", str(out), check=True)
    minimal = (out / "defconfig").read_text()
    assert "CONFIG_RAM_MB=256" in minimal
    assert "CONFIG_QEMU_TIMEOUT" not in minimal  # defaults are left out
    kconf = config.load_kconfig()
    config.apply(kconf, config.parse_fragment(out / "defconfig"))
    assert kconf.syms["RAM_MB"].str_value == "256"


def test_fragment_syntax_error_names_the_line(tmp_path: Path):
    bad = tmp_path / "bad.config"
    bad.write_text("CONFIG_RAM_MB=64\nthis is not an assignment\n")
    with pytest.raises(KitError, match="bad.config:2: not a SYM=VALUE line"):
        config.parse_fragment(bad)


@pytest.mark.parametrize("edit, message", [
    (("# CONFIG_DEBUG_POISON is not set", "CONFIG_DEBUG_POISON=yes"),
     "DEBUG_POISON=yes: 'yes' is not a valid bool (y or n)"),
    (("CONFIG_RAM_MB=128", "CONFIG_RAM_MB=99999"),
     "RAM_MB=99999: 99999 is out of range [32, 8192]"),
    (("CONFIG_RAM_MB=128", "CONFIG_RAM_MB=lots"), "RAM_MB=lots: 'lots' is not a valid int"),
])
@pytest.mark.parametrize("command", ["build", "olddefconfig"])
def test_hand_corrupted_value_is_named_not_called_stale(out: Path, edit, message: str,
                                                        command: str):
    """An invalid value is not 'from an older Kconfig', and olddefconfig does not
    silently replace it with the default."""
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    cfg = out / ".config"
    assert edit[0] in cfg.read_text()
    text = cfg.read_text().replace(edit[0], edit[1])
    cfg.write_text(text)
    proc = kit(command, "-O", str(out))
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr
    assert "older Kconfig" not in proc.stderr
    assert cfg.read_text() == text
    assert not (out / "build.ninja").exists()


def test_olddefconfig_set_repairs_a_corrupted_value(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    cfg = out / ".config"
    cfg.write_text(cfg.read_text().replace("CONFIG_RAM_MB=128", "CONFIG_RAM_MB=99999"))
    proc = kit("olddefconfig", "-O", str(out), "--set", "RAM_MB=256", check=True)
    assert proc.stdout.strip().endswith("RAM_MB=256 (--set)")
    assert "CONFIG_RAM_MB=256" in cfg.read_text()


@pytest.mark.parametrize("command", ["build", "olddefconfig", "test", "savedefconfig"])
def test_config_that_is_not_utf8_is_one_line(out: Path, command: str):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    cfg = out / ".config"
    data = cfg.read_bytes().replace(b"CONFIG_RAM_MB=128", b"CONFIG_RAM_MB=\xff\xfe")
    cfg.write_bytes(data)
    line = data.split(b"\n").index(b"CONFIG_RAM_MB=\xff\xfe") + 1
    proc = kit(command, "-O", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith("build.py: error: ") and len(proc.stderr.splitlines()) == 1
    assert "not UTF-8" in proc.stderr and f".config:{line}:" in proc.stderr, proc.stderr
    assert cfg.read_bytes() == data and not (out / "build.ninja").exists()


@pytest.mark.parametrize("command", ["build", "olddefconfig"])
def test_config_that_is_a_directory_is_one_line(out: Path, command: str):
    (out / ".config").mkdir(parents=True)
    proc = kit(command, "-O", str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith("build.py: error: ") and len(proc.stderr.splitlines()) == 1
    assert "is a directory" in proc.stderr, proc.stderr
    assert (out / ".config").is_dir()


def test_smp_and_nr_cpus(out: Path):
    """SMP alone means 4 CPUs; NR_CPUS goes up to 8 with it, never past."""
    kit("defconfig", "twotier", "-O", str(out), "--set", "SMP=y", check=True)
    assert "CONFIG_NR_CPUS=4" in (out / ".config").read_text()
    kit("defconfig", "twotier", "-O", str(out), "--set", "SMP=y", "--set", "NR_CPUS=8",
        check=True)
    assert "CONFIG_NR_CPUS=8" in (out / ".config").read_text()
    proc = kit("defconfig", "twotier", "-O", str(out), "--set", "SMP=y", "--set", "NR_CPUS=9")
    assert proc.returncode != 0
    assert "NR_CPUS=9 not applied: 9 is out of range [1, 8]" in proc.stderr
    kit("defconfig", "twotier", "-O", str(out), check=True)
    assert "CONFIG_NR_CPUS=1" in (out / ".config").read_text()
# --- object pools (core/mm/Kconfig.pool) --------------------------------------------

@pytest.mark.parametrize("extra, message", [
    ("inode:384:128", "POOL_EXTRA: 'inode:384:128' is not name:size:count:reserve"),
    ("inode:384:128:16:1", "POOL_EXTRA: 'inode:384:128:16:1' is not name:size:count:reserve"),
    ("in-ode:64:8:0", "POOL_EXTRA: 'in-ode:64:8:0': 'in-ode' is not a C identifier"),
    ("9lives:64:8:0", "'9lives' is not a C identifier"),
    ("_x:64:8:0", "'_x' is not a C identifier"),
    ("a_pool_name_far_too_long:64:8:0", "is not a C identifier of at most 20 characters"),
    ("proc:64:8:0", "POOL_EXTRA: 'proc:64:8:0': 'proc' is one of the built-in pools"),
    ("socket:64:8:0", "'socket' is one of the built-in pools"),
    ("inode:64:8:0 dentry:32:4:4 inode:32:8:0",
     "POOL_EXTRA: 'inode:32:8:0': pool 'inode' is listed twice"),
    ("inode:0:8:0", "POOL_EXTRA: 'inode:0:8:0': pool 'inode' has size 0"),
    ("inode:-1:8:0", "POOL_EXTRA: 'inode:-1:8:0': the size '-1' is not a non-negative integer"),
    ("inode:64:x:0", "the count 'x' is not a non-negative integer"),
    ("inode:64:8:", "the reserve '' is not a non-negative integer"),
    ("inode:32761:1:0", "pool 'inode': size 32761 is larger than the largest pool object "
                        "(32760 bytes)"),
    ("inode:64:8:9", "POOL_EXTRA: 'inode:64:8:9': pool 'inode': reserve 9 is larger than "
                     "its count 8"),
    ("big:4096:100000:0", "POOL_EXTRA: 'big:4096:100000:0': pool 'big': the pools' "
                          "preallocated objects need up to"),
])
def test_bad_pool_entries_are_refused(out: Path, extra: str, message: str):
    proc = kit("defconfig", "twotier-pools", "-O", str(out), "--set", f"POOL_EXTRA={extra}")
    assert proc.returncode != 0
    assert message in proc.stderr
    assert proc.stderr.startswith("build.py: error: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (out / ".config").exists()


@pytest.mark.parametrize("preset, settings, message", [
    ("twotier-pools", ["POOL_PROC_RESERVE=65"],
     "POOL_PROC_*: pool 'proc': reserve 65 is larger than its count 64"),
    ("twotier-pools", ["POOL_FILE_SIZE=40000"],
     "POOL_FILE_SIZE=40000 not applied: 40000 is out of range [1, 32760]"),
    ("twotier-pools", ["POOL_THREAD_COUNT=65536", "POOL_THREAD_SIZE=32760", "RAM_MB=32"],
     "POOL_THREAD_*: pool 'thread': the pools' preallocated objects need up to"),
    ("simpleheap", ["POOLS=y", "SIMPLEHEAP_SIZE_KB=64"],
     "more than half of the SimpleHeap region (32 KiB)"),
    ("twotier", ["POOL_EXTRA=inode:64:8:0"], "unmet dependencies: depends on POOLS"),
])
def test_pools_that_do_not_fit_are_refused(out: Path, preset: str, settings: list[str],
                                           message: str):
    expect_refused(out, preset, settings, message)


def test_good_pool_entries_become_typed_pools(out: Path):
    from kit import generate, pools
    kit("defconfig", "twotier-pools", "-O", str(out), "--set", "POOL_SOCKET=n",
        "--set", "POOL_EXTRA=inode:384:128:16  dentry:20:0:0 Big_1:4096:2:2", check=True)
    generate.generate(out)
    text = (out / "gen" / "pool_types.h").read_text()
    rows = [line.strip().rstrip(" \\") for line in text.splitlines()
            if line.strip().startswith("X(")]
    assert rows == ["X(proc, struct proc_obj, 1024, 64, 64, 8)",
                    "X(file, struct file_obj, 256, 64, 256, 32)",
                    "X(thread, struct thread_obj, 512, 64, 128, 16)",
                    "X(inode, struct inode_obj, 384, 64, 128, 16)",
                    "X(dentry, struct dentry_obj, 20, 8, 0, 0)",
                    "X(Big_1, struct Big_1_obj, 4096, 64, 2, 2)"]
    assert "#define POOL_NR_TYPES 6" in text
    # Alignment: the largest power of two dividing the size, a word to a cache line.
    assert [pools.alignment(n) for n in (1, 20, 24, 48, 96, 128, 4096)] == \
        [8, 8, 8, 16, 32, 64, 64]


def test_no_pools_no_pool_header(out: Path):
    from kit import generate
    kit("defconfig", "twotier", "-O", str(out), check=True)
    generate.generate(out)
    assert not (out / "gen" / "pool_types.h").exists()
