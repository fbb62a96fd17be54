"""Configuration as kbuild does it: defconfig from a fragment's path,
--kconfig fragments merged in order (a conflict names both), KCONFIG_CONFIG,
listnewconfig and oldconfig.  (menuconfig: tests/test_menuconfig.py.)"""
import re
from pathlib import Path

from conftest import kit
from kit import config


def fragment(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def values(out: Path, name: str = ".config") -> dict[str, str]:
    return config.assignments_of((out / name).read_text())


def test_defconfig_takes_a_fragment_path(tmp_path: Path):
    frag = fragment(tmp_path, "mine.config", "# my variant\nCONFIG_RAM_MB=192\nDEBUG_POISON=y\n")
    build = tmp_path / "build"
    proc = kit("defconfig", str(frag), "--arch", "x86_64", env={"MMKIT_BUILD_DIR": str(build)},
               check=True)
    out = build / "mine-x86_64"               # named after the fragment's file
    assert f"configured {out}: fragment {frag} for x86_64" in proc.stdout
    v = values(out)
    assert v["RAM_MB"] == "192" and v["DEBUG_POISON"] == "y" and v["ARCH_X86_64"] == "y"


def test_a_missing_fragment_is_one_line(tmp_path: Path):
    proc = kit("defconfig", str(tmp_path / "nope.config"), "-O", str(tmp_path / "v"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"build.py: error: {tmp_path / 'nope.config'}: no such "
                                   "fragment file (a preset is named without a path: "
                                   + ", ".join(config.presets()) + ")")
    assert not (tmp_path / "v").exists()


def test_kconfig_fragments_merge_in_order(tmp_path: Path):
    a = fragment(tmp_path, "a.config", "CONFIG_RAM_MB=256\nCONFIG_PCP=y\n")
    b = fragment(tmp_path, "b.config", "# CONFIG_PCP is not set\n")   # conflicts with a
    c = fragment(tmp_path, "c.config", "CONFIG_RAM_MB=256\nCONFIG_SLAB_KEEP_EMPTY=3\n")
    out = tmp_path / "v"
    proc = kit("defconfig", "twotier", "--kconfig", str(a), "--kconfig", str(c), "-O", str(out),
               check=True)
    assert f"preset twotier + {a} + {c}" in proc.stdout
    v = values(out)
    assert v["RAM_MB"] == "256" and v["SLAB_KEEP_EMPTY"] == "3" and v["PCP"] == "y"
    # The preset is the base a fragment changes; --set still comes last.
    proc = kit("defconfig", "twotier", "--kconfig", str(c), "--set", "RAM_MB=320",
               "-O", str(out), check=True)
    assert values(out)["RAM_MB"] == "320"

    bad = tmp_path / "bad"
    proc = kit("defconfig", "twotier", "--kconfig", str(a), "--kconfig", str(b),
               "-O", str(bad))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"build.py: error: --kconfig fragments conflict: {a}:2 sets "
                                   f"PCP=y, {b}:1 sets PCP=n")
    assert not bad.exists()


def test_a_fragment_value_kconfig_refuses_names_its_line(tmp_path: Path):
    frag = fragment(tmp_path, "f.config", "CONFIG_RAM_MB=128\nCONFIG_NO_SUCH_SYMBOL=y\n")
    proc = kit("defconfig", "twotier", "--kconfig", str(frag), "-O", str(tmp_path / "v"))
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"build.py: error: {frag}:2: unknown symbol NO_SUCH_SYMBOL"


def test_kconfig_config_names_the_configuration_file(tmp_path: Path):
    out = tmp_path / "v"
    env = {"KCONFIG_CONFIG": "alt.config"}
    kit("defconfig", "simpleheap", "-O", str(out), env=env, check=True)
    assert (out / "alt.config").exists() and not (out / ".config").exists()
    kit("generate", "-O", str(out), env=env, check=True)
    assert f"regen {out / 'alt.config'}" in (out / "build.ninja").read_text()
    text = (out / "alt.config").read_text().replace("CONFIG_RAM_MB=128", "CONFIG_RAM_MB=160")
    (out / "alt.config").write_text(text)
    regen = kit("generate", "-O", str(out), env=env, check=True)
    assert "alt.config changed since the last build: changed RAM_MB=128->160" in regen.stdout
    # Without it the kit looks for .config, and says there is none.
    proc = kit("generate", "-O", str(out))
    assert proc.returncode != 0 and "no configuration" in proc.stderr


def test_listnewconfig_and_oldconfig(tmp_path: Path):
    out = tmp_path / "v"
    kit("defconfig", "twotier", "-O", str(out), check=True)
    assert kit("listnewconfig", "-O", str(out), check=True).stdout == ""
    # A .config from before RAM_MB and SLAB_KEEP_EMPTY existed.
    text = "".join(line for line in (out / ".config").read_text().splitlines(True)
                   if "RAM_MB" not in line and "SLAB_KEEP_EMPTY" not in line)
    (out / ".config").write_text(text)
    listed = kit("listnewconfig", "-O", str(out), check=True).stdout.splitlines()
    assert listed == ["CONFIG_RAM_MB=128", "CONFIG_SLAB_KEEP_EMPTY=1"] or \
        sorted(listed) == ["CONFIG_RAM_MB=128", "CONFIG_SLAB_KEEP_EMPTY=1"]
    # oldconfig asks for each, in Kconfig's order: 256 for RAM_MB, the default for the other.
    import subprocess
    import sys
    from conftest import ROOT
    order = [line.split("=")[0][len("CONFIG_"):] for line in listed]
    answers = "".join("256\n" if name == "RAM_MB" else "\n" for name in order)
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "oldconfig", "-O", str(out)],
                          input=answers, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "oldconfig: " in proc.stdout and "new RAM_MB=256" in proc.stdout
    v = values(out)
    assert v["RAM_MB"] == "256" and v["SLAB_KEEP_EMPTY"] == "1"
    assert (out / ".config").read_text().startswith("# mmkit configuration")
    assert kit("listnewconfig", "-O", str(out), check=True).stdout == ""
    # Out of answers: an error, and the file as it was.
    (out / ".config").write_text(text)
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "oldconfig", "-O", str(out)],
                          input="", text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"build.py: error: oldconfig: no answer (end of input); "
                                   f"{out / '.config'} was not changed")
    assert (out / ".config").read_text() == text


def test_set_on_run_and_test_is_saved_and_says_so(tmp_path: Path):
    """--set on run/test/bench changes the variant's .config (they share
    cli.built()): the kit says it is saved, what changed, and that it stays."""
    out = tmp_path / "v"
    kit("defconfig", "simpleheap", "-O", str(out), check=True)
    proc = kit("run", "-O", str(out), "--set", "RAM_MB=160")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (f"build.py: RAM_MB=160: saved in {out / '.config'} (changed RAM_MB=128->160); "
            "later runs keep it") in proc.stdout
    ram = int(re.search(r"RAM (\d+) MiB", proc.stdout).group(1))   # the guest's own count
    assert 158 <= ram <= 160
    assert values(out)["RAM_MB"] == "160"
    proc = kit("test", "-O", str(out), "--set", "RAM_MB=160", "--filter", "string")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"build.py: RAM_MB=160: already so in {out / '.config'}, nothing changed" in proc.stdout
