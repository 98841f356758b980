"""Charts drawn on the server as SVG, with no script: horizontal bars (the funnel, pass rates) and a histogram with
marked values (turnaround against its deadline).

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>` (which says the figures
in words), every bar carries its value as text, so nothing is told by colour alone, and colours keep at least
4.5:1 against white. The drawing has a viewBox and width 100%, so it shrinks to a 390 px phone; the page pairs
each chart with its data as a table and as CSV. Pure: strings in, markup out, no database.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400  # viewBox units: a 390 px phone draws them at about 0.9 px each, so 14-unit text reads at 12.5 px
INK = "#1b1f24"  # the site's text colour
MUTED = "#4a5360"  # 8:1 on white
BAR = "#0b5cad"  # the site's brand blue, 6.4:1 on white
MARK = "#b00020"  # 6.9:1 on white, and dashed, so it is not told by colour alone
FONT = 'font-family="system-ui, sans-serif"'
LABEL_CHARACTERS = 48  # a label line at 14 units fits the width at this length
VALUE_ROOM = 150  # right of the longest bar, for its value in words ("100% (1,000 of 1,000)" at 14 units)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as read, e.g. "83% (5 of 6)"


@dataclass(frozen=True)
class Column:
    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Marker:
    at: float  # on the histogram's scale
    label: str


def _number(value: float) -> str:
    # SVG coordinates: never NaN or infinite, at most two decimals.
    if not math.isfinite(value):
        value = 0.0
    return f"{round(value, 2):g}"


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" viewBox="0 0 {WIDTH} {_number(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="chart">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{_number(height)}" fill="#ffffff"/>',
    ]


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARACTERS) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARACTERS, placeholder=" …")]
    return lines


def bar_length(value: float, scale_max: float, room: float) -> float:
    """How long a bar of `value` is on a scale of `scale_max` over `room` units; 0 for an empty scale."""
    if scale_max <= 0 or not math.isfinite(value) or not math.isfinite(scale_max):
        return 0.0
    return max(0.0, min(value / scale_max, 1.0)) * room


def bar_chart(
    *, chart_id: str, title: str, desc: str, bars: Sequence[Bar], scale_max: float | None = None
) -> SafeString:
    """Horizontal bars, one per row: the label above, the bar, its value in words at its end. `scale_max` is the
    full length (1 for rates); by default the largest value."""
    scale = scale_max if scale_max is not None else max((bar.value for bar in bars), default=0.0)
    room = WIDTH - 16 - VALUE_ROOM
    rows: list[str] = []
    y = 8.0
    for bar in bars:
        for line in _label_lines(bar.label):
            y += 16
            rows.append(f'<text x="8" y="{_number(y)}" font-size="14" fill="{INK}" {FONT}>{escape(line)}</text>')
        y += 6
        length = bar_length(bar.value, scale, room)
        rows.append(
            f'<rect x="8" y="{_number(y)}" width="{_number(length)}" height="20" fill="{BAR}" class="chart-bar" '
            f'data-value="{_number(bar.value)}"/>'
        )
        # A zero-length bar still shows where its scale starts.
        rows.append(f'<line x1="8" y1="{_number(y)}" x2="8" y2="{_number(y + 20)}" stroke="{MUTED}" stroke-width="1"/>')
        rows.append(
            f'<text x="{_number(8 + length + 6)}" y="{_number(y + 15)}" font-size="14" fill="{INK}" '
            f'class="chart-value" {FONT}>{escape(bar.text)}</text>'
        )
        y += 20 + 10
    return mark_safe("\n".join([*_open(chart_id, title, desc, y + 8), *rows, "</svg>"]))  # noqa: S308 - escaped


def _ticks(columns: Sequence[Column], most: int = 7) -> list[float]:
    edges = [columns[0].low, *(column.high for column in columns)]
    step = max(1, math.ceil(len(edges) / most))
    return edges[::step]


def histogram_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[Column],
    markers: Sequence[Marker] = (),
    axis_label: str,
) -> SafeString:
    """Columns over a scale (each from `low` to `high`), its count above each, the scale's edges labelled below
    and each marker drawn as a dashed line named in words."""
    height, left, right, top, bottom = 280.0, 40.0, 16.0, 48.0, 56.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    parts = _open(chart_id, title, desc, height)
    if not columns:
        parts.append(f'<text x="8" y="24" font-size="14" fill="{INK}" {FONT}>No data</text>')
        return mark_safe("\n".join([*parts, "</svg>"]))  # noqa: S308 - escaped
    start, end = columns[0].low, max(columns[-1].high, *(m.at for m in markers)) if markers else columns[-1].high
    span = end - start or 1.0
    most = max(column.count for column in columns)
    base = top + plot_h

    def x_of(value: float) -> float:
        return left + (value - start) / span * plot_w

    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="{MUTED}" stroke-width="1"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="{MUTED}" stroke-width="1"/>')
    parts.append(
        f'<text x="{left - 6}" y="{_number(top + 5)}" font-size="12" fill="{INK}" text-anchor="end" '
        f"{FONT}>{most}</text>"
    )
    parts.append(
        f'<text x="{left - 6}" y="{_number(base)}" font-size="12" fill="{INK}" text-anchor="end" {FONT}>0</text>'
    )
    for column in columns:
        x0, x1 = x_of(column.low), x_of(column.high)
        h = bar_length(column.count, most, plot_h)
        parts.append(
            f'<rect x="{_number(x0 + 1)}" y="{_number(base - h)}" width="{_number(max(x1 - x0 - 2, 0))}" '
            f'height="{_number(h)}" fill="{BAR}" class="chart-bar" data-value="{column.count}"/>'
        )
        if column.count:
            parts.append(
                f'<text x="{_number((x0 + x1) / 2)}" y="{_number(base - h - 4)}" font-size="12" fill="{INK}" '
                f'text-anchor="middle" class="chart-value" {FONT}>{column.count}</text>'
            )
    for tick in _ticks(columns):
        parts.append(
            f'<text x="{_number(x_of(tick))}" y="{_number(base + 16)}" font-size="12" fill="{INK}" '
            f'text-anchor="middle" {FONT}>{_number(tick)}</text>'
        )
    parts.append(
        f'<text x="{_number(left + plot_w / 2)}" y="{_number(base + 38)}" font-size="13" fill="{INK}" '
        f'text-anchor="middle" {FONT}>{escape(axis_label)}</text>'
    )
    for index, marker in enumerate(markers):
        x = x_of(marker.at)
        label_y = 16 + 16 * (index % 2)
        anchor = "end" if x > left + plot_w * 0.6 else "start"
        text_x = x - 4 if anchor == "end" else x + 4
        parts.append(
            f'<line x1="{_number(x)}" y1="{_number(label_y - 10)}" x2="{_number(x)}" y2="{_number(base)}" '
            f'stroke="{MARK}" stroke-width="2" stroke-dasharray="6 4" class="chart-marker"/>'
        )
        parts.append(
            f'<text x="{_number(text_x)}" y="{_number(label_y)}" font-size="13" fill="{MARK}" font-weight="600" '
            f'text-anchor="{anchor}" {FONT}>{escape(marker.label)}</text>'
        )
    return mark_safe("\n".join([*parts, "</svg>"]))  # noqa: S308 - escaped
