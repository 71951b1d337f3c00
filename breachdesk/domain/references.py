"""Incident references: ``BD-2026-0007``, unique per organisation and calendar year."""

from __future__ import annotations

import re

REFERENCE_RE = re.compile(r"^(?P<prefix>[A-Z]{2,6})-(?P<year>\d{4})-(?P<seq>\d{4,})$")


def format_reference(prefix: str, year: int, seq: int) -> str:
    """Return the human reference for the ``seq``-th incident of ``year`` (1-based).

    Sequence numbers are zero-padded to four digits and grow past 9999 if needed.
    """
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{prefix}-{year:04d}-{seq:04d}"
