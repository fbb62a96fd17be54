"""Two small hand-written SVG charts for the matrix report (no plotting library).

line_chart: one polyline per series over a log2 x axis (cost by size).
bar_chart:  grouped bars, one group per variant, one bar per metric.

Variants often cost exactly the same, so line series lie on top of each
other: each series has its own colour, marker and dash pattern (style()),
the legend shows all three, and later series are drawn thinner, so a line
hidden under another still shows at its edges and at its markers.
"""
from __future__ import annotations

import math
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
FONT = 'font-family="sans-serif" font-size="11"'
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "down")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3")
MARKS = 14
DODGE = 7          # pixels: markers closer than this are set side by side


def style(i: int) -> tuple[str, str, str]:
    """(colour, marker, dash) of series ``i``: colour and marker cycle with
    periods 10 and 6, the dash steps once more at every marker wrap, so that
    any two of the first 30 series differ in at least two of the three."""
    return (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)],
            DASHES[(i + i // len(MARKERS)) % len(DASHES)])


def marker(kind: str, x: float, y: float, color: str, size: float = 3.5, title: str = "") -> str:
    """An SVG marker of ``kind`` centred on (x, y)."""
    tip = f"<title>{escape(title)}</title>" if title else ""
    r = size
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}">{tip}</circle>'
    if kind == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'fill="white" stroke="{color}" stroke-width="1.5">{tip}</rect>')
    shapes = {"triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)),
              "down": ((0, 1.2), (1.1, -0.9), (-1.1, -0.9)),
              "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0))}
    if kind in shapes:
        pts = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in shapes[kind])
        fill = "white" if kind == "down" else color
        return (f'<polygon points="{pts}" fill="{fill}" stroke="{color}" stroke-width="1.2">'
                f'{tip}</polygon>')
    return (f'<path d="M{x - r:.1f},{y - r:.1f} L{x + r:.1f},{y + r:.1f} M{x - r:.1f},'
            f'{y + r:.1f} L{x + r:.1f},{y - r:.1f}" stroke="{color}" stroke-width="2">{tip}</path>')


def nice_max(value: float) -> float:
    """The smallest 1/2/5 x 10^k not below ``value`` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def _fmt(v: float) -> str:
    if v >= 1000 and v == int(v):
        return f"{int(v):,}".replace(",", " ")
    return f"{v:g}"


def title_width(title: str) -> int:
    """Pixels a chart must be wide for its title (bold 14 px, about 8.5 px a
    character, and a margin), so that a narrow chart does not cut it."""
    return int(8.5 * len(title)) + 40


def _frame(width: int, height: int, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
            f'<rect width="{width}" height="{height}" fill="white"/>',
            f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-family="sans-serif" '
            f'font-size="14" font-weight="bold">{escape(title)}</text>']


def _y_axis(parts: list[str], left: int, top: int, plot_w: int, plot_h: int, ymax: float,
            label: str, percent: bool = False) -> None:
    for i in range(6):
        v = ymax * i / 5
        y = top + plot_h - plot_h * i / 5
        text = f"{v * 100:g}%" if percent else _fmt(v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{text}</text>')
    parts.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle" {FONT}>{escape(label)}</text>')


def _legend(parts: list[str], x: int, y: int, names: list[str]) -> None:
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        yy = y + i * 16
        parts.append(f'<rect x="{x}" y="{yy}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{yy + 9}" {FONT}>{escape(name)}</text>')


def legend_names(series: dict[str, list[tuple[int, float]]]) -> list[str]:
    """Series names for the legend; one whose points equal an earlier
    series' says so, since its line lies exactly under that one."""
    names, seen = [], {}
    for name, pts in series.items():
        key = tuple(sorted(pts))
        names.append(f"{name} (= {seen[key]})" if key in seen and pts else name)
        seen.setdefault(key, name)
    return names


def _line_legend(parts: list[str], x: int, y: int, names: list[str]) -> None:
    """A legend entry per series: a stretch of its line, its marker, its name."""
    for i, name in enumerate(names):
        color, kind, dash = style(i)
        yy = y + i * 16 + 5
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{yy}" x2="{x + 26}" y2="{yy}" stroke="{color}" '
                     f'stroke-width="1.5"{dashed}/>')
        parts.append(marker(kind, x + 13, yy, color))
        parts.append(f'<text x="{x + 32}" y="{yy + 4}" {FONT}>{escape(name)}</text>')


def _log_y_axis(parts: list[str], left: int, top: int, plot_w: int, plot_h: int,
                lo: int, hi: int, label: str) -> None:
    for e in range(lo, hi + 1):
        y = top + plot_h - plot_h * (e - lo) / (hi - lo)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                     f'{_fmt(10 ** e)}</text>')
    parts.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle" {FONT}>{escape(label)} (log scale)</text>')


def line_chart(title: str, series: dict[str, list[tuple[int, float]]], x_label: str,
               y_label: str) -> str:
    """Series of (x > 0, y) points on a log2 x axis.  The y axis starts at 0,
    or is logarithmic when the values span more than a factor of 50."""
    legend_w = 40 + 7 * max((len(n) for n in legend_names(series)), default=4)
    width, height = max(640 + legend_w, title_width(title)), max(360, 50 + 16 * len(series))
    left, top, plot_w, plot_h = 70, 32, 540, 280
    parts = _frame(width, height, title)
    xs = [x for pts in series.values() for x, _ in pts if x > 0]
    ys = [y for pts in series.values() for _, y in pts]
    if not xs:
        parts.append(f'<text x="{left + 10}" y="{top + 40}" {FONT}>no data</text></svg>')
        return "\n".join(parts)
    lo, hi = math.floor(math.log2(min(xs))), math.ceil(math.log2(max(xs)))
    hi = max(hi, lo + 1)
    positive = [y for y in ys if y > 0]
    log_y = bool(positive) and max(positive) > 50 * min(positive)
    ymax = nice_max(max(ys, default=0))
    ylo = math.floor(math.log10(min(positive))) if log_y else 0
    yhi = max(math.ceil(math.log10(max(positive))), ylo + 1) if log_y else 0

    def px(x: float) -> float:
        return left + (math.log2(x) - lo) / (hi - lo) * plot_w

    def py(y: float) -> float:
        if log_y:
            return top + plot_h - (math.log10(max(y, 10 ** ylo)) - ylo) / (yhi - ylo) * plot_h
        return top + plot_h - y / ymax * plot_h

    if log_y:
        _log_y_axis(parts, left, top, plot_w, plot_h, ylo, yhi, y_label)
    else:
        _y_axis(parts, left, top, plot_w, plot_h, ymax, y_label)
    label_every = max(1, math.ceil((hi - lo + 1) / 10))   # labels must not touch
    for e in range(lo, hi + 1):
        x = px(2 ** e)
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" '
                     f'y2="{top + plot_h + 4}" stroke="#333"/>')
        if (e - lo) % label_every == 0:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="middle" {FONT}>{_fmt(2 ** e)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h + 42}" '
                 f'text-anchor="middle" {FONT}>{escape(x_label)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
                 f'stroke="#333"/>')
    n = len(series)
    marks: dict[tuple[int, int], list[tuple[int, str, float, float, str]]] = {}
    for i, (name, pts) in enumerate(series.items()):
        color, kind, dash = style(i)
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(pts) if x > 0)
        width_ = 2.6 - 1.4 * i / max(1, n - 1)      # first drawn widest: edges show
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" '
                     f'stroke-width="{width_:.2f}"{dashed}><title>{escape(name)}</title>'
                     f'</polyline>')
        # At most MARKS markers a series, staggered by series.
        shown = [(x, y) for x, y in sorted(pts) if x > 0]
        stride = max(1, math.ceil(len(shown) / MARKS))
        for j, (x, y) in enumerate(shown):
            if (j + i) % stride == 0 or j == len(shown) - 1:
                spot = (round(px(x) / DODGE), round(py(y) / DODGE))
                marks.setdefault(spot, []).append((i, name, x, y, kind))
    # Markers that would land on one another are set side by side, so that
    # series with equal figures each still show their own marker.
    for group in marks.values():
        for k, (i, name, x, y, kind) in enumerate(group):
            shift = (k - (len(group) - 1) / 2) * DODGE
            parts.append(marker(kind, px(x) + shift, py(y), style(i)[0],
                                title=f"{name}: {_fmt(x)}, {_fmt(y)}"))
    _line_legend(parts, left + plot_w + 12, top, legend_names(series))
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(title: str, groups: list[str], metrics: list[str],
              values: dict[str, dict[str, float | None]], y_label: str,
              percent: bool = True) -> str:
    """Grouped bars: for each group, one bar per metric (None: no bar, marked n/a)."""
    legend_w = 12 + 7 * max((len(m) for m in metrics), default=4)
    group_w = max(24, 14 * len(metrics) + 16)
    plot_w = max(300, group_w * len(groups))
    # Group names hang below the axis at 30 degrees: room for the longest.
    label_h = int(0.5 * 6.5 * max((len(g) for g in groups), default=4)) + 16
    longest = max((len(g) for g in groups), default=4)
    width = max(70 + plot_w + 20 + legend_w, 70 + plot_w + int(0.87 * 6.5 * longest),
                title_width(title))
    height = 32 + 240 + label_h + 10
    left, top, plot_h = 70, 32, 240
    parts = _frame(width, height, title)
    present = [v for g in values.values() for v in g.values() if v is not None]
    ymax = nice_max(max(present, default=0))
    _y_axis(parts, left, top, plot_w, plot_h, ymax, y_label, percent)
    bar_w = (group_w - 16) / max(1, len(metrics))
    for gi, group in enumerate(groups):
        gx = left + gi * group_w + 8
        for mi, metric in enumerate(metrics):
            v = values.get(group, {}).get(metric)
            x = gx + mi * bar_w
            if v is None:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 3}" '
                             f'text-anchor="middle" font-family="sans-serif" font-size="7">'
                             f'n/a</text>')
                continue
            h = max(0.0, v) / ymax * plot_h
            shown = f"{v * 100:.2f}%" if percent else _fmt(round(v, 3))
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[mi % len(PALETTE)]}">'
                         f'<title>{escape(group)}: {escape(metric)} {shown}</title></rect>')
        cx = gx + (group_w - 16) / 2
        parts.append(f'<text transform="translate({cx:.1f} {top + plot_h + 10}) rotate(30)" '
                     f'{FONT}>{escape(group)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
                 f'stroke="#333"/>')
    _legend(parts, left + plot_w + 12, top, metrics)
    parts.append("</svg>")
    return "\n".join(parts)
