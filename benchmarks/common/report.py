"""Figures and their printing: percentiles, durations, a plain-text table, SQL counting."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def progress(message: str) -> None:
    """A progress line on stderr (the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def spread(values: Sequence[float]) -> str:
    """min / median / p95 / max of durations in seconds, as milliseconds."""
    if not values:
        return "n/a"
    return (
        f"min {min(values) * 1000:.1f} / med {statistics.median(values) * 1000:.1f} / "
        f"p95 {percentile(values, 95) * 1000:.1f} / max {max(values) * 1000:.1f} ms"
    )


def per_second(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} msg/s" if seconds else "n/a"


@dataclass
class Table:
    """Rows of (what, figure, baseline or remark), printed as plain text."""

    title: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, what: str, figure: str, remark: str = "") -> None:
        self.rows.append((what, figure, remark))

    def render(self) -> str:
        width = max(len(r[0]) for r in self.rows)
        fig_width = max(len(r[1]) for r in self.rows)
        lines = [self.title, "-" * len(self.title)]
        for what, figure, remark in self.rows:
            line = f"  {what.ljust(width)}  {figure.rjust(fig_width)}"
            lines.append(f"{line}   {remark}" if remark else line)
        return "\n".join(lines)


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Run ``action`` ``repeat`` times; the duration of each run in seconds."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return durations


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class StatementCounter:
    """Counts the SQL statements an engine executes (an executemany counts once)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    @contextmanager
    def measure(self) -> Iterator[list[int]]:
        """``with counter.measure() as box:`` ... ``box[0]`` is the count afterwards."""
        box = [0]
        start = self.count
        try:
            yield box
        finally:
            box[0] = self.count - start


def publish(table: Table, script: str, url: str, detail: str, out: str = "") -> None:
    """Print ``table`` under a line naming the script, what was measured (``detail``), the
    database of ``url``, the date and the number of CPUs; also write it to ``out`` if given."""
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    header = (
        f"benchmarks/{script} — {detail}, {engine}, "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs"
    )
    text = header + "\n\n" + table.render()
    print(text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
