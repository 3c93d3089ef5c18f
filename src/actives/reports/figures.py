"""Matplotlib figures as inline SVG text, the one way plots are made for pages and PDF reports.

SVG keeps plots sharp in the browser and in WeasyPrint, needs no image files and no network, and
text in it stays text (so Korean labels render with the page's font). The Agg backend is forced:
the server has no display.
"""

from __future__ import annotations

import io
import re
import warnings
from functools import cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

# Colours of the three well calls, the same on the plate view, the curves and the report.
CALL_COLOURS = {"positive": "#1b7f3b", "negative": "#8a8f98", "inconclusive": "#d08400"}


@cache
def svg_style() -> Any:
    """Text stays text in the SVG; a Korean font (if installed) measures Hangul labels."""
    from actives.reports.pdf import korean_font

    families = ["DejaVu Sans"] + ([korean_font()] if korean_font() else [])
    return {"svg.fonttype": "none", "svg.hashsalt": "actives", "font.family": families,
            "font.size": 9}  # fmt: skip


def new_figure(width_in: float = 6.0, height_in: float = 3.6) -> tuple[Figure, Any]:
    """A figure and its axes with the house style (text kept as text in the SVG)."""
    with plt.rc_context(svg_style()):
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        ax = fig.add_subplot()
    ax.grid(True, color="#e6e8eb", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def figure_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (no XML prolog, scalable width)."""
    buffer = io.StringIO()
    with plt.rc_context(svg_style()), warnings.catch_warnings():
        # Without a Korean font the layout cannot measure Hangul; the browser still draws it.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return inline_svg(buffer.getvalue())


def inline_svg(svg: str) -> str:
    """An SVG document as an element to inline in HTML: no XML prolog, no fixed size (it scales
    to its container through CSS ``svg.plot``), marked as an image."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", svg, count=1)
    return svg.replace("<svg ", '<svg class="plot" role="img" ', 1)
