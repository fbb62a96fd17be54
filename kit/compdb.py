"""Filter `ninja -t compdb` into the compile_commands.json editors read.

Ninja writes each rule's whole command; for clangd and other tools the
entry must be the compiler call alone: this drops what follows the compile
("&& fixdep ...") and the ccache launcher in front (with its environment).  Run by build.ninja as
`ninja -t compdb ... | python3 -S kit/compdb.py > compile_commands.json`,
so it imports nothing but json and sys.
"""
import json
import sys


def clean(entries: list) -> list:
    out = []
    for entry in entries:
        command = entry["command"].split(" && ", 1)[0].strip()
        first, _, rest = command.partition(" ")
        while "=" in first and not first.startswith("-"):   # CCACHE_BASEDIR=... in front
            first, _, rest = rest.strip().partition(" ")
            command = " ".join((first, rest)).strip()
        if first.endswith("/ccache") or first == "ccache":
            command = rest.strip()
        out.append({**entry, "command": command})
    return out


if __name__ == "__main__":
    json.dump(clean(json.load(sys.stdin)), sys.stdout, indent=2)
    sys.stdout.write("\n")
