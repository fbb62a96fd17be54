"""The kernel suites pass at every option's range ends, not only at the
presets' defaults.

Each configuration below is a preset with settings a user may choose:
the smallest and largest RAM, region, buddy order, per-CPU list and
transaction record count Kconfig allows, a single size class and the
largest one, every slab check level, colouring, poisoning, no per-CPU
lists, misuse that panics, one CPU and eight under SMP, the vmap area's
size at its ends, object pools in every mode, the compressed page
store's smallest and largest limit, largest acceleration and every
trigger, the hugepage pool's counts at their ends, TLSF's second-level
index and region at their ends, guard sampling's interval and pool at
theirs.  The suites run
natively under ASan/UBSan (the host build of the same code): they derive
their sizes from the configuration, and a case that cannot apply skips
and says why.
"""
from pathlib import Path

import pytest

from conftest import kit

def long(row: tuple) -> tuple:
    """A row of the long run (MMKIT_LONG=1, the workflow's long job): the
    default run keeps each axis's first row, so .ci/run stays in budget."""
    return row + ("long",)


CONFIGS = [
    ("simpleheap", ["SIMPLEHEAP_SIZE_KB=64", "RAM_MB=32"]),
    ("simpleheap", ["RAM_MB=2048", "SIMPLEHEAP_SIZE_KB=1048576", "TXN_MAX_RECORDS=65536"]),
    ("twotier", ["KMALLOC_CLASSES=24 40 200 1000 4000"]),
    ("twotier", ["KMALLOC_CLASSES=8", "SLAB_CHECKS_FULL=y"]),
    ("twotier", ["KMALLOC_CLASSES=32768", "SLAB_MIN_OBJECTS=32", "TXN_MAX_RECORDS=16"]),
    ("twotier", ["PCP=n", "SLAB_MIN_OBJECTS=1"]),
    ("twotier", ["SLAB_COLOURING=y", "SLAB_KEEP_EMPTY=0", "PCP_PAGES=2"]),
    ("twotier", ["SLAB_KEEP_EMPTY=64", "PCP_PAGES=1024"]),
    ("twotier", ["DEBUG_POISON=y"]),
    ("twotier", ["MM_PANIC_ON_MISUSE=y"]),
    ("twotier", ["BUDDY_MAX_ORDER=18", "RAM_MB=2048"]),
    ("hybrid", ["BUDDY_MAX_ORDER=4", "SIMPLEHEAP_SIZE_KB=64"]),
    ("twotier-bitmap", ["SLAB_CHECKS_OFF=y", "RAM_MB=32"]),
    ("hybrid-bitmap", ["SLAB_CHECKS_FULL=y", "DEBUG_POISON=y", "SLAB_COLOURING=y"]),
    # Memory debugging: the largest class debugging leaves, each option
    # alone at the release check level, and fault injection in every mode
    # (its suite runs the API at 1%, 10% and 50%).
    ("twotier", ["KMALLOC_CLASSES=32720", "DEBUG_REDZONE=y", "DEBUG_OWNER=y",
                 "DEBUG_LEAK=y"]),
    long(("twotier-bitmap", ["DEBUG_REDZONE=y", "DEBUG_PAGE_POISON=y", "PCP=n"])),
    long(("simpleheap", ["FAULT_INJECTION=y", "FAULT_INJECTION_SEED=2147483647"])),
    ("hybrid-debug", ["FAULT_INJECTION=y", "FAULT_INJECTION_SEED=1"]),
    long(("twotier-pools", ["FAULT_INJECTION=y", "DEBUG_OWNER=y", "DEBUG_LEAK=y"])),
    # Guard sampling at its ends: every call into a one-page pool, and the
    # rarest sample into the largest pool.
    ("simpleheap", ["VMAP=y", "DEBUG_GUARD=y", "DEBUG_GUARD_INTERVAL=1",
                    "DEBUG_GUARD_POOL_PAGES=1", "DEBUG_OWNER=y"]),
    long(("twotier-vmap", ["DEBUG_GUARD=y", "DEBUG_GUARD_INTERVAL=1000000",
                           "DEBUG_GUARD_POOL_PAGES=4096"])),
    # SMP at NR_CPUS's ends: the runtime on one CPU (locks stay barriers),
    # and eight CPUs (threads here) with the lock debugging on, with each
    # kind of spinlock (twotier-smp keeps ticket locks; the default is
    # test and set).
    long(("twotier", ["SMP=y", "NR_CPUS=1"])),
    ("twotier-smp", ["NR_CPUS=8", "DEBUG_SPINLOCK=y"]),
    ("twotier", ["SMP=y", "NR_CPUS=8", "DEBUG_SPINLOCK=y"]),
    ("twotier-vmap", ["VMAP_SIZE_MB=16"]),
    long(("twotier-vmap", ["VMAP_SIZE_MB=65536", "RAM_MB=32", "BUDDY_MAX_ORDER=4"])),
    long(("simpleheap", ["VMAP=y", "RAM_MB=32", "SIMPLEHEAP_SIZE_KB=64"])),
    # The hugepage pool at its counts' ends (and none), automatic selection
    # off and at its largest threshold.
    ("twotier-huge", ["HUGEPAGES_2M=2048", "HUGEPAGES_1G=0", "RAM_MB=8192",
                      "VMAP_SIZE_MB=8192", "HUGEPAGE_AUTO_KB=4194304"]),
    long(("twotier-huge", ["HUGEPAGES_2M=0", "HUGEPAGES_1G=4", "RAM_MB=8192",
                           "VMAP_SIZE_MB=65536", "HUGEPAGE_AUTO_KB=0"])),
    # Compaction alone, with a pageblock that is the buddy's smallest largest block.
    long(("twotier", ["COMPACTION=y", "BUDDY_MAX_ORDER=4"])),
    # Object pools: on kmalloc's heap (SimpleHeap, exact state words), with
    # exact checks and poisoning on slabs, and at the magazine size's ends.
    ("simpleheap", ["POOLS=y", "POOL_EXTRA=inode:40:96:8 tiny:1:16:16"]),
    ("twotier-pools", ["SLAB_CHECKS_FULL=y", "DEBUG_POISON=y", "POOL_MAGAZINE_SIZE=1"]),
    long(("hybrid", ["POOLS=y", "SLAB_CHECKS_OFF=y", "POOL_MAGAZINE_SIZE=256"])),
    # The compressed page store: the smallest store in the smallest RAM
    # with same-filled detection off and the late trigger; the largest
    # store with the early trigger and lock debugging; and without SMP
    # (no tick) at the largest acceleration, where only same-filled
    # pages fit a slot.
    ("twotier-zstore", ["ZSTORE_LIMIT_KB=64", "ZSTORE_SAME_FILLED=n", "ZSTORE_TRIGGER_MIN=y",
                        "RAM_MB=32"]),
    long(("twotier-zstore", ["ZSTORE_LIMIT_KB=262144", "RAM_MB=1024", "ZSTORE_TRIGGER_HIGH=y",
                             "DEBUG_SPINLOCK=y"])),
    long(("simpleheap", ["ZSTORE=y", "ZSTORE_ACCELERATION=65537"])),
    # TLSF at its second-level index's ends (1: two lists per power of two,
    # 5: the preset's 32) and its region's, and with every debug option and
    # fault injection (its heap class).
    ("tlsf", ["TLSF_SL_INDEX_BITS=1", "TLSF_SIZE_KB=64", "RAM_MB=32"]),
    long(("tlsf", ["TLSF_SL_INDEX_BITS=5", "TLSF_SIZE_KB=1048576", "RAM_MB=2048"])),
    long(("tlsf-debug", ["FAULT_INJECTION=y", "FAULT_INJECTION_SEED=3"])),
]


@pytest.mark.parametrize("preset, settings", [
    pytest.param(r[0], r[1], marks=pytest.mark.long) if len(r) > 2 else (r[0], r[1])
    for r in CONFIGS], ids=[f"{r[0]}:{','.join(r[1])}" for r in CONFIGS])
def test_suites_pass_on_host(preset: str, settings: list[str], tmp_path: Path):
    out = tmp_path / "v"
    args = ["defconfig", preset, "-O", str(out)]
    for s in settings:
        args += ["--set", s]
    kit(*args, check=True)
    proc = kit("test", "--host", "-O", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "test (host, ASan+UBSan): PASSED" in proc.stdout
