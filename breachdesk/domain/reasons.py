"""A reason in plain words, shared by the ENISA score and the legal assessment.

A :class:`Reason` names the factor it is about, the rule it rests on and an English sentence
template marked with ``N_`` (translated by the web layer: ``gettext(message) % params``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .text import N_

Param = str | int | float


@dataclass(frozen=True)
class Reason:
    """One reason in plain words: which factor, which rule it rests on, and the sentence.

    ``factor`` is a stable code, the name of the :class:`Facts` field concerned where there is
    one (e.g. ``"special_category"``), else a rule code (e.g. ``"enisa"``). ``message`` is an
    English template marked with ``N_`` and filled with ``params`` (``message % params``).
    """

    factor: str
    rule: str
    message: str
    params: dict[str, Param] = field(default_factory=dict)

    def text(self) -> str:
        """The English sentence with its parameters filled in."""
        return self.message % self.params


def format_number(value: Fraction | float | int) -> str:
    """Up to two decimals, at least one: 1 → "1.0", 0.25 → "0.25", 3.5 → "3.5"."""
    text = f"{float(value):.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def dedupe(reasons: list[Reason]) -> list[Reason]:
    """``reasons`` without repeats (the same factor and sentence), in their order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for reason in reasons:
        key = (reason.factor, reason.text())
        if key not in seen:
            seen.add(key)
            out.append(reason)
    return out


#: Earlier wordings of reasons, which advice stored before the rewording still carries (a
#: stored reason is shown from its template): kept in the catalogues, so that it still reads
#: in the reader's language.
EARLIER_WORDINGS = (
    N_(
        "Only ordinary data of at most %(max)s people reached a few known recipients by "
        "mistake, with nothing sensitive involved, so the breach is unlikely to result in a "
        "risk."
    ),
    N_(
        "Data were taken (exfiltrated) and the ENISA data score is %(dpc)s, 3 or more, so the "
        "risk is high."
    ),
)
