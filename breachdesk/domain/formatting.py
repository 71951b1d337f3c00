"""Dates, times, numbers and file sizes written for people, in Dutch ("nl") or English ("en").

Pure functions of the value and the language, so that the web pages (through Jinja filters
that pass the request's language), the e-mails (written in both languages, whatever the
request) and the documents all write a moment, a decimal or a size the same way. Times are
stored in UTC and written in Europe/Amsterdam. Any language other than "en" is written in
Dutch, the app's first language.
"""

from __future__ import annotations

from datetime import date, datetime

from .timeutil import utc_to_local

_MONTHS = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

#: Sizes are counted in units of 1024 bytes, as the upload limits are ("10 MB" each).
_UNITS = ("kB", "MB", "GB", "TB")


def dated(value: datetime | None, date_only: bool) -> datetime | date | None:
    """A moment as a register gave it: the moment itself, or, when the register gave a date
    without a time of day (stored as the start of that Dutch day), that date alone, so that
    it is never shown as "00:00"."""
    if value is None or not date_only:
        return value
    return utc_to_local(value).date()


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def long_date(value: date, lang: str) -> str:
    """A calendar date in words: "4 december 2026" / "4 December 2026".

    An aware datetime is first converted to Amsterdam time.
    """
    if isinstance(value, datetime):
        value = utc_to_local(value)
    return f"{value.day} {_MONTHS[_lang(lang)][value.month - 1]} {value.year}"


def long_datetime(value: datetime, lang: str) -> str:
    """An aware instant in Amsterdam time: "4 december 2026 om 14:05" / "... at 14:05".

    Raises:
        ValueError: ``value`` is naive.
    """
    local = utc_to_local(value)
    word = "at" if _lang(lang) == "en" else "om"
    return f"{long_date(local, lang)} {word} {local:%H:%M}"


def decimal(value: float, lang: str, places: int | None = None) -> str:
    """A number with the language's decimal mark: 3.25 -> "3,25" in Dutch, "3.25" in English.

    ``places`` fixes the number of decimals; by default the shortest form is written.
    """
    text = f"{value:.{places}f}" if places is not None else repr(float(value))
    return text.replace(".", ",") if _lang(lang) == "nl" else text


def file_size(size: int, lang: str) -> str:
    """A size people can read: "512 bytes", "1 byte", "1,2 kB", "3,4 MB" (Dutch decimal mark).

    Below 1 kB the bytes are counted, so a small file never shows as "0 kB"; from 1 kB on, one
    decimal up to 10 units and whole units above.
    """
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    amount = float(size) / 1024
    unit = 0
    while amount >= 1024 and unit < len(_UNITS) - 1:
        amount /= 1024
        unit += 1
    shown = decimal(round(amount, 1), lang, 1) if amount < 10 else f"{round(amount):d}"
    return f"{shown} {_UNITS[unit]}"
