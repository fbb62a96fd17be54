"""kit/fixdep.py: depfiles narrowed from autoconf.h to the symbols used."""
from pathlib import Path

from kit import fixdep


def make_tree(tmp_path: Path) -> Path:
    gen = tmp_path / "gen"
    (gen / "config").mkdir(parents=True)
    (gen / "autoconf.h").write_text("#define CONFIG_A 1\n#define CONFIG_B 1\n")
    for name in ("A", "B", "C"):
        (gen / "config" / name).write_text("y\n")
    return gen


def test_autoconf_replaced_by_the_symbols_mentioned(tmp_path: Path):
    gen = make_tree(tmp_path)
    src = tmp_path / "x.c"
    hdr = tmp_path / "x.h"
    src.write_text('#include "x.h"\n#ifdef CONFIG_A\n#endif\n')
    hdr.write_text("/* CONFIG_C in a comment still counts */\n")
    raw = f"x.o: {src} {gen}/autoconf.h \\\n {hdr}\n"
    target, deps = fixdep.parse(fixdep.fix(raw, str(gen)))
    assert target == "x.o"
    assert deps == [str(src), str(hdr), f"{gen}/config/A", f"{gen}/config/C"]


def test_autoconf_named_relative_to_the_build_directory(tmp_path: Path, monkeypatch):
    """ccache names headers relative to the build directory, where Ninja runs
    fixdep: gen/autoconf.h is still autoconf.h, not a header naming every symbol."""
    gen = make_tree(tmp_path)
    src = tmp_path / "x.c"
    src.write_text("#ifdef CONFIG_A\n#endif\n")
    monkeypatch.chdir(tmp_path)
    _, deps = fixdep.parse(fixdep.fix(f"x.o: x.c gen/autoconf.h\n", str(gen)))
    assert deps == ["x.c", f"{gen}/config/A"]


def test_a_missing_stamp_keeps_its_dependency(tmp_path: Path):
    """A deleted stamp must not drop the dependency (the regen edge writes it
    again); a name Kconfig does not define gets an 'undefined' stamp, so the
    object rebuilds if Kconfig comes to define it."""
    gen = make_tree(tmp_path)
    (gen / "config" / "A").unlink()
    src = tmp_path / "x.c"
    src.write_text("CONFIG_A CONFIG_NOT_IN_KCONFIG\n")
    _, deps = fixdep.parse(fixdep.fix(f"x.o: {src}\n", str(gen)))
    assert deps == [str(src), f"{gen}/config/A", f"{gen}/config/NOT_IN_KCONFIG"]
    assert (gen / "config" / "NOT_IN_KCONFIG").read_text() == fixdep.UNDEFINED
    assert (gen / "config" / "B").read_text() == "y\n"          # others untouched


def test_escaped_spaces_survive(tmp_path: Path):
    gen = make_tree(tmp_path)
    src = tmp_path / "a b.c"
    src.write_text("int CONFIG_B_x;\n")   # CONFIG_B_x is another name: not B
    raw = f"x.o: {str(src).replace(' ', chr(92) + ' ')}\n"
    _, deps = fixdep.parse(fixdep.fix(raw, str(gen)))
    assert deps == [str(src), f"{gen}/config/B_x"]


def test_main_replaces_the_raw_depfile(tmp_path: Path):
    gen = make_tree(tmp_path)
    src = tmp_path / "y.c"
    src.write_text("CONFIG_B\n")
    raw = tmp_path / "y.o.d.raw"
    raw.write_text(f"y.o: {src} {gen}/autoconf.h\n")
    out = tmp_path / "y.o.d"
    assert fixdep.main(["fixdep.py", str(raw), str(out), str(gen)]) == 0
    assert not raw.exists()
    assert fixdep.parse(out.read_text())[1] == [str(src), f"{gen}/config/B"]


def test_not_a_depfile_is_an_error(tmp_path: Path, capsys):
    gen = make_tree(tmp_path)
    raw = tmp_path / "bad.d.raw"
    raw.write_text("garbage\n")
    assert fixdep.main(["fixdep.py", str(raw), str(tmp_path / "bad.d"), str(gen)]) == 1
    assert "fixdep:" in capsys.readouterr().err
    assert not (tmp_path / "bad.d").exists()
