"""The README's workflows, run as written: every command of its Workflows
block (but menuconfig, which needs a terminal: tests/test_menuconfig.py),
in order, with the default output directories (under $MMKIT_BUILD_DIR, so
that the tree's build/ is left alone)."""
from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT, kit


def readme_workflow() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Workflows\n", 1)[1].lstrip("\n").split("\n\n", 1)[0]
    commands = [shlex.split(line.split("#", 1)[0])
                for line in block.splitlines() if line.strip().startswith("./build.py")]
    assert commands, "no ./build.py lines in the README's Workflows block"
    return [c[1:] for c in commands]


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> dict:
    build = tmp_path_factory.mktemp("workflows") / "build"
    env = {"MMKIT_BUILD_DIR": str(build)}
    results = []
    snapshots = {}
    for args in readme_workflow():
        if args[0] == "menuconfig":
            continue
        rv = build / "simpleheap-riscv64" / ".config"
        if rv.exists():
            snapshots.setdefault("riscv64 before x86_64", rv.read_bytes())
        results.append((args, kit(*args, env=env)))
    return {"build": build, "results": results, "snapshots": snapshots}


def result(ran: dict, *args: str):
    return next(proc for a, proc in ran["results"] if a == list(args))


def test_every_workflow_command_succeeds(ran: dict):
    for args, proc in ran["results"]:
        assert proc.returncode == 0, f"./build.py {' '.join(args)}:\n{proc.stdout}{proc.stderr}"


def test_each_arch_gets_its_own_directory(ran: dict):
    build = ran["build"]
    assert result(ran, "defconfig", "simpleheap").stdout == (
        f"configured {build / 'simpleheap-riscv64'}: preset simpleheap for riscv64\n")
    x86 = result(ran, "defconfig", "simpleheap", "--arch", "x86_64", "--set", "RAM_MB=256")
    assert x86.stdout == f"configured {build / 'simpleheap-x86_64'}: preset simpleheap for x86_64\n"
    # The x86_64 variant did not overwrite the riscv64 one.
    riscv = (build / "simpleheap-riscv64" / ".config").read_bytes()
    assert riscv == ran["snapshots"]["riscv64 before x86_64"]
    assert b"CONFIG_ARCH_RISCV64=y" in riscv


def test_commands_without_o_use_the_last_defconfig(ran: dict):
    assert "build.py: test (x86_64): PASSED" in result(ran, "test").stdout
    assert "test (host, ASan+UBSan): PASSED" in result(ran, "test", "--host").stdout
    assert "build.py: run: pass" in result(ran, "run").stdout
    assert re.search(r"^mmkit: x86_64, .*RAM 25\d MiB", result(ran, "run").stdout, re.M)
    assert result(ran, "olddefconfig").stdout.strip().endswith("no changes")
    assert f"written to {ran['build'] / 'simpleheap-x86_64' / 'defconfig'}" in \
        result(ran, "savedefconfig").stdout
    assert "ninja: no work to do." in result(ran, "test", "-v").stdout


def test_clean_removes_only_the_last_variant(ran: dict):
    build = ran["build"]
    assert result(ran, "clean").stdout == f"removed {build / 'simpleheap-x86_64'}\n"
    assert not (build / "simpleheap-x86_64").exists()
    assert (build / "simpleheap-riscv64" / ".config").is_file()
