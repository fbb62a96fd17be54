"""Rendering the reports people read (the matrix report, hostbench): tables
and prose through the Jinja2 templates in templates/report/.

A Table is text cells (or Links) in rows.  Before it is shown, tidy() takes
out what a reader would have to skip: a column with the same value in
every row (said once above the table instead) and a column that repeats
an earlier one.  A column whose cells are all figures is marked numeric:
the HTML sets it right-aligned in a fixed-width font, so digits line up.

Prose (the "how to read" texts) is written once, in a small subset of
Markdown (paragraphs, "- " lists, `code`, **bold**); blocks() parses it so
that the HTML template renders it as markup and the Markdown template
copies it as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup, escape

from . import paths

TEMPLATES = paths.TEMPLATES / "report"

# A figure or a range of figures, optionally with a unit, a parenthesised max
# and a bracketed note: "59", "-3", "+12", "1.03", "12.5%", "4.0 MiB",
# "59 (61)", "59 [2 failed]", "59–64 (4 cells)".
_NUMBER = re.compile(r"^[-+]?(\d[\d,]*(\.\d+)?|\.\d+)(e[-+]?\d+)?(–\d[\d,]*(\.\d+)?)?"
                     r"( ?(%|x|B|KiB|MiB|GiB|ns|points))?( \([^)]*\))?( \[[^\]]*\])?$")
_EMPTY = {"", "-"}
WRAP = 60          # longer text in a cell wraps (a failure's reason), the rest does not


@dataclass(frozen=True)
class Link:
    text: str
    href: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    head: list[str]
    rows: list[list]                               # str or Link
    same: list[tuple[str, str]] = field(default_factory=list)   # (column, value) dropped
    twins: list[tuple[str, str]] = field(default_factory=list)  # (column, equal column) dropped
    caption: str = ""

    @property
    def numeric(self) -> list[bool]:
        """Per column: every cell a figure (or '-'), at least one figure."""
        out = []
        for i in range(len(self.head)):
            texts = [str(r[i]) for r in self.rows]
            out.append(any(_NUMBER.match(t) for t in texts)
                       and all(t in _EMPTY or _NUMBER.match(t) for t in texts))
        return out

    def classes(self) -> list[list[str]]:
        """Per cell, its HTML class: "num" for a figure (and a '-' in a column
        of figures), "fail" for a failure, "muted" for what was not detected
        or not run, "wrap" for long text, else ""."""
        numeric = self.numeric
        out = []
        for row in self.rows:
            kinds = []
            for i, x in enumerate(row):
                text = str(x)
                if _NUMBER.match(text) or (numeric[i] and text in _EMPTY):
                    kinds.append("num")
                elif text.startswith(("FAIL", "MISSED", "NOT MET")):
                    kinds.append("fail")
                elif text.startswith(("not detected", "not run", "not tried")):
                    kinds.append("muted")
                elif len(text) > WRAP:
                    kinds.append("wrap")
                else:
                    kinds.append("")
            out.append(kinds)
        return out


def tidy(table: Table, keep: int = 1) -> Table:
    """Drop constant and repeated columns (not the first ``keep``, which name
    the row), when there are two rows or more to compare; a constant column
    of blanks ('-') is dropped without a word."""
    if len(table.rows) < 2:
        return table
    columns = [[str(r[i]) for r in table.rows] for i in range(len(table.head))]
    kept, same, twins = [], list(table.same), list(table.twins)
    for i, col in enumerate(columns):
        if i >= keep and len(set(col)) == 1:
            if col[0] not in _EMPTY:      # a column of nothing goes unmentioned
                same.append((table.head[i], col[0]))
        elif i >= keep and any(columns[j] == col for j in kept):
            twin = next(j for j in kept if columns[j] == col)
            twins.append((table.head[i], table.head[twin]))
        else:
            kept.append(i)
    return Table([table.head[i] for i in kept], [[r[i] for i in kept] for r in table.rows],
                 same, twins, table.caption)


def blocks(text: str) -> list[tuple[str, object]]:
    """Markdown-light prose -> [("p", text) | ("ul", [item, ...])]; a line
    indented under a "- " item continues it."""
    out: list[tuple[str, object]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(("p", " ".join(para)))
            para.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
        elif line.startswith("- "):
            flush()
            if not out or out[-1][0] != "ul":
                out.append(("ul", []))
            out[-1][1].append(line[2:].strip())
        elif line.startswith("  ") and out and out[-1][0] == "ul" and not para:
            out[-1][1][-1] += " " + line.strip()
        else:
            para.append(line.strip())
    flush()
    return out


def inline_html(text: str) -> Markup:
    """`code` and **bold** of one line of prose as HTML, everything else escaped."""
    parts = re.split(r"(`[^`]+`|\*\*[^*]+\*\*)", text)
    html = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            html.append(f"<code>{escape(part[1:-1])}</code>")
        elif part.startswith("**") and part.endswith("**") and len(part) > 3:
            html.append(f"<strong>{escape(part[2:-2])}</strong>")
        else:
            html.append(str(escape(part)))
    return Markup("".join(html))


def md_cell(value) -> str:
    """A table cell for Markdown: a Link as [text](href), '|' escaped."""
    if isinstance(value, Link):
        return f"[{value.text.replace('|', '/')}]({value.href})"
    return str(value).replace("|", "\\|")


def anchor(title: str) -> str:
    """An id for a heading: lower case, words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(inline_html=inline_html, md_cell=md_cell, anchor=anchor)
    env.globals.update(blocks=blocks, Link=Link)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
