"""The /stats charts, drawn on the server as SVG with pygal: they show without JavaScript.

Each is an <img> with a data: address (the page's security policy allows images from
data:, and an SVG shown as an image runs no script), and each stands beside a table of
the same numbers, since a chart alone is not accessible.
"""

from __future__ import annotations

import base64

import pygal
from pygal.style import Style

# The board's colours (static/css/board.css), and text large enough to read at 320 px.
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1f2328",
    foreground_strong="#1f2328", foreground_subtle="#5b636b",
    colors=("#1d5ea8", "#2e7d32", "#b45309", "#b3261e", "#6b4fa0"),
    font_family="system-ui, sans-serif", title_font_size=22, label_font_size=16,
    major_label_font_size=16, legend_font_size=16, value_font_size=14,
)
OPTIONS = {"disable_xml_declaration": True, "js": [], "style": STYLE, "width": 800, "height": 450,
           "legend_at_bottom": True, "legend_at_bottom_columns": 2, "print_values": False,
           "x_label_rotation": 0, "truncate_legend": -1, "show_y_guides": True}


def _image(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bars(title: str, labels: list[str], series: list[tuple[str, list]], horizontal=False) -> str:
    """A bar chart as a data: address for an <img>."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(title=title, **OPTIONS)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _image(chart)
