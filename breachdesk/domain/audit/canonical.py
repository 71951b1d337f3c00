"""What gets hashed: canonical JSON text and JSON-safe snapshots of before/after values.

Canonical JSON has sorted keys, no whitespace and non-ASCII characters kept (encoded as
UTF-8 when hashed); timestamps are ISO 8601 in UTC with microseconds. Changing anything here
changes every hash ever computed, so it never changes: a new rendering is a new hash version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..timeutil import ensure_utc


def canonical_json(value: Any) -> str:
    """Deterministic JSON text for hashing: sorted keys, compact, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_text(value: datetime) -> str:
    """``value`` as ISO 8601 text in UTC with microseconds.

    Raises:
        ValueError: ``value`` is naive.
    """
    return ensure_utc(value).isoformat(timespec="microseconds")


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """Make a before/after snapshot JSON-safe (datetimes to UTC ISO text, sets sorted)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return utc_text(value)
        if isinstance(value, set | frozenset):
            return sorted(plain(v) for v in value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if hasattr(value, "value") and isinstance(value.value, str | int):
            return value.value  # enums
        return value

    return {str(k): plain(v) for k, v in values.items()}
