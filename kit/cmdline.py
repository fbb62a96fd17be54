"""The kernel command line the kit passes for one run (QEMU -append; the
host build reads it from MMKIT_CMDLINE), and what the guest says back.

    ktest.filter_glob=GLOBS   which cases run (build.py test --filter), in
                              place of Kconfig TEST_FILTER: nothing is
                              saved and nothing recompiles
    ktest.action=list         list the selected cases, run none
                              (build.py test --list-tests)

core/lib/cmdline.c parses it in the guest, core/lib/ktest.c uses it.
"""
from __future__ import annotations

import re

from .errors import KitError

LIST_RE = re.compile(r"^ktest: list (\S+)$", re.M)
# core/lib/ktest.c FILTER_MAX, less its NUL.
FILTER_MAX = 511
_FILTER_OK = re.compile(r"^[A-Za-z0-9_*?.,\[\]-]+$")


def check_filter(text: str) -> str:
    """A --filter: KUnit-style suite_glob[.case_glob], comma separated."""
    if not _FILTER_OK.match(text):
        raise KitError(f"--filter {text!r}: expected suite_glob[.case_glob] patterns separated "
                       "by commas (letters, digits, _ - * ? . ,), e.g. 'heap.*align*,lz4'")
    if len(text) > FILTER_MAX:
        raise KitError(f"--filter is {len(text)} characters long; the guest takes at most "
                       f"{FILTER_MAX}")
    return text


def kernel_cmdline(test_filter: str = "", list_tests: bool = False) -> str:
    words = []
    if test_filter:
        words.append(f"ktest.filter_glob={check_filter(test_filter)}")
    if list_tests:
        words.append("ktest.action=list")
    return " ".join(words)


def listed(console: str) -> list[str]:
    """The suite.case names a ktest.action=list run printed, in order."""
    return LIST_RE.findall(console)
