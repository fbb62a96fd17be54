"""Per-architecture facts the kit needs: toolchain, flags, QEMU, exit codes.

Data only; build.ninja.j2 and kit/qemu.py read it.  The facts behind each
value are in the comments here and in arch/<arch>/ (the load address, for
one, is the linker script's arch/<arch>/kernel.ld).
"""
from __future__ import annotations

from .errors import KitError

# Shared by every kernel image.  -fmacro-prefix-map makes __FILE__ (KTAP
# failure messages) relative to the source tree.  -g is Kconfig DEBUG_INFO's
# (kit/generate.py).  No frame pointers: the kernel never walks its stack (a
# call site is __builtin_return_address(0)), gdb unwinds from the
# .debug_frame that -g writes, and on riscv64 GCC 12 (no
# -momit-leaf-frame-pointer) a frame costs a leaf fast path such as
# alloc_pages() five of its twenty-odd instructions.
KERNEL_CFLAGS = [
    "-std=c11", "-ffreestanding", "-nostdlib", "-fno-pic", "-fno-stack-protector",
    "-fomit-frame-pointer", "-fno-asynchronous-unwind-tables", "-O2",
    "-Wall", "-Wextra", "-Werror",
]

# Added after KERNEL_CFLAGS for kernel-cov's instrumented objects (Kconfig
# COVERAGE): -O0 because at -O2 small functions vanish into their callers
# and lines lose their counts; MMKIT_COVERAGE_IMAGE makes kernel_exit()
# send the counters.  Per-arch additions are Arch.coverage_cflags.
# -fprofile-info-section: each object's gcov_info is listed in .gcov_info
# for core/lib/gcov.c and libgcov's __gcov_info_to_gcda() (no constructors).
COVERAGE_CFLAGS = ["--coverage", "-fprofile-info-section", "-O0", "-DMMKIT_COVERAGE_IMAGE"]


class Arch:
    """One arch's facts (a plain class, not a dataclass: a no-op build reads
    it, and importing dataclasses costs more than that whole build may)."""

    def __init__(self, name: str, kconfig_symbol: str, src_dir: str, cc: str, objcopy: str,
                 cflags: list[str], ldflags: list[str], qemu: str, qemu_machine: list[str],
                 boot_objcopy: list[str] | None = None,
                 coverage_cflags: list[str] | None = None, counter: str = "instret",
                 ram_base: int = 0, zone_ends: dict[str, int] | None = None,
                 clang_flags: list[str] | None = None,
                 clang_ldflags: list[str] | None = None,
                 gnu_ld_only: list[str] | None = None) -> None:
        self.name = name
        self.kconfig_symbol = kconfig_symbol   # the Kconfig choice member selecting it
        self.src_dir = src_dir                 # arch/<src_dir>
        self.cc = cc
        self.objcopy = objcopy
        self.cflags = cflags
        self.ldflags = ldflags
        self.qemu = qemu
        self.qemu_machine = qemu_machine
        # objcopy arguments turning the linked ELF into what QEMU loads; None
        # when QEMU loads the ELF as is.
        self.boot_objcopy = boot_objcopy
        self.coverage_cflags = coverage_cflags or []
        # What arch_instret() reads, for bench reports.  Under -icount
        # shift=0,sleep=off it counts guest instructions either way.
        self.counter = counter
        # Where RAM starts in the physical address space: what the host's
        # arena stands for, so that a variant built for this arch has the
        # same zones natively.
        self.ram_base = ram_base
        # The low zones the arch's devices need, each with the first physical
        # address above it (Kconfig ZONE_DMA / ZONE_DMA32 choose among them).
        self.zone_ends = zone_ends or {}
        # Added to cflags / ldflags when CC is clang (kit/toolchain.py).
        self.clang_flags = clang_flags or []
        self.clang_ldflags = clang_ldflags or []
        # ldflags that only GNU ld takes, dropped when linking with lld.
        self.gnu_ld_only = gnu_ld_only or []

    def __repr__(self) -> str:
        return f"Arch({self.name!r})"

    def boot_file(self, image: str) -> str:
        """The file QEMU boots for an image (run, test, bench, cov): a Ninja target."""
        return f"kernel-{image}.elf32" if self.boot_objcopy else f"kernel-{image}.elf"

    def exit_status(self, rc: int) -> int | None:
        """Guest status from QEMU's exit code; None if no exit device wrote it."""
        if self.name == "x86_64":
            # isa-debug-exit: value v gives rc (v << 1) | 1, so it can never
            # give rc 0.  rc 0 means a triple fault or a reset under
            # -no-reboot: never a pass.
            return (rc - 1) >> 1 if rc & 1 else None
        # sifive_test: 0x5555 gives rc 0, (code << 16) | 0x3333 gives rc code.
        return rc if rc >= 0 else None

    def qemu_command(self, image: str, ram_mb: int, icount: bool = False,
                     cpus: int = 1) -> list[str]:
        """QEMU's command line for @image with @cpus CPUs.

        Several CPUs run under multi-threaded TCG (one host thread per
        CPU), so that they really run at the same time.  -icount is for
        one CPU only: under it a CPU spinning for another one that has no
        timer armed waits forever, and QEMU refuses -icount with
        thread=multi anyway.
        """
        if cpus < 1 or (icount and cpus != 1):
            raise ValueError(f"qemu_command: {cpus} CPUs with icount={icount}")
        cmd = [self.qemu, *self.qemu_machine, "-m", f"{ram_mb}M", "-smp", str(cpus),
               "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-no-reboot", "-kernel", image]
        if cpus > 1:
            cmd += ["-accel", "tcg,thread=multi"]
        if icount:
            # sleep=off: otherwise time the firmware spends idle before the
            # kernel runs is added to the virtual clock and absolute counts vary.
            cmd += ["-icount", "shift=0,sleep=off"]
        return cmd


ARCHES: dict[str, Arch] = {
    "riscv64": Arch(
        name="riscv64",
        kconfig_symbol="ARCH_RISCV64",
        src_dir="riscv",
        cc="riscv64-unknown-elf-gcc",
        objcopy="riscv64-unknown-elf-objcopy",
        cflags=["-march=rv64imac_zicsr_zifencei", "-mabi=lp64", "-mcmodel=medany"],
        # -march/-mabi at link time pick gcc's rv64imac/lp64 multilib of
        # libgcc and libgcov (the compile's _zicsr_zifencei matches none,
        # and the default multilib is hard-float).
        ldflags=["-nostdlib", "-static", "-Wl,--no-warn-rwx-segments", "-march=rv64imac",
                 "-mabi=lp64"],
        qemu="qemu-system-riscv64",
        qemu_machine=["-machine", "virt", "-bios", "default"],
        coverage_cflags=["-fprofile-update=atomic"],
        # QEMU virt puts RAM at 2 GiB; its devices have no 16 MiB limit.
        ram_base=0x8000_0000,
        zone_ends={"DMA32": 1 << 32},
        # clang 14 knows zicsr and zifencei only as part of the base ISA.
        # lld 14 does no linker relaxation: -mno-relax.
        clang_flags=["--target=riscv64-unknown-elf", "-march=rv64imac", "-mno-relax"],
        clang_ldflags=["--target=riscv64-unknown-elf", "-march=rv64imac", "-mabi=lp64",
                       "-fuse-ld=lld"],
        gnu_ld_only=["-Wl,--no-warn-rwx-segments"],
    ),
    "x86_64": Arch(
        name="x86_64",
        kconfig_symbol="ARCH_X86_64",
        src_dir="x86_64",
        cc="gcc",
        objcopy="objcopy",
        cflags=["-m64", "-mno-red-zone", "-mgeneral-regs-only", "-mcmodel=small"],
        ldflags=["-nostdlib", "-static", "-no-pie", "-Wl,-z,max-page-size=0x1000",
                 "-Wl,--build-id=none"],
        qemu="qemu-system-x86_64",
        # qemu64 plus 1 GiB pages (CPUID 0x80000001 EDX.pdpe1gb), which the
        # kernel's page tables use for RAM when the CPU has them.  Not -cpu
        # max: its features follow the QEMU version, the guest should not.
        qemu_machine=["-cpu", "qemu64,+pdpe1gb", "-vga", "none", "-net", "none",
                      "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
        boot_objcopy=["-O", "elf32-i386"],
        # No instret on x86 under TCG: rdtsc, which -icount shift=0 derives
        # from the instruction count (one tick per instruction).
        counter="rdtsc",
        # ISA DMA reaches 16 MiB; 32-bit PCI devices 4 GiB.
        zone_ends={"DMA": 16 << 20, "DMA32": 1 << 32},
    ),
}


def get(name: str) -> Arch:
    try:
        return ARCHES[name]
    except KeyError:
        raise KitError(f"unknown arch '{name}' (valid: {', '.join(ARCHES)})") from None
