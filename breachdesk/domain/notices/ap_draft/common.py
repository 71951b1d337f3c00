"""What every question's builder returns, and the helpers all builders share.

* :class:`Draft` — one drafted answer: the text, the options it picks, its :class:`Status`
  and the ``reason`` for that status (an English template marked with ``N_``);
* ``_Words`` — the sheet's language: ``w("nl text", "en text")`` picks one; dates are shown in
  Dutch time, lists joined with "en"/"and", numbers grouped the Dutch or English way;
* ``_d`` and ``_missing`` — short ways for a builder to write a draft (the number is filled in
  by :func:`~.drafting.draft_answers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ...timeutil import utc_to_local


class Status(StrEnum):
    COMPLETE = "complete"
    NEEDS_WORDS = "needs_words"
    MISSING = "missing"


@dataclass(frozen=True)
class Draft:
    number: str
    text: str
    choices: tuple[str, ...] = ()
    status: Status = Status.COMPLETE
    reason: str = ""  # English template (N_), why this status


class _Words:
    """The sheet's language: ``w("nl text", "en text")`` picks one."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, nl: str, en: str) -> str:
        return nl if self.lang == "nl" else en

    def when(self, value: datetime) -> str:
        local = utc_to_local(value)
        return local.strftime("%d-%m-%Y %H:%M") + self(" (Nederlandse tijd)", " (Dutch time)")

    def listing(self, items: Sequence[str]) -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self(" en ", " and ") + items[-1]

    def count(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "nl" else text


def _d(
    text: str, choices: tuple[str, ...] = (), status: Status = Status.COMPLETE, reason: str = ""
) -> Draft:
    return Draft("", text, choices, status, reason)


def _missing(reason: str) -> Draft:
    return _d("", (), Status.MISSING, reason)
