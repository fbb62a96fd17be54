"""The verdict on a test run: how the guest ended (kit/qemu.py) and what its
KTAP said (kit/ktap.py), in one place for every caller (the test and
coverage commands, the matrix).

A run passes only when the guest ended with its pass marker, the KTAP
stream is whole, no case failed, and at least one case ran: a run of zero
cases (a TEST_FILTER that matches nothing prints the plan 1..0) is a
failure of its own, as it is for Linux's kunit.py, so that a typo in a
filter never turns CI green.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ktap, qemu

# Outcomes beyond qemu's: the guest passed but ran no case.
NO_CASES = "no cases"


@dataclass
class Verdict:
    outcome: str                       # qemu.PASS/FAIL/PANIC/HANG/CRASH or NO_CASES
    reason: str                        # one line: why it failed, or "N cases"
    counts: dict[str, int]             # ktap.OK/FAILED/SKIPPED/MISSING -> cases
    failed_cases: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)   # ktap.summary() lines
    parsed: ktap.Result | None = None  # the KTAP tree (kit/results.py writes it out)

    @property
    def passed(self) -> bool:
        return self.outcome == qemu.PASS

    def line(self, what: str) -> str:
        """The last line build.py prints, e.g. 'build.py: test (riscv64): PASSED (12 cases)'."""
        if self.passed:
            return f"build.py: {what}: PASSED ({self.reason})"
        if self.outcome in (qemu.PANIC, qemu.HANG, qemu.CRASH):
            return f"build.py: {what}: {self.reason}"
        return f"build.py: {what}: FAILED: {self.reason}"

    def as_dict(self) -> dict:
        """The figures the matrix records in cell.json."""
        return {"passed": self.counts[ktap.OK], "failed": self.counts[ktap.FAILED],
                "skipped": self.counts[ktap.SKIPPED], "failed_cases": self.failed_cases,
                "outcome": self.outcome}


def judge(boot: qemu.Boot, test_filter: str = "") -> Verdict:
    parsed = ktap.parse(boot.console)
    verdict = _judge(boot, parsed, test_filter)
    verdict.parsed = parsed
    return verdict


def _judge(boot: qemu.Boot, parsed: ktap.Result, test_filter: str) -> Verdict:
    """The verdict on a test image's run; ``test_filter`` (which filter chose
    the cases, e.g. 'TEST_FILTER="heap"') is named when no case ran."""
    counts = parsed.counts()
    failed = ktap.failed_cases(parsed)
    summary = ktap.summary(parsed)
    if boot.outcome in (qemu.PANIC, qemu.HANG, qemu.CRASH):
        return Verdict(boot.outcome, boot.reason, counts, failed, summary)
    if failed:
        return Verdict(qemu.FAIL, f"{len(failed)} case(s) failed: {', '.join(failed)}",
                       counts, failed, summary)
    if not parsed.ok or not boot.passed:
        return Verdict(qemu.FAIL, "; ".join(parsed.errors or [boot.reason]), counts, failed,
                       summary)
    if sum(counts.values()) == 0:
        why = (f"{test_filter} matches no suite or case" if test_filter
               else "the image has no test suite")
        return Verdict(NO_CASES, f"no test case ran (KTAP plan 1..0): {why}", counts, failed,
                       summary)
    skipped = f", {counts[ktap.SKIPPED]} skipped" if counts[ktap.SKIPPED] else ""
    return Verdict(qemu.PASS, f"{counts[ktap.OK]} cases{skipped}", counts, failed, summary)


def from_log(text: str) -> Verdict:
    """The verdict on a saved console log (build.py parse): as judge(), with
    how the run ended read from the log alone (no QEMU exit code)."""
    return judge(boot_from_log(text))


def boot_from_log(text: str) -> qemu.Boot:
    """How the run that wrote a saved console log ended, from the log alone."""
    console = qemu.kernel_output(text)
    marker = qemu.EXIT_RE.search(console)
    panic = qemu.PANIC_RE.search(console)
    if marker:
        status = int(marker.group(1))
        outcome = qemu.GUEST_STATUS.get(status, qemu.FAIL)
        reason = (f"panic: {panic.group(1)}" if outcome == qemu.PANIC and panic
                  else f"{outcome}: guest exit status {status}")
    elif panic:
        outcome, reason = qemu.PANIC, f"panic: {panic.group(1)} (and no end-of-run marker)"
    else:
        last = next((ln for ln in reversed(console.splitlines()) if ln.strip()), "")
        outcome, reason = qemu.CRASH, ("crash or hang: the log ends without the end-of-run "
                                       f"marker (last line: {last!r})")
    return qemu.Boot(outcome, reason, None, console, 0.0)
