"""menuconfig: Kconfiglib's own menu, driven under tmux as a person would."""
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, kit

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


def screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], text=True,
                          stdout=subprocess.PIPE, check=True).stdout


def wait_for(session: str, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen(session)}")


def keys(session: str, *k: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *k], check=True)


def test_menuconfig_toggles_and_saves(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    kit("generate", "-O", str(out), check=True)   # what the last build saw
    header = (out / ".config").read_text().splitlines()[0]
    session = f"mmkit-mc-{out.parent.name}"
    done = out.parent / "menuconfig.rc"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    f"cd {ROOT} && ./build.py menuconfig -O {out}; echo $? > {done}"],
                   check=True)
    try:
        wait_for(session, "mmkit allocator variant")
        assert "Memory management  --->" in screen(session)
        keys(session, "/")
        keys(session, "DEBUG_POISON")
        keys(session, "Enter")
        wait_for(session, "[ ] Poison freed slab objects and heap blocks")
        keys(session, " ")
        wait_for(session, "[*] Poison freed slab objects and heap blocks")
        keys(session, "Q")
        wait_for(session, "Save configuration?")
        keys(session, "Y")
        deadline = time.monotonic() + 10
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
    assert done.read_text().strip() == "0"
    assert "CONFIG_DEBUG_POISON=y" in (out / ".config").read_text()
    # The kit's header line stays (not Kconfiglib's own).
    assert (out / ".config").read_text().splitlines()[0] == header
    assert header.startswith("# mmkit configuration")
    # The next build (its regenerate step) says what menuconfig changed.
    regen = kit("generate", "-O", str(out), check=True)
    assert f"build.py: {out / '.config'} changed since the last build: " \
        "changed DEBUG_POISON=n->y" in regen.stdout, regen.stdout
    # The saved file is current: a build would not call it stale.
    assert kit("olddefconfig", "-O", str(out), check=True).stdout.strip().endswith("no changes")


def test_menuconfig_without_a_terminal_is_refused(out: Path):
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    proc = kit("menuconfig", "-O", str(out))
    assert proc.returncode != 0
    assert "menuconfig needs a terminal" in proc.stderr


def test_menuconfig_shows_the_zone_options_with_help(out: Path):
    """The zones menu lists every zone option, and '?' shows an option's help."""
    kit("defconfig", "twotier-zones", "--arch", "x86_64", "-O", str(out), check=True)
    session = f"mmkit-mcz-{out.parent.name}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    f"cd {ROOT} && ./build.py menuconfig -O {out}"], check=True)
    try:
        wait_for(session, "mmkit allocator variant")
        keys(session, "/")
        keys(session, "ZONE_DMA32")
        keys(session, "Enter")
        shown = wait_for(session, "[*] DMA32 zone (below 4 GiB)")
        for prompt in ("[*] DMA zone (below 16 MiB)", "Lowmem reserve ratio of the DMA zone",
                       "Lowmem reserve ratio of the DMA32 zone",
                       "Free memory kept in reserve (KiB; 0: Linux's default)",
                       "Watermark gap (in 1/10000 of a zone)"):
            assert prompt in shown, shown
        keys(session, "?")
        helped = wait_for(session, "Name: ZONE_DMA32")
        assert "Help:" in helped
        assert "Keep physical memory below 4 GiB as its own zone" in helped
        assert "Menu path: (Top) -> Memory management -> Zones and watermarks" in helped
        keys(session, "Escape")
        keys(session, "Q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
