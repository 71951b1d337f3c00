"""Time rules: everything is stored and computed in UTC; Amsterdam time is for people.

Forms ask for local wall-clock time in Europe/Amsterdam. Converting that to UTC has two traps
around the daylight-saving changes, handled here so every caller gets them right:

* in the spring gap (e.g. 2026-03-29 02:30 does not exist) the time is refused;
* in the autumn overlap (2026-10-25 02:30 happens twice) the *earlier* instant is taken,
  which for breach deadlines is the conservative choice (the clock starts sooner).

Times outside :data:`EARLIEST_YEAR` .. :data:`LATEST_YEAR` are refused as well: a breach is
not older than 1970 nor a deadline later than 2100, and near year 1 or 9999 the conversion
itself would overflow.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .text import N_

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


#: The years a time typed by a person may fall in (inclusive).
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
OUT_OF_RANGE = N_("Give a date between %(first)d and %(last)d.")


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be turned into one instant.

    ``message`` is an English template for translation, ``params`` its parameters.
    """

    def __init__(self, message: str, **params: int) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def within_range(value: datetime) -> bool:
    """Whether ``value`` (naive or aware) lies in the years people may type."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; refuse naive datetimes.

    Raises:
        ValueError: ``value`` has no time zone (a naive time is ambiguous by nature).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: a time zone is required")
    return value.astimezone(UTC)


def local_to_utc(local: datetime, zone: ZoneInfo = AMSTERDAM) -> datetime:
    """Interpret a naive wall-clock ``local`` time in ``zone`` and return it in UTC.

    Raises:
        LocalTimeError: the time does not exist in ``zone`` (spring-forward gap), or lies
            outside the years :data:`EARLIEST_YEAR` to :data:`LATEST_YEAR`.
    """
    if not within_range(local):
        raise LocalTimeError(OUT_OF_RANGE, first=EARLIEST_YEAR, last=LATEST_YEAR)
    if local.tzinfo is not None:
        return ensure_utc(local)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    # A wall time that does not exist maps to different instants for fold 0 and 1 and does
    # not survive a round trip through UTC.
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise LocalTimeError(
            N_("This time does not exist in the Netherlands (the clocks moved forward).")
        )
    return min(first.astimezone(UTC), second.astimezone(UTC))


def is_ambiguous(local: datetime, zone: ZoneInfo = AMSTERDAM) -> bool:
    """Whether the naive wall-clock time ``local`` occurs twice in ``zone``: 02:30 on the night
    the clocks go back. :func:`local_to_utc` reads it as the first, the earlier instant (the
    deadline that follows from it is then the earlier one, never an hour too late)."""
    if local.tzinfo is not None:
        return False
    if not within_range(local):
        return False
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    return exists and first.utcoffset() != second.utcoffset()  # (the spring gap: no such time)


def utc_to_local(value: datetime, zone: ZoneInfo = AMSTERDAM) -> datetime:
    """Return the aware UTC ``value`` as an aware datetime in ``zone`` (for display)."""
    return ensure_utc(value).astimezone(zone)


#: How far in the future a reported time may lie before it is refused. Covers clocks of the
#: reporter's device that run slightly ahead.
FUTURE_TOLERANCE = timedelta(minutes=5)
