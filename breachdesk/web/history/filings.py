"""The history's words for filings (to the AP, or as processor to the controller), the AP's
follow-up questions and the answer sheet: which kind of filing, whether it was late, which
question was answered."""

from __future__ import annotations

from flask_babel import LazyString, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from ...domain.notices.ap_2022 import CURRENT, FORMS
from .reading import Data, count_of, moment_of, text_of

#: A question of the AP form is named with its title, cut at a word to at most this long
#: ("vraag 4.5 “Als u later dan 72 uur meldt: waarom?”", "vraag 10.2 “Welke maatregelen …”").
SHORT_TITLE = 50


_FILINGS: dict[tuple[str, str], LazyString] = {
    ("ap", "initial"): _l("first notification to the AP"),
    ("ap", "supplement"): _l("supplement to the notification to the AP"),
    ("ap", "withdrawal"): _l("withdrawal of the notification to the AP"),
    ("controller", "initial"): _l("first notice to the controller"),
    ("controller", "supplement"): _l("supplement to the notice to the controller"),
    ("controller", "withdrawal"): _l("withdrawal of the notice to the controller"),
}
_LATE: dict[tuple[str, bool], LazyString] = {
    ("ap", True): _l("late: after the 72 hours"),
    ("ap", False): _l("within the 72 hours"),
    ("controller", True): _l("late: after the term of the processing agreement"),
    ("controller", False): _l("within the term of the processing agreement"),
}


def filing(before: Data, after: Data) -> list[str]:
    addressee, kind, late = text_of(after, "addressee"), text_of(after, "kind"), after.get("late")
    parts = [str(_FILINGS.get((addressee, kind), ""))]
    if after.get("provisional") is True:
        parts.append(gettext("provisional"))
    if isinstance(late, bool) and (late or kind == "initial"):
        parts.append(str(_LATE.get((addressee, late), "")))
    submitted = moment_of(after, "submitted_at")
    if submitted:
        parts.append(gettext("filed on %(moment)s", moment=submitted))
    reference = text_of(after, "reference")
    if reference:
        parts.append(gettext("reference %(reference)s", reference=reference))
    changed = after.get("changed_questions")
    if kind == "supplement" and isinstance(changed, list) and changed:
        numbers = ", ".join(str(n) for n in changed)
        parts.append(gettext("changed answers: %(numbers)s", numbers=numbers))
    return parts


def answer(before: Data, after: Data) -> list[str]:
    number = text_of(after, "question") or text_of(before, "question")
    if not number:
        return []
    question = (FORMS.get(text_of(after, "form")) or CURRENT).question(number)
    title = question.wording(str(get_locale())) if question else ""
    if len(title) > SHORT_TITLE:
        cut = title[: SHORT_TITLE - 1].rsplit(" ", 1)[0]
        if cut.count("(") > cut.count(")"):  # not inside a parenthesis
            cut = cut[: cut.rindex("(")]
        title = cut.rstrip(" ,;:") + " …"
    if title:
        return [gettext("question %(number)s “%(title)s”", number=number, title=title)]
    return [gettext("question %(number)s", number=number)]


def exchange(before: Data, after: Data) -> list[str]:
    """The question's moments, and the filing it is about (events since December 2026 say)."""
    parts: list[str] = []
    about = _FILINGS.get((text_of(after, "addressee"), text_of(after, "kind")))
    if about:
        submitted = moment_of(after, "submitted_at")
        reference = text_of(after, "reference")
        parts.append(
            gettext("about the %(filing)s of %(moment)s", filing=about, moment=submitted)
            if submitted
            else gettext("about the %(filing)s", filing=about)
        )
        if reference:
            parts.append(gettext("reference %(reference)s", reference=reference))
    asked, answered = moment_of(after, "asked_at"), moment_of(after, "answered_at")
    if asked:
        parts.append(gettext("asked on %(moment)s", moment=asked))
    if answered:
        parts.append(gettext("answered on %(moment)s", moment=answered))
    elif "answered_at" in after:
        parts.append(gettext("not answered yet"))
    return parts


def controller_notice(before: Data, after: Data) -> list[str]:
    kind = after.get("kind")
    parts = {"first": [gettext("first notice")], "supplement": [gettext("supplement")]}.get(
        kind if isinstance(kind, str) else "", []
    )
    recipients = count_of(after, "recipients")
    if recipients:
        parts.append(ngettext("to %(num)d address", "to %(num)d addresses", recipients))
    return parts
