"""Incident references: ``BD-2026-0007``, unique per organisation and calendar year."""

from __future__ import annotations

import re

PREFIX_PATTERN = "[A-Z]{2,6}"  # an organisation's letters, e.g. KRX (also in the profile schema)
REFERENCE_RE = re.compile(rf"^(?P<prefix>{PREFIX_PATTERN})-(?P<year>\d{{4}})-(?P<seq>\d{{4,}})$")
DEFAULT_PREFIX = "BD"


def normalise_prefix(text: str) -> str | None:
    """The prefix as stored ("krx " → "KRX"); None when empty; ValueError when not 2-6 letters."""
    value = text.strip().upper()
    if not value:
        return None
    if not re.fullmatch(PREFIX_PATTERN, value):
        raise ValueError(value)
    return value


def format_reference(prefix: str, year: int, seq: int) -> str:
    """Return the human reference for the ``seq``-th incident of ``year`` (1-based).

    Sequence numbers are zero-padded to four digits and grow past 9999 if needed.
    """
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{prefix}-{year:04d}-{seq:04d}"
