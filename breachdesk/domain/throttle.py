"""The arithmetic of slowing down guesses and capping floods (no Flask, no database).

Two kinds of limit:

* :class:`Policy` — *growing delays* for failed attempts (a wrong password, a wrong code).
  ``free`` attempts may fail without waiting; after the ``free``-th failure the next attempt
  must wait ``base`` seconds after the last failure, after the next ``base * factor``, and so
  on up to ``cap``. The count is
  forgotten after ``window`` seconds without a failure (and, per account, after a success).
  Nobody is ever locked out: the longest wait after a failure is ``cap``.
* :class:`Cap` — a *fixed window* for plain volume (reports, follow-up posts, reset mails):
  at most ``amount`` requests per ``period`` seconds; the window starts at the first request.

Policies are written in settings as ``"free=5 base=15 factor=2 cap=900 window=86400"``; caps
as Flask-Limiter's ``"5 per minute;20 per hour"``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    """Growing delays after failed attempts. All durations in seconds."""

    name: str
    free: int = 5
    base: float = 15.0
    factor: float = 2.0
    cap: float = 900.0
    window: float = 86_400.0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9_.-]{1,40}", self.name):
            raise ValueError(f"policy name {self.name!r}: 1-40 of a-z 0-9 _ . -")
        if self.free < 1 or self.base <= 0 or self.factor < 1 or self.cap < self.base:
            raise ValueError(
                f"policy {self.name}: need free >= 1, base > 0, factor >= 1, cap >= base"
            )
        if self.window < self.cap:
            raise ValueError(f"policy {self.name}: window must be at least the cap")

    @classmethod
    def parse(cls, name: str, text: str) -> Policy:
        """``"free=5 base=15 factor=2 cap=900 window=86400"`` (any subset, any order)."""
        values: dict[str, float] = {}
        for part in text.replace(",", " ").replace(";", " ").split():
            field, sep, number = part.partition("=")
            if not sep or field not in {"free", "base", "factor", "cap", "window"}:
                raise ValueError(f"policy {name}: cannot read {part!r}")
            values[field] = float(number)
        free = values.pop("free", cls.free)
        if free != int(free):
            raise ValueError(f"policy {name}: free must be a whole number")
        return cls(name, free=int(free), **values)

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` failed attempts (0: go ahead)."""
        if failures < self.free:
            return 0.0
        # factor ** n overflows for large counts: stop growing once past the cap
        grown = self.base
        for _ in range(failures - self.free):
            grown *= self.factor
            if grown >= self.cap:
                return self.cap
        return min(grown, self.cap)

    def wait(self, failures: int, last_failure: datetime, now: datetime) -> int:
        """Whole seconds still to wait at ``now`` (rounded up; 0: go ahead)."""
        if now - last_failure >= timedelta(seconds=self.window):
            return 0  # forgotten
        remaining = (last_failure + timedelta(seconds=self.delay(failures)) - now).total_seconds()
        return max(0, math.ceil(remaining))


@dataclass(frozen=True)
class Cap:
    """At most ``amount`` requests per ``period`` seconds (a fixed window from the first)."""

    name: str
    amount: int
    period: int

    def __post_init__(self) -> None:
        if self.amount < 1 or self.period < 1:
            raise ValueError(f"cap {self.name}: amount and period must be positive")

    def wait(self, count: int, started: datetime, now: datetime) -> int:
        """Whole seconds until the window of a request numbered ``count`` lets it through."""
        if count <= self.amount:
            return 0
        remaining = (started + timedelta(seconds=self.period) - now).total_seconds()
        return max(0, math.ceil(remaining))


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
_CAP = re.compile(r"\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*", re.IGNORECASE)


def parse_caps(name: str, text: str) -> tuple[Cap, ...]:
    """``"5 per minute;20 per hour"`` → two caps named ``name-60`` and ``name-3600``."""
    caps = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _CAP.fullmatch(part)
        if match is None:
            raise ValueError(f"cap {name}: cannot read {part!r}")
        amount, multiple, unit = match.groups()
        period = int(multiple or 1) * _PERIODS[unit.lower()]
        caps.append(Cap(f"{name}-{period}", int(amount), period))
    return tuple(caps)
