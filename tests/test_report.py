"""The matrix report people read (kit/report.py, kit/report_render.py,
kit/svgplot.py, templates/report/): layout, tables, plots, failed cells, and
per-case results, from hand-made cells (no boot; test_matrix.py runs a real
matrix)."""
import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kit import matrix, report, svgplot
from kit.report_render import Link, Table, blocks, tidy

# A KTAP run with a passed, a skipped, a failed case and a nested parameter.
KTAP = """\
KTAP version 1
1..2
    KTAP version 1
    # Subtest: alpha
    1..3
    ok 1 first
    ok 2 second # SKIP not here
    # alpha.c:12: expected 1 == 2
    # alpha.c:13: and one more line
    not ok 3 third
not ok 1 alpha
    KTAP version 1
    # Subtest: beta
    1..1
        KTAP version 1
        # Subtest: param
        1..1
        ok 1 size-8
    ok 1 param
ok 2 beta
"""


def op(key: str, median: int, **extra) -> dict:
    name, _, rest = key.partition(" ")
    fields = dict(p.split("=") for p in rest.split()) if rest else {}
    o = {"key": key, "name": name, "median": median, "max": median, "min": median,
         "failures": 0}
    o.update({k: int(v) if v.isdigit() else v for k, v in fields.items()})
    o.update(extra)
    return o


FRAG = {"pattern": "random", "derived": {
    "failure_rate": 0.0, "internal_frag": 0.1, "jw4": 1.05, "external_frag": 0.02,
    "heap_external_frag": None, "largest_free_heap": None, "largest_free_pages": 1 << 20,
    "largest_kmalloc": 4096, "unusable_index": {"3": 0.0, "9": 0.1},
    "fragmentation_index": {"9": -1.0}, "meta_overhead": 0.004}}


def suites(level: str) -> list[dict]:
    """The slab suite's misuse cases as a cell at ``level`` reports them
    (the real suite's case names; what is caught as slab.h promises)."""
    caught = {"off": {"foreign", "other_cache"},
              "hardened": {"foreign", "other_cache", "double_free", "write_after_free"},
              "full": None}[level]
    cases = []
    for case in ("slab_misuse_foreign", "slab_misuse_other_cache", "slab_misuse_interior",
                 "slab_misuse_double_free", "slab_misuse_double_free_later",
                 "slab_write_after_free"):
        short = case.removeprefix("slab_misuse_").removeprefix("slab_")
        if caught is None or short in caught:
            cases.append({"name": case, "status": "pass"})
        else:
            cases.append({"name": case, "status": "skip",
                          "skip_reason": "not caught at this SLAB_CHECKS level"})
    return [{"name": "slab", "status": "pass", "cases": cases}]


def cell(name: str, arch: str, level: str | None, pair: int, status: str = "pass") -> dict:
    mode = "twotier" if level else "simpleheap"
    c = {"name": f"{name}-{arch}", "preset": name, "arch": arch, "settings": [],
         "status": status, "step": "done" if status == "pass" else "test",
         "reason": "pass" if status == "pass" else "test: 1 failed: alpha.third",
         "variant": {"mode": mode, "page_alloc": "buddy", "slab_checks": level, "debug": []},
         "tests": {"passed": 10, "failed": 0, "skipped": 1,
                   "suites": suites(level) if level else []},
         "bench": {"ops": [op("pair size=8", pair), op("pair size=64", pair),
                           op("pair_aged size=64", pair + 1),
                           op("page_alloc order=0", 80), op("page_alloc order=1", 300)],
                   "frag": [FRAG]},
         "log": None, "cached": False}
    return c


def document(cells: list[dict]) -> dict:
    failed = [c["name"] for c in cells if c["status"] != "pass"]
    return {"v": 1, "matrix_file": "ci/matrix.toml", "cells": cells, "failed": failed,
            "regressions": [], "baseline": None, "threshold_percent": 2.0}


@pytest.fixture
def cells() -> list[dict]:
    out = []
    for arch in ("riscv64", "x86_64"):
        out += [cell("twotier-no-checks", arch, "off", 45), cell("twotier", arch, "hardened", 59),
                cell("twotier-debug", arch, "full", 100)]
    bad = cell("simpleheap", "riscv64", None, 200, status="fail")
    bad["tests"] = {"passed": 3, "failed": 1, "skipped": 1, "suites": matrix.case_results(KTAP)}
    bad["log"] = "test.log"
    bad["bench"] = None
    return out + [bad]


@pytest.fixture
def written(cells: list[dict], tmp_path: Path) -> dict:
    files = report.write(document(cells), tmp_path)
    return {"md": (tmp_path / "report.md").read_text(),
            "html": (tmp_path / "report.html").read_text(), "files": files, "dir": tmp_path}


# --- per-case results ------------------------------------------------------------

def test_case_results_keep_every_case_with_its_status_and_diagnostic():
    got = matrix.case_results(KTAP)
    assert [s["name"] for s in got] == ["alpha", "beta"]
    alpha, beta = got
    assert alpha["status"] == "fail" and beta["status"] == "pass"
    assert [(c["name"], c["status"]) for c in alpha["cases"]] == [
        ("first", "pass"), ("second", "skip"), ("third", "fail")]
    assert alpha["cases"][1]["skip_reason"] == "not here"
    assert alpha["cases"][2]["diagnostics"] == ["# alpha.c:12: expected 1 == 2",
                                                "# alpha.c:13: and one more line"]
    assert "diagnostics" not in alpha["cases"][0]          # only a failure keeps them
    assert beta["cases"] == [{"name": "param.size-8", "status": "pass"}]


def test_a_suite_the_run_never_finished_is_missing():
    cut = KTAP[:KTAP.index("    not ok 3 third")]      # the guest stopped mid-suite
    got = matrix.case_results(cut)
    assert [(s["name"], s["status"]) for s in got] == [("alpha", "missing")]
    assert [c["status"] for c in got[0]["cases"]] == ["pass", "skip"]


# --- tables ----------------------------------------------------------------------

def test_tidy_drops_constant_and_repeated_columns_and_says_so():
    t = tidy(Table(["cell", "arch", "copy", "n", "blank"],
                   [["a", "x86_64", "1", "1", "-"], ["b", "x86_64", "2", "2", "-"]]))
    assert t.head == ["cell", "copy"]
    assert t.same == [("arch", "x86_64")]          # said once; a blank column is not
    assert t.twins == [("n", "copy")]
    one = tidy(Table(["cell", "arch"], [["a", "x86_64"]]))
    assert one.head == ["cell", "arch"]             # one row: nothing to compare


def test_numeric_columns_are_marked():
    t = Table(["op", "a", "b", "c"], [["pair", "59", "12.5%", "x"], ["page", "61 (70)", "-", "y"]])
    assert t.numeric == [False, True, True, False]
    assert t.classes()[1] == ["", "num", "num", ""]


def test_prose_is_parsed_into_paragraphs_and_lists():
    got = blocks("One\nparagraph.\n\n- item `a`\n  continued\n- two\n\nAfter.")
    assert got == [("p", "One paragraph."), ("ul", ["item `a` continued", "two"]),
                   ("p", "After.")]


# --- the HTML page -------------------------------------------------------------------

class Page(HTMLParser):
    """Headings, ids, links, numeric cells and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []            # h2 titles and "figure" in document order
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.num_cells: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a":
            self.hrefs.append(a.get("href", ""))
        if tag == "figure":
            self.order.append("figure")
        if tag == "table":
            self.order.append("table")
        self._in.append(tag if not (tag == "td" and a.get("class") == "num") else "td.num")

    def handle_endtag(self, tag):
        if self._in:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "h2":
            self.order.append("h2:" + data.strip())
        if self._in and self._in[-1] == "td.num":
            self.num_cells.append(data)
        if not self._in or self._in[-1] not in ("style", "svg", "text", "title"):
            self.text.append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


def test_plots_come_first_under_a_table_of_contents(written: dict):
    page = parse(written["html"])
    heads = [x for x in page.order if x.startswith("h2:")]
    assert heads[0] == "h2:Contents" and heads[1] == "h2:Plots"
    assert page.order.index("figure") < page.order.index("table")
    # Every contents entry leads to an element of the page.
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert len(internal) >= len(heads) - 1
    assert set(internal) <= page.ids
    assert {"plots", "the-price-of-safety", "failed-cells", "how-to-read-this-report"} \
        <= set(internal)
    # The Markdown report has the same contents and the plots first too.
    md = written["md"]
    assert md.index("](plot-pair-cost-riscv64.svg)") < md.index("## The price of safety")
    assert "- [Plots](#plots)" in md


def test_numbers_are_right_aligned_in_a_fixed_width_font(written: dict):
    page = parse(written["html"])
    assert "59" in page.num_cells and "100" in page.num_cells
    assert all(re.match(r"^[-+\d.,% ()\[\]a-zA-Z]+$", t) for t in page.num_cells)
    css = written["html"][written["html"].index("<style>"):written["html"].index("</style>")]
    rule = re.search(r"td\.num\s*\{([^}]*)\}", css).group(1)
    assert "text-align: right" in rule and "monospace" in rule
    # The Markdown tables align the same columns right.
    assert "---:" in written["md"]


def test_how_to_read_is_rendered_not_raw_markdown(written: dict):
    html = written["html"]
    part = html[html.index('id="how-to-read-this-report"'):]
    assert "<ul>" in part and "<li>" in part and "<code>-icount shift=0,sleep=off</code>" in part
    assert "<strong>not detected</strong>" in part
    text = "".join(parse(part).text)
    assert "`" not in text and "**" not in text and "\n- " not in text


def test_a_failed_cell_shows_its_diagnostic_and_a_link_to_its_log(written: dict):
    html, md = written["html"], written["md"]
    part = html[html.index('id="failed-cells"'):html.index('id="the-price-of-safety"')]
    assert "simpleheap-riscv64" in part and "alpha.third" in part
    assert "alpha.c:12: expected 1 == 2" in part and "alpha.c:13: and one more line" in part
    assert '<a href="simpleheap-riscv64/test.log">' in part
    assert "alpha.second" not in part                  # a skip is no failure
    assert "[simpleheap-riscv64/test.log](simpleheap-riscv64/test.log)" in md
    assert "alpha.c:12: expected 1 == 2" in md


def test_no_constant_or_duplicate_columns_in_the_cell_table(cells: list[dict]):
    t = report.cell_table(cells)
    for i in range(1, len(t.head)):
        col = [str(r[i]) for r in t.rows]
        assert len(set(col)) > 1, t.head[i]
        assert all(col != [str(r[j]) for r in t.rows] for j in range(i)), t.head[i]
    assert ("passed", "10") not in t.same       # passed differs (the failed cell)


def test_html_is_escaped(cells: list[dict], tmp_path: Path):
    cells[-1]["reason"] = "test: <script>alert(1)</script>"
    report.write(document(cells), tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# --- the price of safety ---------------------------------------------------------------

def test_price_of_safety_table_per_arch_cheapest_level_first(written: dict):
    md = written["md"]
    sec = md[md.index("## The price of safety"):md.index("## Cells")]
    for arch in ("riscv64", "x86_64"):
        block = sec[sec.index(f"### {arch}: cost and detection by level"):]
        head = block.splitlines()[2]
        assert head.index("twotier-no-checks") < head.index(f"twotier-{arch}") \
            < head.index("twotier-debug"), head
        rows = {r.split("|")[1].strip(): [x.strip() for x in r.split("|")[2:-1]]
                for r in block.splitlines() if r.startswith("| ")}
        assert rows["check level"] == ["off", "hardened", "full"]
        assert rows["pair size=64"] == ["45", "59", "100"]
        assert rows["pair size=64 above level off"] == ["+0", "+14", "+55"]
        # A class a level does not promise is reported, never left out.
        assert rows["detects: interior"] == ["not detected", "not detected", "detected"]
        assert rows["detects: double free"] == ["not detected", "detected", "detected"]
        assert rows["detects: foreign"] == ["detected"] * 3
    # The legend names every class of enum slab_misuse, with or without a case.
    assert "| not kmalloc |" in sec and "| freelist write |" in sec


def test_a_promised_class_that_is_missed_is_flagged(cells: list[dict], tmp_path: Path):
    full = next(c for c in cells if c["name"] == "twotier-debug-x86_64")
    case = next(c for c in full["tests"]["suites"][0]["cases"]
                if c["name"] == "slab_misuse_interior")
    case.update(status="fail", diagnostics=["slab_test.c:545: expected misuse"])
    report.write(document(cells), tmp_path)
    md = (tmp_path / "report.md").read_text()
    row = next(r for r in md[md.index("### x86_64: cost"):].splitlines()
               if r.startswith("| detects: interior"))
    assert row.split("|")[-2].strip() == "MISSED (case failed)"
    assert 'class="fail">MISSED' in (tmp_path / "report.html").read_text()


def test_a_cell_without_the_misuse_cases_says_not_run(cells: list[dict], tmp_path: Path):
    off = next(c for c in cells if c["name"] == "twotier-no-checks-riscv64")
    off["tests"]["suites"] = []
    report.write(document(cells), tmp_path)
    md = (tmp_path / "report.md").read_text()
    row = next(r for r in md[md.index("### riscv64: cost"):].splitlines()
               if r.startswith("| detects: foreign"))
    assert row.split("|")[2].strip() == "not run"


# --- plots ---------------------------------------------------------------------------

def test_overlapping_series_differ_in_marker_and_line_style():
    styles = [svgplot.style(i) for i in range(30)]
    for i in range(30):
        for j in range(i):
            assert sum(a != b for a, b in zip(styles[i], styles[j])) >= 2, (i, j)
    same = [(1, 10.0), (2, 20.0), (4, 20.0)]
    svg = svgplot.line_chart("t", {"a": same, "b": list(same), "c": [(1, 5.0)]}, "x", "y")
    lines = re.findall(r"<polyline [^>]*>", svg)
    assert len(lines) == 3
    assert len({re.search(r'stroke-dasharray="([^"]*)"', ln) and
                re.search(r'stroke-dasharray="([^"]*)"', ln).group(1) for ln in lines}) == 3
    # a and b coincide: their markers at each point are set side by side.
    titles = re.findall(r'<(\w+) [^>]*?(?:cx|x|points|d)="?([-\d.M, L]+)[^>]*><title>(a|b): 1, 10',
                        svg)
    assert len(titles) == 2
    assert "b (= a)" in svg                        # the legend says b lies under a


def test_every_plot_file_is_written_and_embedded(written: dict):
    names = [p.name for p in written["files"] if p.suffix == ".svg"]
    assert {"plot-pair-cost-riscv64.svg", "plot-safety-x86_64.svg", "plot-frag.svg"} <= set(names)
    for n in names:
        assert (written["dir"] / n).read_text().startswith("<svg")
        assert f'<a href="{n}">' in written["html"]


def test_safety_chart_compares_levels_without_debug_options(cells: list[dict]):
    for c in cells:
        if c["preset"] == "twotier-debug":
            c["variant"]["debug"] = ["DEBUG_POISON"]
    svg = next(p.svg for p in report.plots(cells) if p.file == "plot-safety-x86_64.svg")
    assert "off: twotier-no-checks" in svg and "hardened: twotier" in svg
    assert "twotier-debug" not in svg                 # in the table, not the chart
    md = report.markdown(document(cells), report.plots(cells))
    assert "| debug options | - | - | DEBUG_POISON |" in md


def test_a_chart_is_wide_enough_for_its_title():
    title = "x86_64: kmalloc+kfree of 64 bytes by slab check level (no debug options)"
    svg = svgplot.bar_chart(title, ["a"], ["m"], {"a": {"m": 1.0}}, "y", percent=False)
    width = int(re.search(r'<svg [^>]*width="(\d+)"', svg).group(1))
    assert width >= 8 * len(title)


def md_rows(md: str, caption: str) -> dict[str, list[str]]:
    block = md[md.index(f"### {caption}"):]
    block = block[:block.index("\n### ", 4)] if "\n### " in block[4:] else block
    return {r.split("|")[1].strip(): [x.strip() for x in r.split("|")[2:-1]]
            for r in block.splitlines() if r.startswith("| ") and "---" not in r}


def test_price_of_safety_by_level_summarises_cost_and_detection(cells: list[dict]):
    extra = cell("twotier-pools", "x86_64", "hardened", 62)
    debug = cell("hybrid-debug", "x86_64", "full", 900)
    debug["variant"]["debug"] = ["DEBUG_POISON"]
    md = report.markdown(document(cells + [extra, debug]), [])
    rows = md_rows(md, "By check level")
    head = md[md.index("### By check level"):].splitlines()
    assert any("| check level | pair size=64: riscv64 | pair size=64: x86_64 |" in h for h in head)
    assert list(rows)[1:] == ["off", "hardened", "full"]         # cheapest first
    assert rows["off"][:2] == ["45", "45"]
    assert rows["hardened"][:2] == ["59", "59–62 (2 cells)"]     # a spread is shown
    assert rows["full"][:2] == ["100", "100"]                    # debug options left out
    assert rows["off"][2] == "foreign, other cache"
    assert rows["off"][3] == "interior, double free, double free later, freelist write"
    assert rows["full"][3] == "none"
    assert "Same in every row: missed or not run: none." in md


def test_price_of_safety_by_level_names_a_miss(cells: list[dict]):
    full = next(c for c in cells if c["name"] == "twotier-debug-riscv64")
    case = next(c for c in full["tests"]["suites"][0]["cases"]
                if c["name"] == "slab_misuse_interior")
    case.update(status="fail", diagnostics=["x"])
    md = report.markdown(document(cells), [])
    rows = md_rows(md, "By check level")
    head = rows["check level"]
    full_row = dict(zip(head, rows["full"]))
    assert "interior" not in full_row["detects"].split(", ")
    assert full_row["missed or not run"] == \
        "interior: MISSED (case failed) (twotier-debug-riscv64)"
    # Both arches cost the same here: the second column is named, not repeated.
    assert "Equal in every row: pair size=64: x86_64 = pair size=64: riscv64." in md


def test_a_cell_with_the_same_costs_as_another_is_not_repeated(cells: list[dict]):
    twin = copy.deepcopy(next(c for c in cells if c["name"] == "twotier-x86_64"))
    twin.update(name="twotier-again-x86_64", preset="twotier-again")
    t = report.cost_table([c for c in cells + [twin] if c["arch"] == "x86_64"])
    assert "twotier-again-x86_64" not in t.head
    assert ("twotier-again-x86_64", "twotier-x86_64") in t.twins


# --- LZ4 against liblz4 --------------------------------------------------------------

def test_the_last_lz4bench_run_is_reported_with_its_targets(cells: list[dict], tmp_path: Path):
    doc = document(cells)
    doc["lz4"] = {
        "path": "build/lz4bench/lz4bench.json", "rounds": 11, "cpu": "Test CPU",
        "results": {"compress": {"mmkit": {"min": 87, "median": 136, "max": 182},
                                 "liblz4": {"min": 110, "median": 138, "max": 246}},
                    "decompress": {"mmkit": {"min": 511, "median": 589, "max": 1140},
                                   "liblz4": {"min": 471, "median": 600, "max": 920}}},
        "ratio": {"mmkit": 1.645, "liblz4": 1.6449},
        "targets": [{"target": "compress at least 70% of liblz4's speed", "status": "met",
                     "measured": "mmkit 136 MB/s, liblz4 138 MB/s: 99%"},
                    {"target": "ratio within 2% of liblz4's", "status": "not met",
                     "measured": "mmkit 1.645, liblz4 1.645 (+0.00%)"}]}
    report.write(doc, tmp_path)
    md = (tmp_path / "report.md").read_text()
    html = (tmp_path / "report.html").read_text()
    section = md[md.index("LZ4 against liblz4 (host)"):]
    assert "11 interleaved rounds on Test CPU" in section
    assert re.search(r"compress \(mmkit\)\s*\|\s*136 MB/s\s*\|\s*87-182 MB/s", section), section
    assert re.search(r"decompress \(liblz4\)\s*\|\s*600 MB/s", section), section
    assert "mmkit 1.645" in section and "liblz4 1.645" in section
    assert re.search(r"compress at least 70% of liblz4's speed.*MET", section)
    assert re.search(r"ratio within 2% of liblz4's.*NOT MET", section)
    assert "LZ4 against liblz4 (host)" in html


def test_no_lz4bench_run_means_no_lz4_section(written: dict):
    assert "LZ4 against liblz4" not in written["md"]


def test_lz4bench_summary_reads_the_last_run(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(matrix.paths, "BUILD", tmp_path)
    assert matrix.lz4bench_summary() is None
    (tmp_path / "lz4bench").mkdir()
    (tmp_path / "lz4bench" / "lz4bench.json").write_text("{not json")
    assert matrix.lz4bench_summary() is None
    r = {"min": 1, "median": 2, "max": 3, "rounds": [2], "passes": 1}
    (tmp_path / "lz4bench" / "lz4bench.json").write_text(
        '{"rounds": 7, "cpu": "c", "ratio": {"mmkit": 1.5, "liblz4": 1.5}, "targets": [], '
        '"results": {"compress": {"mmkit": %s, "liblz4": %s}, '
        '"decompress": {"mmkit": %s, "liblz4": %s}}}' % ((str(r).replace("'", '"'),) * 4))
    got = matrix.lz4bench_summary()
    assert got["rounds"] == 7 and got["results"]["decompress"]["liblz4"]["median"] == 2


# --- the allocator modes side by side ------------------------------------------------

def mode_cell(mode: str, arch: str, pair: int, worst: dict[str, list[int]],
              jw: dict[str, float]) -> dict:
    """A release preset's cell with worst-case lines (per call: one max per
    kmalloc pattern) and fragmentation per pattern."""
    c = cell(mode, arch, "hardened" if mode in ("twotier", "hybrid") else None, pair)
    c["variant"]["mode"] = mode
    patterns = ("fixed", "increasing", "random")
    c["bench"]["worst"] = [{"name": name, "pattern": p, "ops": 100, "max": m, "total": 100 * m}
                           for name, maxima in worst.items() for p, m in zip(patterns, maxima)]
    c["bench"]["frag"] = [{**FRAG, "pattern": p, "derived": {**FRAG["derived"], "jw4": j}}
                          for p, j in jw.items()]
    c["bench"]["ops"].append(op("batch_alloc pattern=random size=4096", pair // 2))
    return c


def test_modes_compared_on_cost_worst_case_and_fragmentation():
    jw = {"fixed": 1.0, "increasing": 1.5, "random": 1.25, "pages": 3.0, "trace-lua": 2.0}
    modes = [mode_cell("simpleheap", "x86_64", 300, {"kmalloc": [900, 4000, 2500],
                                                     "kfree": [800, 700, 600]}, jw),
             mode_cell("twotier", "x86_64", 60, {"kmalloc": [500, 600, 700],
                                                 "kfree": [90, 80, 70]}, jw),
             mode_cell("hybrid", "x86_64", 70, {"kmalloc": [510, 610, 710],
                                                "kfree": [91, 81, 71]}, jw),
             mode_cell("tlsf", "x86_64", 150, {"kmalloc": [190, 210, 205],
                                               "kfree": [120, 130, 125]}, jw)]
    # A variant of a mode's preset with extra settings is not its release preset.
    other = mode_cell("tlsf", "x86_64", 1, {"kmalloc": [1], "kfree": [1]}, jw)
    other.update(name="tlsf-sl1-x86_64", settings=["TLSF_SL_INDEX_BITS=1"])
    md = report.markdown(document(modes + [other]), [])
    assert "## Allocator modes compared" in md
    section = md[md.index("## Allocator modes compared"):]
    rows = md_rows(section[:section.index("\n## ")], "x86_64: the modes' release presets")
    head = rows.pop("cell")
    assert list(rows) == ["simpleheap-x86_64", "twotier-x86_64", "hybrid-x86_64", "tlsf-x86_64"]
    tlsf = dict(zip(head, rows["tlsf-x86_64"]))
    assert tlsf["mode"] == "tlsf"
    assert tlsf["pair size=64"] == "150"
    assert tlsf["batch_alloc pattern=random size=4096"] == "75"
    assert tlsf["batch_free pattern=random size=4096"] == "-"      # not measured: said so
    assert tlsf["worst kmalloc"] == "210 (increasing)"      # the max over the patterns
    assert tlsf["worst kfree"] == "130 (increasing)"
    assert tlsf["TLSF bound (published)"] == "168"
    # The pages pattern is the page allocator's, the traces are real programs':
    # only the kmalloc stress patterns make the JW figures.
    assert tlsf["JW #4 worst"] == "1.50 (increasing)"
    assert tlsf["JW #4 mean"] == "1.25"
    assert dict(zip(head, rows["simpleheap-x86_64"]))["worst kmalloc"] == "4000 (increasing)"


def test_no_mode_presets_means_no_modes_section(cells: list[dict]):
    others = [c for c in cells if c["preset"] not in report.MODES]
    assert others
    assert "## Allocator modes compared" not in report.markdown(document(others), [])
