"""The answer sheet: the drafts with the FG's own answers laid over them.

An answer the FG edited wins over the draft and is kept even when the draft changes later
(the FG's words are never overwritten by a recomputed draft); it counts as answered when it
holds words or a choice. A snapshot is the sheet as filed: question by question the text and
choices, which is what a supplement is compared with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .ap_draft import Draft, Status
from .forms import FormTable, Question

#: From this many hours after awareness the sheet leads with "file provisionally now" while
#: answers are missing (Art. 33(4) GDPR: information may follow in phases).
PROVISIONAL_FROM = timedelta(hours=48)


@dataclass(frozen=True)
class Edit:
    """An answer the FG wrote or changed."""

    text: str
    choices: tuple[str, ...]
    by: str
    at: datetime | None


@dataclass(frozen=True)
class Answer:
    question: Question
    text: str
    choices: tuple[str, ...]
    status: Status
    reason: str
    edited: bool
    draft: Draft
    edit: Edit | None

    @property
    def number(self) -> str:
        return self.question.number


@dataclass(frozen=True)
class Sheet:
    form: FormTable
    answers: tuple[Answer, ...]
    lead_with_provisional: bool

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.status is Status.COMPLETE)

    @property
    def total(self) -> int:
        return len(self.answers)

    def open_answers(self) -> list[Answer]:
        """Missing ones first, then those that need the FG's words, each in form order."""
        missing = [a for a in self.answers if a.status is Status.MISSING]
        words = [a for a in self.answers if a.status is Status.NEEDS_WORDS]
        return missing + words

    def answer(self, number: str) -> Answer | None:
        return next((a for a in self.answers if a.number == number), None)

    def in_chapter(self, chapter: str) -> list[Answer]:
        return [a for a in self.answers if a.question.chapter == chapter]


def build_sheet(
    form: FormTable,
    drafts: Mapping[str, Draft],
    edits: Mapping[str, Edit],
    *,
    hours_since_awareness: float | None,
    decided_to_notify: bool,
) -> Sheet:
    answers = []
    for question in form.questions:
        draft = drafts.get(question.number) or Draft(question.number, "", (), Status.MISSING)
        edit = edits.get(question.number)
        if edit is not None:
            filled = bool(edit.text.strip() or edit.choices)
            answers.append(
                Answer(
                    question,
                    edit.text,
                    edit.choices,
                    Status.COMPLETE if filled else Status.MISSING,
                    "" if filled else draft.reason,
                    True,
                    draft,
                    edit,
                )
            )
        else:
            answers.append(
                Answer(
                    question,
                    draft.text,
                    draft.choices,
                    draft.status,
                    draft.reason,
                    False,
                    draft,
                    None,
                )
            )
    incomplete = any(a.status is not Status.COMPLETE for a in answers)
    late_enough = hours_since_awareness is not None and hours_since_awareness >= (
        PROVISIONAL_FROM.total_seconds() / 3600
    )
    return Sheet(form, tuple(answers), incomplete and (late_enough or decided_to_notify))


# --- Snapshots and the difference between two filings ------------------------------------


def snapshot(sheet: Sheet) -> dict[str, Any]:
    """The sheet as filed: plain JSON, stable order, enough to show it again exactly."""
    return {
        "form": sheet.form.key,
        "answers": [
            {
                "number": a.number,
                "text": a.text,
                "choices": list(a.choices),
                "status": a.status.value,
                "edited": a.edited,
            }
            for a in sheet.answers
        ],
    }


def has_open_answers(data: Mapping[str, Any]) -> bool:
    """Whether a snapshot holds answers that were missing or waited for the FG's words: such a
    filing is provisional (Art. 33(4) GDPR) or filed "as it is" by the FG's explicit choice."""
    return any(a["status"] != Status.COMPLETE.value for a in data.get("answers", []))


def snapshot_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON: what the audit trail holds of a filing."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Change:
    number: str
    before: str  # "" when the question was not answered before
    after: str
    before_choices: tuple[str, ...]
    after_choices: tuple[str, ...]


def _by_number(data: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not data:
        return {}
    return {str(a["number"]): a for a in data.get("answers", [])}


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Change]:
    """The answers that differ between two snapshots, in the order of ``after``."""
    old = _by_number(before)
    out = []
    for number, new in _by_number(after).items():
        was = old.get(number, {"text": "", "choices": []})
        if was["text"] != new["text"] or list(was["choices"]) != list(new["choices"]):
            out.append(
                Change(
                    number,
                    str(was["text"]),
                    str(new["text"]),
                    tuple(was["choices"]),
                    tuple(new["choices"]),
                )
            )
    return out


def rows_from_snapshot(form: FormTable, data: Mapping[str, Any]) -> tuple[Answer, ...]:
    """A filed snapshot as answer rows, in the form's order: the shape a live sheet has.

    The rows carry the text, choices, status and edited flag exactly as filed; a question of
    ``form`` the snapshot lacks is a missing answer. ``draft`` holds the filed answer itself
    and ``reason`` is empty (the reasons were not filed). Answers to numbers ``form`` does not
    know are left out: pass the form the snapshot names (``data["form"]``).
    """
    filed = _by_number(data)
    rows = []
    for question in form.questions:
        entry = filed.get(question.number)
        choices: tuple[str, ...] = ()
        if entry is None:
            text, status, edited = "", Status.MISSING, False
        else:
            text = str(entry.get("text", ""))
            choices = tuple(str(c) for c in entry.get("choices", ()))
            status = Status(entry.get("status", Status.MISSING.value))
            edited = bool(entry.get("edited", False))
        draft = Draft(question.number, text, choices, status)
        rows.append(Answer(question, text, choices, status, "", edited, draft, None))
    return tuple(rows)
