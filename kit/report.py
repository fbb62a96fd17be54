"""The matrix report: report.md and report.html (with SVG plots) from results.json.

Everything shown is read from the cells' figures; nothing is estimated.
Instruction counts come from the bench image under -icount (see
kit/bench.py); fragmentation figures are derived there from raw counts.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from . import svgplot
from .bench import fmt_bytes, fmt_ratio
from .fsutil import write_atomic

FRAG_PATTERN = "random"      # the pattern the bar chart shows (all are in the table)
FRAG_BARS = {"failure rate": "failure_rate", "internal frag.": "internal_frag",
             "heap external frag.": "heap_external_frag", "metadata overhead": "meta_overhead"}
FRAG_COLUMNS = ("pattern", "failure rate", "internal frag.", "JW #4", "heap ext. frag.",
                "largest free (heap)", "largest free (pages)", "largest kmalloc", "U(3)", "U(9)",
                "F(9)", "metadata")

HOW_TO_READ = """\
How to read this report:

- Costs are guest instructions per operation, counted under QEMU
  `-icount shift=0,sleep=off` (riscv64: instret; x86_64: rdtsc, which
  counts instructions under -icount).  They repeat exactly from run to
  run; a median differs from its max only when repetitions differ in
  state (e.g. a free list grows).  They are not times: TCG wall time is
  never reported.  Compare variants on the same arch; across arches the
  instruction sets differ.
- `pair size=N`: kmalloc(N) then kfree, back to back.  Sizes are the size
  classes (or the fixed list) and one byte above each.
- `batch_alloc/batch_free pattern=P size=N`: N objects allocated, then
  freed LIFO, FIFO or in random order.  `page_alloc/page_free order=K`:
  blocks of 2^K pages.  `mixed`: random sizes and lifetimes, fixed seed.
- Fragmentation is measured after aging patterns (fixed, increasing,
  random sizes; `pages`: the page allocator alone) with the live set
  held: failure rate = failed / attempted allocations; internal
  fragmentation = (granted - requested) / granted; JW #4 (Johnstone and
  Wilson) = peak footprint / peak live bytes requested; heap external
  fragmentation = 1 - largest free block / free bytes of the SimpleHeap
  region; U(o), F(o) = Linux's unusable free space and fragmentation
  indices of the page allocator for order o (F = -1: a block of that
  order is free); metadata = allocator metadata bytes / managed bytes.
"""


def _ops_of(cell: dict) -> list[dict]:
    return (cell.get("bench") or {}).get("ops", [])


def _frags_of(cell: dict) -> list[dict]:
    return (cell.get("bench") or {}).get("frag", [])


def _variant(cell: dict) -> str:
    v = cell.get("variant") or {}
    return f"{v.get('mode', '?')} / {v.get('page_alloc', '?')}"


def _tests(cell: dict) -> str:
    t = cell.get("tests") or {}
    if not t:
        return "-"
    return f"{t.get('passed', 0)} passed, {t.get('failed', 0)} failed, {t.get('skipped', 0)} skipped"


# --- tables as rows (shared by Markdown and HTML) --------------------------------------

def cell_rows(cells: list[dict]) -> tuple[list[str], list[list[str]]]:
    head = ["cell", "preset", "arch", "mode / pages", "result", "tests", "note"]
    rows = []
    for c in cells:
        note = c.get("reason", "") if c.get("status") != "pass" else ""
        if c.get("cached"):
            note = (note + " " if note else "") + "(cached)"
        extra = " ".join(c.get("settings") or [])
        rows.append([c["name"], c["preset"] + (f" + {extra}" if extra else ""), c["arch"],
                     _variant(c), "PASS" if c.get("status") == "pass" else
                     f"FAIL ({c.get('step', '?')})", _tests(c), note])
    return head, rows


def cost_rows(cells: list[dict]) -> tuple[list[str], list[list[str]]]:
    """One row per operation, one column per measured cell (same arch: see sections())."""
    measured = [c for c in cells if _ops_of(c)]
    keys: list[str] = []
    for c in measured:
        for op in _ops_of(c):
            if op["key"] not in keys:
                keys.append(op["key"])
    table = {c["name"]: {op["key"]: op for op in _ops_of(c)} for c in measured}
    rows = []
    for key in keys:
        row = [key]
        for c in measured:
            op = table[c["name"]].get(key)
            if op is None:
                row.append("-")
            else:
                cell = f"{op['median']}" + (f" ({op['max']})" if op["max"] != op["median"] else "")
                row.append(cell + (f" [{op['failures']} failed]" if op["failures"] else ""))
        rows.append(row)
    return ["operation"] + [c["name"] for c in measured], rows


def arches_of(cells: list[dict]) -> list[str]:
    return list(dict.fromkeys(c["arch"] for c in cells))


def frag_rows(cells: list[dict]) -> tuple[list[str], list[list[str]]]:
    rows = []
    for c in cells:
        for f in _frags_of(c):
            d = f["derived"]
            rows.append([c["name"], f["pattern"], fmt_ratio(d["failure_rate"]),
                         fmt_ratio(d["internal_frag"]), fmt_ratio(d["jw4"], percent=False),
                         fmt_ratio(d["heap_external_frag"]), fmt_bytes(d["largest_free_heap"]),
                         fmt_bytes(d["largest_free_pages"]), fmt_bytes(d["largest_kmalloc"]),
                         fmt_ratio(d["unusable_index"]["3"]), fmt_ratio(d["unusable_index"]["9"]),
                         fmt_ratio(d["fragmentation_index"]["9"], percent=False),
                         fmt_ratio(d["meta_overhead"])])
    return ["cell", *FRAG_COLUMNS], rows


def regression_rows(regressions: list[dict]) -> tuple[list[str], list[list[str]]]:
    return (["cell", "figure", "baseline", "now", "change"],
            [[r["cell"], r["figure"], str(r["old"]), str(r["new"]), r["change"]]
             for r in regressions])


# --- plots -----------------------------------------------------------------------

def plots(cells: list[dict]) -> dict[str, str]:
    """file name -> SVG text: costs per arch (counts compare within an arch), then
    fragmentation for every cell."""
    out = {}
    for arch in arches_of(cells):
        measured = [c for c in cells if _ops_of(c) and c["arch"] == arch]
        pair = {c["name"]: [(op["size"], op["median"]) for op in _ops_of(c)
                            if op["name"] == "pair"] for c in measured}
        pages = {c["name"]: [(1 << op["order"], op["median"]) for op in _ops_of(c)
                             if op["name"] == "page_alloc"] for c in measured}
        out[f"plot-pair-cost-{arch}.svg"] = svgplot.line_chart(
            f"{arch}: kmalloc+kfree pair, instructions per pair by request size", pair,
            "request size (bytes)", "instructions per pair (median)")
        out[f"plot-page-cost-{arch}.svg"] = svgplot.line_chart(
            f"{arch}: alloc_pages, instructions per block by block size", pages,
            "block size (pages)", "instructions per allocation (median)")
    frag_groups = [c["name"] for c in cells
                   if any(f["pattern"] == FRAG_PATTERN for f in _frags_of(c))]
    frag_values = {}
    for c in cells:
        for f in _frags_of(c):
            if f["pattern"] == FRAG_PATTERN:
                frag_values[c["name"]] = {label: f["derived"][key]
                                          for label, key in FRAG_BARS.items()}
    out["plot-frag.svg"] = svgplot.bar_chart(
        f"Fragmentation and overhead after the '{FRAG_PATTERN}' aging pattern",
        frag_groups, list(FRAG_BARS), frag_values, "share")
    return out


# --- Markdown and HTML -------------------------------------------------------------

def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    out = ["| " + " | ".join(cell(h) for h in head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return out


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(x)}</td>" for x in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def sections(doc: dict) -> list[tuple[str, tuple[list[str], list[list[str]]], str]]:
    """(title, (head, rows), note) in report order."""
    cells = doc["cells"]
    out = [("Cells", cell_rows(cells), "")]
    for arch in arches_of(cells):
        out.append((f"Instructions per operation: {arch}",
                    cost_rows([c for c in cells if c["arch"] == arch]),
                    "Median over the repetitions; the maximum in parentheses when it differs."))
    out.append(("Fragmentation and overhead after aging", frag_rows(cells), ""))
    if doc.get("baseline"):
        note = (f"Against {doc['baseline']}, threshold {doc['threshold_percent']:g}% "
                "(instructions per op) / points (ratios).")
        if not doc["regressions"]:
            note += " No regression."
        out.append(("Regressions", regression_rows(doc["regressions"]), note))
    return out


def _plots_for(title: str, names: list[str]) -> list[str]:
    """The plots shown under a section."""
    if title.startswith("Instructions per operation: "):
        arch = title.rsplit(" ", 1)[1]
        return [n for n in names if n.endswith(f"-{arch}.svg")]
    if title.startswith("Fragmentation"):
        return [n for n in names if n.startswith("plot-frag")]
    return []


def headline(doc: dict) -> str:
    cells = doc["cells"]
    failed = doc["failed"]
    text = f"{len(cells) - len(failed)} of {len(cells)} cells passed"
    if failed:
        text += f"; FAILED: {', '.join(failed)}"
    if doc.get("baseline"):
        text += f"; {len(doc['regressions'])} regression(s) against the baseline"
    return text


def markdown(doc: dict, plot_files: list[str]) -> str:
    lines = ["# mmkit matrix report", "", headline(doc) + ".", "",
             f"Matrix file: `{doc['matrix_file']}`.", ""]
    for title, (head, rows), note in sections(doc):
        lines += [f"## {title}", ""]
        if note:
            lines += [note, ""]
        if rows:
            lines += _md_table(head, rows) + [""]
        shown = _plots_for(title, plot_files)
        if shown:
            lines += [f"![{name}]({name})" for name in shown] + [""]
    lines += ["## How to read this report", "", HOW_TO_READ.split("\n", 2)[2]]
    return "\n".join(lines).rstrip() + "\n"


STYLE = """body{font-family:sans-serif;margin:2em;max-width:100%}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}
th{background:#f0f0f0}td{white-space:nowrap}
.fail{color:#b00;font-weight:bold}figure{margin:1em 0}"""


def bullets(text: str) -> list[str]:
    """The '- ' items of a Markdown list, each joined onto one line."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()
    return items


def html_page(doc: dict, svgs: dict[str, str]) -> str:
    fail_class = ' class="fail"' if doc["failed"] or doc.get("regressions") else ""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>mmkit matrix report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>mmkit matrix report</h1>", f"<p{fail_class}>{escape(headline(doc))}.</p>",
             f"<p>Matrix file: <code>{escape(doc['matrix_file'])}</code>.</p>"]
    for title, (head, rows), note in sections(doc):
        parts.append(f"<h2>{escape(title)}</h2>")
        if note:
            parts.append(f"<p>{escape(note)}</p>")
        if rows:
            parts.append(_html_table(head, rows))
        parts += [f"<figure>{svgs[name]}</figure>" for name in _plots_for(title, list(svgs))]
    items = "".join(f"<li>{escape(item)}</li>" for item in bullets(HOW_TO_READ))
    parts += ["<h2>How to read this report</h2>", f"<ul>{items}</ul>", "</body></html>"]
    return "\n".join(parts) + "\n"


def write(doc: dict, base: Path) -> list[Path]:
    """report.md, report.html and the plots into ``base``; returns the files."""
    svgs = plots(doc["cells"])
    for stale in base.glob("plot-*.svg"):   # plots of cells no longer in the matrix
        if stale.name not in svgs:
            stale.unlink()
    written = []
    for name, svg in svgs.items():
        write_atomic(base / name, svg + "\n")
        written.append(base / name)
    write_atomic(base / "report.md", markdown(doc, list(svgs)))
    write_atomic(base / "report.html", html_page(doc, svgs))
    return [base / "report.md", base / "report.html"] + written
