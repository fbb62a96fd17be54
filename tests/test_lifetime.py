"""No child of the kit outlives it: QEMU and the host test program end when
build.py ends, whether it is interrupted (SIGINT to build.py alone, not to
its process group) or killed outright (SIGKILL: nothing in build.py runs)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, kit


def children(pid: int) -> dict[int, str]:
    """pid -> command name of every process whose parent is ``pid``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == pid:
            found[int(entry.name)] = comm
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's reaper may be slow to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.fixture(scope="module")
def hanging(tmp_path_factory) -> Path:
    """A variant whose test image (and host program) never ends on its own."""
    out = tmp_path_factory.mktemp("lifetime") / "hang"
    kit("defconfig", "simpleheap", "--set", "TEST_HANG=y", "--set", "QEMU_TIMEOUT=300",
        "-O", str(out), check=True)
    kit("build", "-O", str(out), check=True)
    return out


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("where, child", [([], "qemu-system"), (["--host"], "ktest")],
                         ids=["qemu", "host"])
def test_child_ends_with_the_kit(hanging: Path, how: int, where: list[str], child: str):
    kit_proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "test", *where,
                                 "-O", str(hanging)], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pid = None
    try:
        deadline = time.monotonic() + 120          # the host program may need building
        while pid is None and time.monotonic() < deadline and kit_proc.poll() is None:
            pid = next((p for p, comm in children(kit_proc.pid).items()
                        if comm.startswith(child)), None)
            time.sleep(0.1)
        assert pid is not None, f"no {child} child of build.py appeared"
        time.sleep(0.5)                              # let it get going
        os.kill(kit_proc.pid, how)
        _, err = kit_proc.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(pid), f"{child} (pid {pid}) outlived build.py"
        if how == signal.SIGINT:
            assert kit_proc.returncode == 130
            assert err == "build.py: error: interrupted\n"
    finally:
        if kit_proc.poll() is None:
            kit_proc.kill()
            kit_proc.wait()
        if pid is not None and running(pid):
            os.kill(pid, signal.SIGKILL)


def test_stop_all_ends_children_and_refuses_new_ones(monkeypatch):
    """What an interrupted matrix does: its threads' children end, no more start."""
    from kit import procs
    from kit.errors import KitError
    monkeypatch.setattr(procs, "_stopping", False)
    monkeypatch.setattr(procs, "_live", set())
    sleeper = procs.start(["sleep", "300"])
    procs.stop_all()
    assert sleeper.poll() is not None and not running(sleeper.pid)
    with pytest.raises(KitError, match="interrupted"):
        procs.start(["sleep", "300"])


def test_cpu_limit_ends_a_runaway_child():
    """The backstop where the kit cannot act: the kernel ends the child."""
    from kit import procs
    proc = procs.run([sys.executable, "-c", "while True: pass"], cpu_seconds=1, timeout=60)
    assert proc.returncode == -signal.SIGXCPU


def test_default_signals_undo_an_inherited_ignore():
    """A kit started with & from a script inherits SIGINT ignored, and exec
    passes that on: CPython then installs no KeyboardInterrupt handler and
    test_threading's interrupt_main() tests fail (kit/cpython_tests.py asks
    for SIGINT at its default action)."""
    from kit import procs

    def ignored(**kwargs) -> int:
        out = procs.run(["cat", "/proc/self/status"], stdout=subprocess.PIPE, text=True,
                        timeout=30, **kwargs).stdout
        return int(out.split("SigIgn:")[1].split()[0], 16)

    sigint = 1 << (signal.SIGINT - 1)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert ignored() & sigint   # inherited, as a shell's & would leave it
        assert not ignored(default_signals=(signal.SIGINT,)) & sigint
    finally:
        signal.signal(signal.SIGINT, before)


def test_ctrl_c_in_the_first_half_second_is_one_line(tmp_path: Path):
    """SIGINT while build.py imports, parses Kconfig or starts Ninja: one line,
    status 130, never a traceback.  (Before the interpreter has set up its
    own handler, some ten milliseconds, the default action of SIGINT ends the
    process silently; the offsets start after that.)"""
    out = tmp_path / "v"
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    for ms in range(50, 500, 50):
        # Each launch compiles from nothing: an interrupted build keeps what
        # it finished, and with ccache warm the ninth could end in 450 ms.
        shutil.rmtree(out / "obj", ignore_errors=True)
        proc = subprocess.Popen([str(ROOT / "build.py"), "build", "-O", str(out)], cwd=ROOT,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(ms / 1000)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert (proc.returncode, err) == (130, "build.py: error: interrupted\n"), f"at {ms} ms"
