"""Sane bounds for numbers people type or files carry.

A count of people or records beyond these bounds is a typing error (or a probe), not a fact:
the largest breaches on record affected a few hundred million people. The bounds also keep
every stored count inside a 32-bit database integer.
"""

from __future__ import annotations

import math

from .text import N_

#: At most this many people or records (fits a 32-bit signed integer column).
MAX_COUNT = 1_000_000_000
#: At most this many hours until data were restored (about eleven years).
MAX_HOURS = 100_000
#: At most this many promises of the organisation in the checklist, each at most this long (a
#: paragraph of a privacy statement).
MAX_COMMITMENTS, MAX_COMMITMENT_CHARS = 10, 2_000

OUT_OF_BOUNDS = N_("Give a number from %(low)s to %(high)s.")


def within(value: float, low: float, high: float) -> bool:
    """Whether ``value`` is a finite number from ``low`` to ``high`` (NaN never is)."""
    if isinstance(value, int):  # math.isfinite overflows on ints past the float range
        return low <= value <= high
    return math.isfinite(value) and low <= value <= high
