"""The funnel as an SVG chart drawn on the server (issue 20): no chart library in the
browser, and the numbers are text in the picture, readable by a test or a screen
reader."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.funnel import FunnelRow
from bot.support.display import FUNNEL_LABELS

LABEL_WIDTH = 170
BAR_WIDTH = 420
ROW_HEIGHT = 46
TOP = 30


@dataclass(frozen=True)
class Bar:
    step: str
    label: str
    y: int
    reached: int
    finished: int
    reached_width: float
    finished_width: float
    conversion: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH


def funnel_chart(rows: list[FunnelRow]) -> Chart:
    """Two bars a step, against the widest row: reached (light) and finished (dark)."""
    widest = max((row.reached for row in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        conversion = "-" if row.conversion is None else f"{row.conversion:.0%}"
        bars.append(
            Bar(
                step=row.step,
                label=FUNNEL_LABELS.get(row.step, row.step),
                y=TOP + i * ROW_HEIGHT,
                reached=row.reached,
                finished=row.finished,
                reached_width=round(BAR_WIDTH * row.reached / widest, 1),
                finished_width=round(BAR_WIDTH * row.finished / widest, 1),
                conversion=conversion,
            )
        )
    return Chart(bars, LABEL_WIDTH + BAR_WIDTH + 130, TOP + len(rows) * ROW_HEIGHT + 10)
