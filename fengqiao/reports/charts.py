"""Charts of a bulletin as PNG images, drawn with matplotlib's object API (no pyplot: no global state, safe in a
server thread) in the same CJK font the PDF embeds, so Chinese labels never turn into boxes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fengqiao.citizen.sheet import WQY_ZENHEI

NOTO_SANS_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
RED = "#c00000"
BLUE = "#2f5597"
GREY = "#7f7f7f"
CM = 1 / 2.54
DPI = 200


@lru_cache(maxsize=1)
def chart_font() -> font_manager.FontProperties:
    """The installed CJK font (``make run`` and ``make test`` install it); matplotlib's default font otherwise."""
    for path in (WQY_ZENHEI, NOTO_SANS_CJK):
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path))
    return font_manager.FontProperties()


def _figure(width_cm: float, height_cm: float) -> Figure:
    return Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI, layout="constrained")


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _style(ax: Axes, title: str, font: font_manager.FontProperties) -> None:
    ax.set_title(title, fontproperties=font, fontsize=11, pad=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_fontproperties(font)
        label.set_fontsize(8)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    horizontal: bool = False,
    color: str = BLUE,
    percent: bool = False,
    width_cm: float = 16.0,
    height_cm: float = 8.0,
) -> bytes:
    """Bars with their value written on them; horizontal bars read top-down in the order given."""
    # An ASCII hyphen for negative ticks: the CJK fonts lack U+2212 (matplotlib's default minus).
    with rc_context({"axes.unicode_minus": False}):
        return _bars(title, labels, values, horizontal, color, percent, width_cm, height_cm)


def _bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    horizontal: bool,
    color: str,
    percent: bool,
    width_cm: float,
    height_cm: float,
) -> bytes:
    font = chart_font()
    fig = _figure(width_cm, height_cm)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    shown = [f"{v * 100:.1f}%" if percent else f"{v:g}" for v in values]
    if horizontal:
        bars = ax.barh(positions, values, color=color, height=0.6)
        ax.set_yticks(positions, list(labels))
        ax.invert_yaxis()
        ax.margins(x=0.15)
    else:
        bars = ax.bar(positions, values, color=color, width=0.6)
        ax.set_xticks(positions, list(labels))
        ax.margins(y=0.15)
        if len(labels) > 6 or max((len(s) for s in labels), default=0) > 5:
            for label in ax.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")
    for text in ax.bar_label(bars, labels=shown, padding=2):
        text.set_fontproperties(font)
        text.set_fontsize(7)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    if percent:
        value_axis.set_major_formatter("{x:.0%}")
    elif all(float(v).is_integer() for v in values):
        value_axis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 ticks
    _style(ax, title, font)
    return _png(fig)


def line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    color: str = RED,
    width_cm: float = 16.0,
    height_cm: float = 6.5,
) -> bytes:
    """A daily series; every few labels shown so they never overlap."""
    with rc_context({"axes.unicode_minus": False}):
        return _line(title, labels, values, color, width_cm, height_cm)


def _line(
    title: str, labels: Sequence[str], values: Sequence[float], color: str, width_cm: float, height_cm: float
) -> bytes:
    font = chart_font()
    fig = _figure(width_cm, height_cm)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    ax.plot(positions, values, color=color, marker="o", markersize=2.5, linewidth=1.4)
    ax.fill_between(positions, values, color=color, alpha=0.08)
    step = max(1, len(labels) // 10)
    ax.set_xticks(positions[::step], list(labels)[::step])
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    _style(ax, title, font)
    return _png(fig)
