"""Charts drawn on the server as inline SVG (pygal), for pages and printed documents.

Nothing loads from another site: pygal's tooltip script (which it would fetch
from a CDN) is switched off, its inline configuration script removed, and its
stylesheet stays inside the SVG. Pages show a chart as ``<img src="data:...">``
(:func:`bar_chart`): the content security policy forbids inline scripts and
styles in the page but allows ``data:`` images, whose styles apply inside the
image only; printed documents (WeasyPrint) read the same ``<img>``. Put the same
figures in a table next to the chart, for screen readers and for copying.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence

from markupsafe import Markup

#: The networks' colours, in the order series take them.
PALETTE = ("#0b4f6c", "#e07a1f", "#4f8a3c", "#8c3b8f", "#c23b3b", "#6b7b8c")


def _style(colors: Sequence[str] | None = None):
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#555555",
        colors=tuple(colors) if colors else PALETTE,
        font_family="DejaVu Sans, sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=16,
        value_font_size=12,
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    width: int = 720,
    height: int = 360,
    colors: Sequence[str] | None = None,
) -> Markup:
    """Return a bar chart as an ``<img>`` holding its SVG, with ``title`` as its alt text.

    ``labels`` name the categories (x axis, or y axis when ``horizontal``);
    ``series`` maps a legend name to one value per label (``None`` for none).
    ``width``/``height`` are the SVG's viewBox in pixels; it scales to its box.
    ``colors``: one colour per series instead of :data:`PALETTE` (a scale from bad to
    good, say).
    Raises ``ValueError`` when a series has not one value per label.
    """
    import pygal

    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
    kind = (
        (pygal.HorizontalStackedBar if horizontal else pygal.StackedBar)
        if stacked
        else (pygal.HorizontalBar if horizontal else pygal.Bar)
    )
    chart = kind(
        title=title,
        width=width,
        height=height,
        style=_style(colors),
        js=[],
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=True,
        print_zeroes=False,
        x_label_rotation=0 if horizontal or len(labels) <= 6 else 30,
        truncate_label=-1,
    )
    chart.x_labels = list(labels)
    counts = [v for values in series.values() for v in values if v is not None]
    if counts and all(isinstance(v, int) for v in counts):
        # Counts: whole numbers on the value axis (pygal would step 0.1 up to a count of 1).
        top = max(int(max(counts)), 1)
        step = max(1, -(-top // 8))
        chart.y_labels = list(range(0, top + step, step))
    for name, values in series.items():
        chart.add(name, list(values))
    return chart_image(_clean(chart.render(is_unicode=True)), title)


def _clean(svg: str) -> str:
    """Drop pygal's script and comments; give the chart an id made from its content.

    pygal names each chart by a random UUID; a fixed id keeps a page's bytes (and so
    its ETag and the page cache) the same for the same figures.
    """
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    for found in set(re.findall(r"chart-([0-9a-f-]{36})", svg)):
        svg = svg.replace(found, "\x00chart\x00")
    return svg.replace("\x00chart\x00", hashlib.sha1(svg.encode()).hexdigest()[:12])


def chart_image(svg: str, alt: str) -> Markup:
    """Return ``svg`` as an ``<img>`` with a ``data:`` URL and ``alt`` text (WCAG 1.1.1)."""
    data = base64.b64encode(svg.encode()).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, Markup(data)
    )
