"""What a kernel developer reaches for: compile_commands.json, V=1 / -v,
--qemu-args, a gdb stub, CC / CROSS_COMPILE / HOSTCC, and clang."""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import config


@pytest.fixture(scope="module")
def built_riscv(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dev") / "v"
    kit("defconfig", "twotier", "-O", str(out), check=True)
    proc = kit("build", "-v", "-O", str(out), check=True)
    out.joinpath("build-v.txt").write_text(proc.stdout)
    return out


def test_compile_commands_lists_every_kernel_compile(built_riscv: Path):
    entries = json.loads((built_riscv / "compile_commands.json").read_text())
    files = {Path(e["file"]).name for e in entries if e["file"].endswith(".c")}
    assert {"slab.c", "kmalloc.c", "main.c", "ktest.c", "cmdline.c"} <= files
    for e in entries:
        assert set(e) >= {"directory", "command", "file"}
        first = e["command"].split()[0]
        # The compiler itself, not the ccache launcher or what follows "&&".
        assert not first.endswith("ccache") and "&&" not in e["command"], e["command"]
    slab = next(e for e in entries if e["file"].endswith("core/mm/slab.c")
                and "riscv64-unknown-elf-gcc" in e["command"])
    assert "-include" in slab["command"] and "-c" in slab["command"]


def test_verbose_build_shows_the_compiler_commands(built_riscv: Path):
    text = (built_riscv / "build-v.txt").read_text()
    assert re.search(r"riscv64-unknown-elf-gcc .* -c \S+/core/mm/slab\.c -o ", text), text[:2000]
    # V=1 in the environment does the same, as in kbuild: touch one input.
    (built_riscv / "obj" / "core" / "mm" / "slab.c.o").unlink()
    proc = kit("build", "-O", str(built_riscv), env={"V": "1"}, check=True)
    assert re.search(r"gcc .* -c \S+/core/mm/slab\.c -o ", proc.stdout), proc.stdout


@pytest.mark.parametrize("command", ["run", "bench"])
def test_qemu_args_reach_qemu(built_riscv: Path, tmp_path: Path, command: str):
    qlog = tmp_path / "qemu-d.log"      # QEMU opens its -D log at start
    proc = kit(command, "-O", str(built_riscv), "--qemu-args", f"-d guest_errors -D {qlog}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert qlog.exists()


@pytest.mark.skipif(not shutil.which("gdb-multiarch"), reason="gdb-multiarch not installed")
def test_gdb_stub_waits_and_gdb_attaches(built_riscv: Path):
    """--gdb prints a gdb command line; run as printed (in batch mode), gdb
    stops at kmain with the image's symbols and lets the run finish."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "run", "--gdb",
                             "-O", str(built_riscv)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    got_command = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "target remote" in line:
                got_command.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert got_command.wait(120), "".join(lines)
        command = next(ln for ln in lines if "target remote" in ln).strip()
        m = re.match(r"(gdb-multiarch) -q (\S+) -ex 'target remote (localhost:\d+)'", command)
        assert m, command
        assert not any("mmkit:" in ln for ln in lines), "the guest ran before gdb attached"
        gdb = subprocess.run([m.group(1), "-q", "-batch", m.group(2),
                              "-ex", f"target remote {m.group(3)}", "-ex", "break kmain",
                              "-ex", "continue", "-ex", "info symbol $pc", "-ex", "continue"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=120)
        assert "kmain in section .text" in gdb.stdout, gdb.stdout
        assert proc.wait(120) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(10)
    assert any("build.py: run: pass" in ln for ln in lines), "".join(lines)


def test_cross_compile_prefix_and_cc_are_taken_per_build(tmp_path: Path):
    """CROSS_COMPILE names the kernel's gcc; a bad CC is refused by name;
    neither is remembered (as kbuild: a build without it is the default)."""
    out = tmp_path / "v"
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    kit("generate", "-O", str(out), check=True)
    bad = kit("build", "-O", str(out), env={"CC": "no-such-cc-1"})
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "no-such-cc-1" in bad.stderr.strip().splitlines()[-1]
    proc = kit("build", "-O", str(out), env={"CROSS_COMPILE": "riscv64-unknown-elf-"},
               check=True)
    assert "cc = riscv64-unknown-elf-gcc" in (out / "build.ninja").read_text()
    assert "no work to do" not in proc.stdout
    again = kit("build", "-O", str(out), check=True)
    assert "no work to do" in again.stdout or "ninja" in again.stdout


@pytest.mark.skipif(not shutil.which("clang") or not shutil.which("ld.lld"),
                    reason="clang and lld not installed")
@pytest.mark.parametrize("arch", config.ARCHES)
def test_clang_builds_and_passes(arch: str, tmp_path: Path):
    out = tmp_path / arch
    kit("defconfig", "twotier", "--arch", arch, "-O", str(out), check=True)
    proc = kit("test", "-O", str(out), "--filter", "string,cmdline,slab,kmalloc",
               env={"CC": "clang"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert re.search(r"^cc = clang$", (out / "build.ninja").read_text(), re.M)
    assert "FAILED" not in proc.stdout and "failed 0" in proc.stdout
    # The next build without CC= goes back to gcc, and rebuilds.
    back = kit("build", "-O", str(out), check=True)
    assert not re.search(r"^cc = clang$", (out / "build.ninja").read_text(), re.M)
    assert "no work to do" not in back.stdout


@pytest.mark.skipif(not shutil.which("clang"), reason="clang not installed")
def test_hostcc_clang_runs_the_host_suites(tmp_path: Path):
    out = tmp_path / "v"
    kit("defconfig", "twotier", "-O", str(out), check=True)
    proc = kit("test", "--host", "-O", str(out), "--filter", "string,cmdline,slab",
               env={"HOSTCC": "clang"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert re.search(r"^host_cc = clang$", (out / "build.ninja").read_text(), re.M)
    assert "test (host, ASan+UBSan): PASSED" in proc.stdout
