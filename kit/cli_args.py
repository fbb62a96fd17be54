"""argparse as build.py uses it: a usage mistake is one line, like every error.

argparse prints the whole usage and a message on two or more lines; kbuild
users expect one line naming the mistake and what would have been valid.
OneLineParser.error() prints ``build.py: error: <message>`` and exits 2
(argparse's status for a usage error); the choices are named in the
message, and ``build.py COMMAND --help`` still prints the full usage.
"""
from __future__ import annotations

import argparse
import os
import sys

USAGE_ERROR = 2


class Formatter(argparse.HelpFormatter):
    """argparse's help layout, with the width taken from os, not shutil:
    argparse makes a formatter for every argument it defines, and shutil
    would be imported for it, which a no-op build does not need."""

    def __init__(self, prog: str, **kwargs) -> None:
        if kwargs.get("width") is None:
            try:
                columns = int(os.environ.get("COLUMNS", "0")) or \
                    os.get_terminal_size(sys.stdout.fileno()).columns
            except (OSError, ValueError):
                columns = 80
            kwargs["width"] = columns - 2
        super().__init__(prog, **kwargs)


class OneLineParser(argparse.ArgumentParser):
    # Set on a command's parser: what to name when its positional is missing.
    missing_hint = None

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # argparse's hook for every usage mistake
        text = _plain(message)
        if text.startswith("the following arguments are required: COMMAND"):
            text = f"no command given (valid: {', '.join(self.commands())})"
        elif text.startswith("the following arguments are required") and self.missing_hint:
            text += f" ({self.missing_hint()})"
        print(f"{self.prog.split()[0]}: error: {text}", file=sys.stderr)
        sys.exit(USAGE_ERROR)

    def commands(self) -> list[str]:
        return [name for action in self._actions
                if isinstance(action, argparse._SubParsersAction)
                for name in action.choices]


def _plain(message: str) -> str:
    """argparse's message on one line, choices listed without quotes."""
    text = " ".join(message.split())
    head, sep, choices = text.partition(" (choose from ")
    if sep:
        text = f"{head} (valid: {choices.replace(chr(39), '')}"
    return text


def positive_int(text: str) -> int:
    """A count such as -j N: a whole number of at least 1."""
    try:
        value = int(text, 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return value


def any_int(text: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
