"""The KTAP v1 parser: nesting, skips, diagnostics, and broken streams."""
from kit import ktap, qemu

GOOD = """\
OpenSBI banner noise
mmkit: boot
KTAP version 1
1..2
    KTAP version 1
    # Subtest: heap
    1..3
    ok 1 splits
mm: heap: EDOUBLEFREE at 0x80700000
    # coalesces: EXPECTATION FAILED at tests/kernel/heap_test.c:12: expected a == b
    not ok 2 coalesces
    ok 3 poison # SKIP needs CONFIG_DEBUG_POISON
not ok 1 heap
    KTAP version 1
    # Subtest: bitmap_pa
    1..1
    ok 1 first_fit
ok 2 bitmap_pa
# totals: pass 2 fail 1 skip 1
mmkit: exit status=1 (fail)
"""


def test_nested_results_and_diagnostics():
    result = ktap.parse(GOOD)
    assert result.errors == []
    assert [s.name for s in result.root.children] == ["heap", "bitmap_pa"]
    cases = dict(result.cases())
    assert cases["heap.splits"].status == ktap.OK
    assert cases["heap.coalesces"].status == ktap.FAILED
    assert "heap_test.c:12" in cases["heap.coalesces"].diagnostics[0]
    assert cases["heap.poison"].status == ktap.SKIPPED
    assert cases["heap.poison"].skip_reason == "needs CONFIG_DEBUG_POISON"
    assert result.counts() == {ktap.OK: 2, ktap.FAILED: 1, ktap.SKIPPED: 1, ktap.MISSING: 0}
    assert ktap.failed_cases(result) == ["heap.coalesces"]
    assert not result.ok


def test_console_lines_inside_a_subtest_do_not_close_it():
    cases = dict(ktap.parse(GOOD).cases())
    assert list(cases) == ["heap.splits", "heap.coalesces", "heap.poison", "bitmap_pa.first_fit"]


def test_all_passing_is_ok():
    text = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n" \
           "    ok 1 c\nok 1 s\n"
    result = ktap.parse(text)
    assert result.ok
    assert "Ran 1 cases: passed 1, failed 0, skipped 0" in ktap.summary(result)


def test_missing_plan_is_an_error():
    result = ktap.parse("KTAP version 1\nok 1 s\n")
    assert any("missing plan" in e for e in result.errors)
    assert not result.ok


def test_no_ktap_at_all():
    result = ktap.parse("mmkit: boot\nPANIC: oops\n")
    assert result.errors == ["no KTAP output (no 'KTAP version 1' line)"]
    assert not result.ok


def test_stream_cut_inside_a_suite():
    text = GOOD.split("    ok 3 poison")[0]
    result = ktap.parse(text)
    assert not result.ok
    assert any("heap: 2 of 3 planned results" in e for e in result.errors)
    assert any("top level: 1 of 2 planned results" in e for e in result.errors)
    assert any("[CRASHED] heap" in line for line in ktap.summary(result))


def test_more_results_than_planned():
    text = "KTAP version 1\n1..1\nok 1 a\nok 2 b\n"
    assert any("plan said 1" in e for e in ktap.parse(text).errors)


# --- the verdict: how the guest ended and what its KTAP said ------------------------

def boot(console: str, outcome: str = "pass") -> qemu.Boot:
    return qemu.Boot(outcome, f"{outcome}: guest exit status 0", 0, console, 1.0)


def test_verdict_passes_a_complete_run():
    from kit import verdict
    text = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n" \
           "    ok 1 c\n    ok 2 d # SKIP not here\nok 1 s\nmmkit: exit status=0 (pass)\n"
    v = verdict.judge(boot(text))
    assert v.passed and v.reason == "1 cases, 1 skipped"
    assert v.line("test (riscv64)") == "build.py: test (riscv64): PASSED (1 cases, 1 skipped)"


def test_verdict_zero_cases_is_a_failure_naming_the_filter():
    """A filter that matches nothing: the guest prints 1..0 and exits 0."""
    from kit import verdict
    v = verdict.judge(boot("KTAP version 1\n1..0\nmmkit: exit status=0 (pass)\n"),
                      'TEST_FILTER="heapp*"')
    assert not v.passed and v.outcome == verdict.NO_CASES
    assert v.line("test (riscv64)") == ('build.py: test (riscv64): FAILED: no test case ran '
                                         '(KTAP plan 1..0): TEST_FILTER="heapp*" matches no '
                                         'suite or case')


def test_verdict_keeps_a_failed_case_before_the_guest_status():
    from kit import verdict
    v = verdict.judge(boot(GOOD, "fail"))
    assert not v.passed and v.failed_cases == ["heap.coalesces"]
    assert v.reason == "1 case(s) failed: heap.coalesces"
