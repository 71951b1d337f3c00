"""The values an earlier breach register's cells hold, read as a Dutch spreadsheet writes
them: dates with or without a time (Dutch time), yes and no, a number or a range of people
("ca. 250", "100-150", "onbekend"). Used by :mod:`.register_import`, which reads each row of
such a file into a breach. No framework.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from .timeutil import EARLIEST_YEAR, local_to_utc

_YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x", "gemeld", "geinformeerd"}
_NO = {"nee", "n", "no", "0", "false", "onwaar", "niet", "niet gemeld", "-", ""}


#: How an earlier register names the nature of a breach (Art. 4(12) GDPR), by the start of a
#: word, Dutch or English: "vertrouwelijkheid, beschikbaarheid", "C/I", "confidentiality".
_BREACH_TYPES = (
    (("vertrouw", "confiden", "c"), "confidentiality"),
    (("integr", "i"), "integrity"),
    (("beschikb", "availab", "b", "a"), "availability"),
)


def parse_breach_types(raw: str) -> frozenset[str] | None:
    """The kinds of breach a cell names (an empty cell: none); None when a word in it is no
    kind of breach. Words are separated by commas, semicolons, slashes, "+", "en" or "and";
    a single letter counts only alone (C, I, B or A)."""
    words = [w for w in re.split(r"\s*(?:[,;/+&]|\ben\b|\band\b)\s*", raw.lower()) if w.strip()]
    found = set()
    for word in (w.strip() for w in words):
        kind = next(
            (
                name
                for starts, name in _BREACH_TYPES
                if any(word.startswith(s) if len(s) > 1 else word == s for s in starts)
            ),
            None,
        )
        if kind is None:
            return None
        found.add(kind)
    return frozenset(found)


def header_key(header: str) -> str:
    """A header or an answer compared loosely: lower case, no accents on i/e, words only."""
    cleaned = header.lower().replace("ï", "i").replace("ë", "e").replace("é", "e")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", cleaned).split())


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M")


def parse_moment(raw: str) -> datetime | None:
    """A date (or date and time) as a spreadsheet writes it, Dutch time, in UTC; None if it
    cannot be read. A date alone is the start of that day.

    Raises:
        LocalTimeError: it reads as a date and time, but not one that existed in the
            Netherlands (the hour the clocks skip in spring), or past the years people may
            type; its message says so.
    """
    text = raw.strip().replace("T", " ")
    if not text:
        return None
    day_part, _, time_part = text.partition(" ")
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(day_part, fmt).date()
            break
        except ValueError:
            continue
    else:
        return None
    moment = time()
    if time_part.strip():
        for fmt in _TIME_FORMATS:
            try:
                moment = datetime.strptime(time_part.strip()[:8], fmt).time()
                break
            except ValueError:
                continue
        else:
            return None
    if day.year < EARLIEST_YEAR:
        return None
    return local_to_utc(datetime.combine(day, moment))


def has_time(raw: str) -> bool:
    """Whether a cell that :func:`parse_moment` reads gives a time of day, not a date alone."""
    _day, _, time_part = raw.strip().replace("T", " ").partition(" ")
    return bool(time_part.strip())


def parse_yes_no(raw: str) -> bool | None:
    key = header_key(raw)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


#: What an old register writes before a number it only estimated ("ca. 250").
_ABOUT = r"(?:ca\.?\s*|circa\s*|ongeveer\s*|about\s*|~\s*|±\s*)"
#: A whole number, its thousands set apart by dots or spaces in groups of three ("1.200",
#: "12 500"): "12.5" is no number of people (it was read as 125: found by exploratory testing).
_WHOLE = r"(\d{1,3}(?:[.\s]\d{3})+|\d+)"
_COUNT = re.compile(rf"^{_ABOUT}?{_WHOLE}(?:\s*[-–]\s*{_WHOLE})?$")


def is_estimate(raw: str) -> bool:
    """Whether a number of people is written as an estimate: "ca. 250", "± 40"."""
    return re.match(_ABOUT, raw.strip().lower()) is not None


#: What an old register writes for a number of people nobody knew (read as an empty cell).
UNKNOWN_PEOPLE = frozenset(
    {"onbekend", "niet bekend", "n.b.", "nb", "unknown", "not known", "?", "??"}
)


def parse_people(raw: str) -> tuple[int | None, int | None] | None:
    """ "120" -> (120, 120); "100-150" -> (100, 150); "", "onbekend", "?" -> (None, None);
    None if unreadable. Dots and spaces inside a number set its thousands apart ("1.200"), in
    groups of three ("12.5" and "1.2000" are unreadable)."""
    text = raw.strip().lower()
    if not text or text in UNKNOWN_PEOPLE:
        return None, None
    found = _COUNT.match(text)
    if not found:
        return None
    low = int(re.sub(r"[.\s]", "", found.group(1)))
    high = int(re.sub(r"[.\s]", "", found.group(2))) if found.group(2) else low
    if high < low:
        return None
    return low, high
