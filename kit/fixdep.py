"""fixdep: narrow an object's dependency on the configuration to the
symbols its sources mention.

Every object is compiled with ``-include gen/autoconf.h``, so GCC's depfile
lists autoconf.h and a change of any symbol would rebuild every object.  As
Linux's scripts/basic/fixdep does, this rewrites the depfile: autoconf.h
goes, and in its place comes ``gen/config/<SYMBOL>`` for each
``CONFIG_<SYMBOL>`` that the source or any header it included mentions
(comments included: a few too many dependencies cost a rebuild, one too few
a wrong kernel).  kit/generate.py rewrites ``gen/config/<SYMBOL>`` only when
that symbol's value changes, so an object rebuilds exactly when a symbol it
mentions changed.  Because comments count, prose in widely included headers
names an option "Kconfig FOO", and keeps CONFIG_FOO for code.

Every name mentioned gets its dependency, whether or not a stamp exists
now: a dependency is never dropped because a file is missing.  A missing
stamp of a Kconfig symbol is an output of build.ninja's regen edge, so
Ninja has the generator write it again before anything compiles (and
rebuilds what depended on it, whose input was missing).  A name that is no
Kconfig symbol (yet) gets a stamp saying "undefined", written here; when
Kconfig later defines it, or stops defining a symbol, kit/generate.py
rewrites the stamp and what mentions it rebuilds, as Linux's fixdep
achieves with make's $(wildcard).

Run by build.ninja after each compile, as a script (stdlib only, no kit
imports, so that it starts fast):

    fixdep.py RAW_DEPFILE DEPFILE GEN_DIR

RAW_DEPFILE (GCC's) is removed once DEPFILE is written.
"""
import os
import sys

# No `re` here: fixdep runs once per compile (2,900 times in a cold matrix),
# and importing re (enum, functools, collections...) took most of its
# start-up, as much CPU as a ccache hit.  Plain bytes scanning does the
# same job: a CONFIG_ at the start of a word, then its name characters.
PREFIX = b"CONFIG_"
NAME_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def parse(text: str) -> tuple[str, list[str]]:
    """The first rule of a Make-syntax depfile: its target and prerequisites
    (a prerequisite is anything but blanks, where "\\ " is a blank inside a name)."""
    text = text.replace("\\\n", " ")
    rule = text.split("\n", 1)[0]
    target, sep, deps = rule.partition(": ")
    if not sep:
        raise ValueError("not a depfile rule")
    return target, [t.replace("\0", " ") for t in deps.replace("\\ ", "\0").split()]


def names(data: bytes) -> set[str]:
    """Every NAME of a CONFIG_NAME in ``data`` (bytes) that starts a word."""
    found: set[str] = set()
    size = len(data)
    at = data.find(PREFIX)
    while at >= 0:
        end = at + len(PREFIX)
        while end < size and data[end] in NAME_CHARS:
            end += 1
        if end > at + len(PREFIX) and (at == 0 or data[at - 1] not in NAME_CHARS):
            found.add(data[at + len(PREFIX):end].decode())
        at = data.find(PREFIX, end)
    return found


def symbols(paths: list[str]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        with open(path, "rb") as f:
            found.update(names(f.read()))
    return found


# What a stamp holds for a name that is no Kconfig symbol (kit/generate.py
# writes the same for a stamp whose symbol went away).
UNDEFINED = "undefined\n"


# The mtime of a stamp made here: older than any object, because nothing
# has changed about an undefined name (Ninja takes mtime 0 for "missing").
UNDEFINED_MTIME = 1


def ensure_stamp(path: str) -> None:
    """Create a stamp saying UNDEFINED unless one exists (compiles run in
    parallel: the first creates it, the others find it).  It is dated
    UNDEFINED_MTIME: made after the compile, it must not look newer than
    the object it was made for."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(UNDEFINED)
    os.utime(path, (UNDEFINED_MTIME, UNDEFINED_MTIME))


def fix(raw_text: str, gen: str) -> str:
    target, deps = parse(raw_text)
    autoconf = os.path.join(gen, "autoconf.h")
    # ccache (kit/toolchain.py) may name it relative to the build directory,
    # where Ninja runs this: compare absolute paths.
    kept = [d for d in deps if os.path.abspath(d) != os.path.abspath(autoconf)]
    config_dir = os.path.join(gen, "config")
    stamps = sorted(os.path.join(config_dir, name) for name in symbols(kept))
    if stamps:
        os.makedirs(config_dir, exist_ok=True)
    for stamp in stamps:
        ensure_stamp(stamp)
    lines = [f"{target}: \\"] + [f"  {d.replace(' ', chr(92) + ' ')} \\" for d in kept + stamps]
    return "\n".join(lines).rstrip(" \\") + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: fixdep.py RAW_DEPFILE DEPFILE GEN_DIR", file=sys.stderr)
        return 2
    raw, depfile, gen = argv[1:]
    try:
        with open(raw, encoding="utf-8") as f:
            text = fix(f.read(), gen)
    except (OSError, ValueError) as exc:
        print(f"fixdep: {raw}: {exc}", file=sys.stderr)
        return 1
    tmp = depfile + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, depfile)
    os.unlink(raw)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
