"""A notification form as data: chapters, questions, answer types and options.

A :class:`FormTable` is versioned like the rule set: a filing stores the key of the table it
was drafted against, so an old filing is shown with the questions it answered even after the
AP changes its form. Wording is kept in Dutch (the form's language) and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..text import N_


class AnswerKind(StrEnum):
    TEXT = "text"  # free text
    CHOICE = "choice"  # one option (with free text where the option asks for it)
    MULTI = "multi"  # one or more options
    YES_NO = "yes_no"  # one of the options yes / no (/ unknown), with an explanation
    DATE = "date"  # a moment, written as text ("12-11-2026 09:30" or "onbekend")
    NUMBER = "number"  # a number or a range, written as text ("ca. 250", "100 tot 400")


@dataclass(frozen=True)
class Option:
    key: str
    nl: str
    en: str
    free_text: bool = False  # "Overig, namelijk ..." — the option needs words beside it

    def label(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Question:
    """One question of the form, numbered as the form numbers it."""

    number: str
    nl: str
    en: str
    kind: AnswerKind = AnswerKind.TEXT
    options: tuple[Option, ...] = ()
    max_length: int = 4000
    art33_3: str = ""  # the element of Art. 33(3) GDPR it answers: "a", "b", "c", "d" or ""
    options_known: bool = True  # False: the form's own options were not found; free text

    @property
    def chapter(self) -> str:
        return self.number.split(".", 1)[0]

    def wording(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Chapter:
    number: str
    nl: str
    en: str

    def title(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class FormTable:
    """A whole form: ``key`` names the version ("ap-2022"), stored with every filing."""

    key: str
    nl: str
    en: str
    source: str  # where the table comes from, and how sure we are of it
    reconstructed: bool  # True: rebuilt from a paraphrase, to be checked against the form
    chapters: tuple[Chapter, ...]
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def title(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def question(self, number: str) -> Question | None:
        return next((q for q in self.questions if q.number == number), None)

    def numbers(self) -> list[str]:
        return [q.number for q in self.questions]

    def in_chapter(self, chapter: str) -> list[Question]:
        return [q for q in self.questions if q.chapter == chapter]


def check_answer(
    question: Question, text: str, choices: tuple[str, ...]
) -> tuple[str, dict[str, int]] | None:
    """Why an answer does not fit the question (an English template and its parameters), or
    None when it fits.

    A choice must be one of the question's options, and words need a choice with them; an
    option that asks for words ("Overig, namelijk") needs the text; nothing may be longer
    than the form accepts.
    """
    if len(text) > question.max_length:
        return N_("At most %(max)d characters: the form accepts no more."), {
            "max": question.max_length
        }
    if question.kind in (AnswerKind.CHOICE, AnswerKind.YES_NO, AnswerKind.MULTI):
        unknown = [c for c in choices if question.option(c) is None]
        if unknown:
            return N_("Choose one of the options the form offers."), {}
        if question.kind is not AnswerKind.MULTI and len(choices) > 1:
            return N_("Choose one option."), {}
        if not choices and text.strip():
            # Words alone would stand as a complete answer where the form asks for a tick
            # (found by exploratory testing: "x" as the kind of notification).
            return N_("Tick an option: the form asks for a choice here (words come with it)."), {}
        if any(o.free_text for c in choices if (o := question.option(c))) and not text.strip():
            return N_("This option asks for an explanation: write it in the text field."), {}
    elif choices:
        return N_("This question has no options; write the answer as text."), {}
    return None
