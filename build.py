#!/usr/bin/python3 -S
"""mmkit's command line.  All the logic is in kit/; see ./build.py --help.

The shebang names Debian's interpreter on purpose: it is the one that sees
python3-kconfiglib and python3-jinja2 (a pyenv python3 first on PATH does not).

Ctrl-C must end with one line and status 130 at any moment, never with a
traceback.  Until kit.cli.main() runs (which turns Ctrl-C into cleanup of
the kit's children and that line), a Ctrl-C just says so and exits: while
Python imports, a KeyboardInterrupt can land inside importlib's own
callbacks, where Python prints it and carries on.  -S defers the site
module (the directories with kconfiglib and jinja2) until that handler is
in place; run as `python3 build.py`, site is already loaded and nothing
changes.
"""
import sys

import _signal      # built in, as is posix: importing them loads nothing
import posix


def interrupted(signum, frame):
    """SIGINT while starting up or shutting down: no child runs, nothing to undo."""
    posix.write(2, b"build.py: error: interrupted\n")
    posix._exit(130)


if __name__ == "__main__":
    _signal.signal(_signal.SIGINT, interrupted)
    if sys.flags.no_site:
        import site
        site.main()
    from kit.cli import main
    status = main()
    _signal.signal(_signal.SIGINT, interrupted)
    sys.exit(status)
