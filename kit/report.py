"""The matrix report: report.md and report.html (with SVG plots) from results.json.

Everything shown is read from the cells' figures and test results; nothing
is estimated.  Instruction counts come from the bench image under -icount
(see kit/bench.py); fragmentation figures are derived there from raw counts;
what each slab check level catches comes from the cells' KTAP results
(kit/safety.py).

The page is made of sections (tables, plots, prose) built here and laid out
by the templates in templates/report/ (matrix.markdown.j2, matrix.html.j2): plots
first, under a table of contents, then the failed cells with their
diagnostics and logs, the price of safety, and the tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import safety, svgplot
from .bench import TLSF_PUBLISHED_BOUND, fmt_bytes, fmt_ratio
from .fsutil import write_atomic
from .report_render import TEMPLATES, Link, Table, anchor, render, tidy

FRAG_PATTERN = "random"      # the pattern the bar chart shows (all are in the table)
FRAG_BARS = {"failure rate": "failure_rate", "internal frag.": "internal_frag",
             "external frag.": "external_frag", "metadata overhead": "meta_overhead"}
SAFETY_BARS = ("pair size=64", "pair_aged size=64")
HOW_TO_READ = TEMPLATES / "matrix_how_to_read.md"
# The allocator modes side by side: each mode's release preset (named as the
# mode, no extra settings), the figures that tell them apart.
MODES = ("simpleheap", "twotier", "hybrid", "tlsf")
MODE_COSTS = ("pair size=64", "batch_alloc pattern=random size=4096",
              "batch_free pattern=random size=4096", "pair_aged size=64",
              "batch_alloc_aged pattern=random size=4096")
STRESS_PATTERNS = ("fixed", "increasing", "random")   # tests/bench/stress.c's kmalloc patterns


@dataclass
class Plot:
    file: str
    caption: str
    svg: str


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    note: str = ""                    # prose (Markdown-light)
    plots: list[str] = field(default_factory=list)   # Plot.file names shown here
    failures: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return anchor(self.title)


def _ops_of(cell: dict) -> list[dict]:
    return (cell.get("bench") or {}).get("ops", [])


def _frags_of(cell: dict) -> list[dict]:
    return (cell.get("bench") or {}).get("frag", [])


def arches_of(cells: list[dict]) -> list[str]:
    return list(dict.fromkeys(c["arch"] for c in cells))


def _log_link(cell: dict) -> Link | str:
    """The log that explains a cell's failure, relative to the report."""
    log = cell.get("log")
    return Link(f"{cell['name']}/{log}", f"{cell['name']}/{log}") if log else "-"


# --- tables ----------------------------------------------------------------------

def cell_table(cells: list[dict]) -> Table:
    head = ["cell", "arch", "preset", "mode / pages", "slab checks", "result", "passed",
            "failed", "skipped", "note", "log"]
    rows = []
    for c in cells:
        v, t = c.get("variant") or {}, c.get("tests") or {}
        note = c.get("reason", "") if c.get("status") != "pass" else ""
        if c.get("cached"):
            note = (note + " " if note else "") + "(cached)"
        extra = " ".join(c.get("settings") or [])
        rows.append([c["name"], c["arch"], c["preset"] + (f" + {extra}" if extra else ""),
                     f"{v.get('mode', '?')} / {v.get('page_alloc', '?')}",
                     v.get("slab_checks") or "-",
                     "PASS" if c.get("status") == "pass" else f"FAIL ({c.get('step', '?')})",
                     *(str(t[k]) if k in t else "-" for k in ("passed", "failed", "skipped")),
                     note or "-", _log_link(c) if c.get("status") != "pass" else "-"])
    return tidy(Table(head, rows))


def cost_table(cells: list[dict]) -> Table:
    """One row per operation, one column per measured cell (same arch:
    sections()); a cell whose every figure equals another's is named above
    the table instead of repeating its column."""
    measured = [c for c in cells if _ops_of(c)]
    keys = list(dict.fromkeys(op["key"] for c in measured for op in _ops_of(c)))
    table = {c["name"]: {op["key"]: op for op in _ops_of(c)} for c in measured}
    rows = []
    for key in keys:
        row = [key]
        for c in measured:
            op = table[c["name"]].get(key)
            if op is None:
                row.append("-")
                continue
            text = f"{op['median']}" + (f" ({op['max']})" if op["max"] != op["median"] else "")
            row.append(text + (f" [{op['failures']} failed]" if op["failures"] else ""))
        rows.append(row)
    return tidy(Table(["operation"] + [c["name"] for c in measured], rows))


def frag_table(cells: list[dict]) -> Table:
    head = ["cell", "pattern", "failure rate", "internal frag.", "JW #4", "external frag.",
            "heap ext. frag.", "largest free (heap)", "largest free (pages)",
            "largest kmalloc", "U(3)", "U(9)", "F(9)", "metadata"]
    rows = []
    for c in cells:
        for f in _frags_of(c):
            d = f["derived"]
            rows.append([c["name"], f["pattern"], fmt_ratio(d["failure_rate"]),
                         fmt_ratio(d["internal_frag"]), fmt_ratio(d["jw4"], percent=False),
                         fmt_ratio(d.get("external_frag")),
                         fmt_ratio(d["heap_external_frag"]), fmt_bytes(d["largest_free_heap"]),
                         fmt_bytes(d["largest_free_pages"]), fmt_bytes(d["largest_kmalloc"]),
                         fmt_ratio(d["unusable_index"]["3"]), fmt_ratio(d["unusable_index"]["9"]),
                         fmt_ratio(d["fragmentation_index"]["9"], percent=False),
                         fmt_ratio(d["meta_overhead"])])
    return tidy(Table(head, rows), keep=2)


def _worst_of(cell: dict, name: str) -> dict | None:
    """The stress pattern whose single kmalloc() / kfree() cost most."""
    worst = [w for w in (cell.get("bench") or {}).get("worst", []) if w["name"] == name]
    return max(worst, key=lambda w: w["max"]) if worst else None


def modes_table(cells: list[dict]) -> Table:
    """One row per allocator mode (its release preset, same arch: sections()):
    the cost of a pair and a batch, new and aged; the worst single
    kmalloc() and kfree() over the stress patterns next to TLSF's published
    bound; Johnstone and Wilson's footprint ratio, worst pattern and mean."""
    rows = []
    for mode in MODES:
        for c in cells:
            if c["preset"] != mode or c.get("settings") or not _ops_of(c):
                continue
            ops = {op["key"]: op["median"] for op in _ops_of(c)}
            row = [c["name"], (c.get("variant") or {}).get("mode", mode)]
            row += [str(ops[k]) if k in ops else "-" for k in MODE_COSTS]
            for name in ("kmalloc", "kfree"):
                w = _worst_of(c, name)
                row.append(f"{w['max']} ({w['pattern']})" if w else "-")
            row.append(str(TLSF_PUBLISHED_BOUND))
            jw = [(f["derived"]["jw4"], f["pattern"]) for f in _frags_of(c)
                  if f["pattern"] in STRESS_PATTERNS and f["derived"].get("jw4") is not None]
            if jw:
                top = max(jw)
                row += [f"{fmt_ratio(top[0], percent=False)} ({top[1]})",
                        fmt_ratio(sum(j for j, _ in jw) / len(jw), percent=False)]
            else:
                row += ["-", "-"]
            rows.append(row)
    return Table(["cell", "mode"] + list(MODE_COSTS)
                 + ["worst kmalloc", "worst kfree", "TLSF bound (published)",
                    "JW #4 worst", "JW #4 mean"], rows)


def real_program_table(real: dict) -> Table:
    """One row per workload: each allocator's median wall time and peak RSS."""
    names = real["variants"] + real["peers"]
    rows = []
    for w, per in real["results"].items():
        row = [w]
        for n in names:
            if n not in per:
                row.append("-")
                continue
            text = f"{per[n]['wall_s']['median']:.3f} s, {per[n]['rss_kib']['median']:.0f} KiB"
            ratio = real["ratios"].get(w, {}).get(n, {}).get("glibc")
            if ratio:
                text += f" ({ratio['wall']:.2f}x, {ratio['rss']:.2f}x)"
            row.append(text)
        rows.append(row)
    return Table(["workload"] + names, rows)


def lz4_table(lz4: dict) -> Table:
    """The codec against liblz4: each operation's speed per codec, the ratio,
    and the issue's targets with what was measured."""
    rows = []
    for op in ("compress", "decompress"):
        for codec in ("mmkit", "liblz4"):
            r = lz4["results"][op][codec]
            rows.append([f"{op} ({codec})", f"{r['median']:.0f} MB/s",
                         f"{r['min']:.0f}-{r['max']:.0f} MB/s", ""])
    rows.append(["ratio (bytes in / out)", f"mmkit {lz4['ratio']['mmkit']:.3f}",
                 f"liblz4 {lz4['ratio']['liblz4']:.3f}", ""])
    rows += [[t["target"], t["measured"], "", t["status"].upper()] for t in lz4["targets"]]
    return Table(["figure", "median", "spread", "target"], rows)


def regression_table(regressions: list[dict]) -> Table:
    return Table(["cell", "figure", "baseline", "now", "change"],
                 [[r["cell"], r["figure"], str(r["old"]), str(r["new"]), r["change"]]
                  for r in regressions])


def failures(cells: list[dict]) -> list[dict]:
    """Each failed cell: why, the failed cases with their diagnostics, its log."""
    out = []
    for c in cells:
        if c.get("status") == "pass":
            continue
        cases = [{"name": f"{s['name']}.{case['name']}", "status": case["status"],
                  "diagnostics": case.get("diagnostics", [])}
                 for s in (c.get("tests") or {}).get("suites", []) for case in s["cases"]
                 if case["status"] in ("fail", "missing")]
        out.append({"name": c["name"], "step": c.get("step", "?"), "reason": c.get("reason", ""),
                    "cases": cases, "log": _log_link(c)})
    return out


# --- plots -----------------------------------------------------------------------

def plots(cells: list[dict]) -> list[Plot]:
    """Costs per arch (counts compare within an arch), the price of safety per
    arch, then fragmentation for every cell."""
    out = []
    for arch in arches_of(cells):
        measured = [c for c in cells if _ops_of(c) and c["arch"] == arch]
        pair = {c["name"]: [(op["size"], op["median"]) for op in _ops_of(c)
                            if op["name"] == "pair"] for c in measured}
        pages = {c["name"]: [(1 << op["order"], op["median"]) for op in _ops_of(c)
                             if op["name"] == "page_alloc"] for c in measured}
        out.append(Plot(f"plot-pair-cost-{arch}.svg", f"{arch}: kmalloc+kfree pair cost by size",
                        svgplot.line_chart(
                            f"{arch}: kmalloc+kfree pair, instructions per pair by request size",
                            pair, "request size (bytes)", "instructions per pair (median)")))
        out.append(Plot(f"plot-page-cost-{arch}.svg", f"{arch}: alloc_pages cost by block size",
                        svgplot.line_chart(
                            f"{arch}: alloc_pages, instructions per block by block size", pages,
                            "block size (pages)", "instructions per allocation (median)")))
        # Debug options (poisoning, lock checks) cost ten times what any check
        # level does: bars with them would flatten the levels' differences,
        # so the chart leaves them to the table.
        levelled = [c for c in safety.cells_with_levels(cells) if c["arch"] == arch
                    and _ops_of(c) and not c["variant"].get("debug")]
        if levelled:
            groups = [f"{c['variant']['slab_checks']}: {c['preset']}" for c in levelled]
            values = {g: {k: next((op["median"] for op in _ops_of(c) if op["key"] == k), None)
                          for k in SAFETY_BARS} for g, c in zip(groups, levelled)}
            out.append(Plot(f"plot-safety-{arch}.svg", f"{arch}: the price of safety",
                            svgplot.bar_chart(
                                f"{arch}: kmalloc+kfree of 64 bytes by slab check level "
                                "(no debug options)",
                                groups, list(SAFETY_BARS), values, "instructions per pair",
                                percent=False)))
    frag_values = {c["name"]: {label: f["derived"].get(key) for label, key in FRAG_BARS.items()}
                   for c in cells for f in _frags_of(c) if f["pattern"] == FRAG_PATTERN}
    out.append(Plot("plot-frag.svg", f"fragmentation after the '{FRAG_PATTERN}' pattern",
                    svgplot.bar_chart(
                        f"Fragmentation and overhead after the '{FRAG_PATTERN}' aging pattern",
                        list(frag_values), list(FRAG_BARS), frag_values, "share")))
    return out


# --- the page --------------------------------------------------------------------

def sections(doc: dict, plot_list: list[Plot]) -> list[Section]:
    """The report's sections in order (plots first)."""
    cells = doc["cells"]
    out = [Section("Plots", plots=[p.file for p in plot_list])]
    failed = failures(cells)
    if failed:
        out.append(Section("Failed cells", failures=failed,
                           note="Each failed cell: the step it stopped at, why, the cases "
                                "that failed with their diagnostics, and the log to read."))
    classes = safety.misuse_classes()
    tables = []
    for arch in arches_of(cells):
        head, rows = safety.table([c for c in cells if c["arch"] == arch], classes)
        if rows:
            tables.append(Table(head, rows, caption=f"{arch}: cost and detection by level"))
    if tables:
        k_head, k_rows = safety.classes_rows(classes)
        s_head, s_rows = safety.summary(cells, classes)
        out.append(Section(
            "The price of safety",
            [tidy(Table(s_head, s_rows, caption="By check level"))] + tables
            + [Table(k_head, k_rows, caption="Misuse classes and their cases")],
            note="The first table gives each slab check level (Kconfig `SLAB_CHECKS_*`), "
                 f"cheapest first: `{safety.BASE_FIGURE}` in instructions per pair on each "
                 "arch, over the level's cells without debug options (a range when they "
                 "differ), and the misuse classes its cells detected and did not detect; a "
                 "class the level does not promise is listed as not detected, never left "
                 "out.  Then, for each cell with slab caches, one table per arch, cheapest "
                 "check level "
                 "(Kconfig `SLAB_CHECKS_*`) first: instructions per operation from the bench "
                 f"(median), `{safety.BASE_FIGURE}` above the same mode at level off, and "
                 "what the level detects, from the misuse cases of the slab suite in the same "
                 "cell's test run: **detected** (the case passed), **not detected** (it "
                 f"skipped: \"{safety.NOT_CAUGHT}\"), **MISSED** (the level promises the "
                 "class and the case failed).  The last table says which case tests which "
                 "class."))
    out.append(Section("Cells", [cell_table(cells)]))
    for arch in arches_of(cells):
        out.append(Section(f"Instructions per operation: {arch}",
                           [cost_table([c for c in cells if c["arch"] == arch])],
                           note="Median over the repetitions; the maximum in parentheses "
                                "when it differs."))
    modes = [modes_table([c for c in cells if c["arch"] == arch]) for arch in arches_of(cells)]
    for arch, t in zip(arches_of(cells), modes):
        t.caption = f"{arch}: the modes' release presets"
    if any(t.rows for t in modes):
        out.append(Section(
            "Allocator modes compared", [t for t in modes if t.rows],
            note="Each mode's release preset (SimpleHeap, TwoTier, Hybrid, TLSF), one table per "
                 "arch: instructions per operation (median) of a 64-byte pair and of a random-"
                 "order batch of 4 KiB allocations (the size every mode's batch and aged "
                 "figures share), new and after aging; the worst single `kmalloc()` and "
                 "`kfree()` over every call of the stress patterns (instructions of the whole "
                 "kernel call, the pattern that produced it in parentheses) next to the bound "
                 f"of {TLSF_PUBLISHED_BOUND} instructions Masmano et al. (2004) publish for "
                 "TLSF's own operations; and Johnstone and Wilson's fragmentation (footprint "
                 "at its peak / peak live bytes requested): the worst of the fixed, increasing "
                 "and random patterns and the mean over them (the traces' figures are in the "
                 "fragmentation table)."))
    out.append(Section("Fragmentation and overhead after aging", [frag_table(cells)]))
    if doc.get("real_programs"):
        real = doc["real_programs"]
        out.append(Section("Real programs", [real_program_table(real)],
                           note=f"From the last ./build.py realbench ({real['path']}, "
                                f"{real['reps']} interleaved repetitions, scale {real['scale']}): "
                                "host wall time, median seconds, and peak RSS in KiB, each mmkit "
                                "variant preloaded, with its ratio to glibc's in parentheses "
                                "(below 1: mmkit is faster / smaller)."))
    if doc.get("lz4"):
        lz4 = doc["lz4"]
        out.append(Section("LZ4 against liblz4 (host)", [lz4_table(lz4)],
                           note=f"From the last ./build.py lz4bench ({lz4['path']}, "
                                f"{lz4['rounds']} interleaved rounds on {lz4['cpu']}): "
                                "MB/s of uncompressed data, median and min-max over the "
                                "rounds; the guest's instructions per byte are the "
                                "`lz4_*` rows of the cost tables."))
    if doc.get("baseline"):
        note = (f"Against `{doc['baseline']}`, threshold {doc['threshold_percent']:g}% "
                "(instructions per op) / points (ratios).")
        if not doc["regressions"]:
            note += " No regression."
        out.append(Section("Regressions", [regression_table(doc["regressions"])], note=note))
    out.append(Section("How to read this report", note=HOW_TO_READ.read_text(encoding="utf-8")))
    return out


def headline(doc: dict) -> str:
    cells = doc["cells"]
    failed = doc["failed"]
    text = f"{len(cells) - len(failed)} of {len(cells)} cells passed"
    if failed:
        text += f"; FAILED: {', '.join(failed)}"
    if doc.get("baseline"):
        text += f"; {len(doc['regressions'])} regression(s) against the baseline"
    return text


def _context(doc: dict, plot_list: list[Plot]) -> dict:
    return {"doc": doc, "headline": headline(doc), "sections": sections(doc, plot_list),
            "plots": {p.file: p for p in plot_list},
            "bad": bool(doc["failed"] or doc.get("regressions"))}


def markdown(doc: dict, plot_list: list[Plot]) -> str:
    return render("matrix.markdown.j2", **_context(doc, plot_list))


def html_page(doc: dict, plot_list: list[Plot]) -> str:
    return render("matrix.html.j2", **_context(doc, plot_list))


def write(doc: dict, base: Path) -> list[Path]:
    """report.md, report.html and the plots into ``base``; returns the files."""
    plot_list = plots(doc["cells"])
    names = {p.file for p in plot_list}
    for stale in base.glob("plot-*.svg"):   # plots of cells no longer in the matrix
        if stale.name not in names:
            stale.unlink()
    written = []
    for p in plot_list:
        write_atomic(base / p.file, p.svg + "\n")
        written.append(base / p.file)
    write_atomic(base / "report.md", markdown(doc, plot_list))
    write_atomic(base / "report.html", html_page(doc, plot_list))
    return [base / "report.md", base / "report.html"] + written
