"""The dashboard's arithmetic: calendar months in Dutch time, medians, shares, and the
geometry of a bar chart. No framework; the queries are in ``services/dashboard.py``."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from .timeutil import local_to_utc

#: Months a dashboard shows by default.
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Month:
    first: date  # the first day, Dutch calendar
    start: datetime  # its first moment, in UTC
    end: datetime  # the first moment of the next month, in UTC

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_until(last: date, count: int = DEFAULT_MONTHS) -> list[Month]:
    """The ``count`` calendar months ending with the month of ``last``, oldest first."""
    first = date(last.year, last.month, 1)
    for _ in range(count - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    result = []
    for _ in range(count):
        following = _next_month(first)
        result.append(
            Month(
                first,
                local_to_utc(datetime.combine(first, time())),
                local_to_utc(datetime.combine(following, time())),
            )
        )
        first = following
    return result


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction (None when there is nothing to divide)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def column_chart(
    values: Sequence[tuple[str, int]], *, width: float = 640, height: float = 180, gap: float = 6
) -> tuple[list[Bar], int]:
    """Bars for a column chart of ``values`` in a ``width`` × ``height`` box, and the top of
    its scale (a round number at or above the largest value)."""
    top = nice_top(max((v for _, v in values), default=0))
    step = width / max(1, len(values))
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = height * value / top if top else 0.0
        bars.append(
            Bar(label, value, index * step + gap / 2, height - bar_height, step - gap, bar_height)
        )
    return bars, top


def nice_top(value: int) -> int:
    """The smallest of 2, 4, 10, 20, 40, 100, … at or above ``value`` (at least 2): round
    numbers whose half is a whole number too, for the scale's middle line (a count of 2.5
    breaches, shown as "2", misread the chart)."""
    top = 2
    while top < value:
        for factor in (2, 5 / 2, 2):
            top = round(top * factor)
            if top >= value:
                break
    return top
