#!/usr/bin/python3
"""mmkit's command line.  All the logic is in kit/; see ./build.py --help.

The shebang names Debian's interpreter on purpose: it is the one that sees
python3-kconfiglib and python3-jinja2 (a pyenv python3 first on PATH does not).
"""
import sys

from kit.cli import main

if __name__ == "__main__":
    sys.exit(main())
