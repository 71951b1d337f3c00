"""Drafted answers to the AP form, from what breachdesk knows about an incident.

Every question gets a :class:`Draft`: the answer text (in the sheet's language, Dutch unless
asked otherwise, because the AP form is Dutch), the options it picks, and a status:

* ``complete`` — drafted from facts that were recorded (the report, triage, checklist,
  decision or the organisation's profile); the FG can still edit it;
* ``needs_words`` — a judgement only the FG can make, or a proposal the FG must confirm
  (e.g. the kind of incident, guessed from the measures taken);
* ``missing`` — breachdesk holds nothing to answer with.

``reason`` says why (an English template marked for translation). Nothing here reads a clock
or a database: :class:`SheetFacts` carries everything, including ``now``.

One builder per question number (``_BUILDERS``) drafts the answer; the builders are in a
module per section of the form (see the package's docstring).
"""

from __future__ import annotations

from collections.abc import Callable

from ...text import N_
from ..forms import FormTable
from .breach import _q4_1_1, _q4_1_2, _q4_2, _q4_3, _q4_5, _q5_1, _q5_2, _q5_3, _q5_4
from .common import Draft, Status, _Words
from .consequences import _q9_1, _q9_2, _q9_3
from .controller import _q3_1_1, _q3_1_2, _q3_2_1, _q3_2_2, _q3_3
from .data_and_people import _q6_1, _q6_2, _q6_3_1, _q7_1, _q7_2, _q7_3
from .facts import SheetFacts
from .informing import _q10_1_1, _q10_1_3, _q10_1_7
from .introduction import _q1_1, _q1_2, _q1_3, _q2_1_1, _q2_2_1
from .measures import _q8_1, _q10_2


def draft_answers(form: FormTable, facts: SheetFacts, lang: str = "nl") -> dict[str, Draft]:
    """A draft for every question of ``form`` that breachdesk knows how to answer.

    A question the table has and this module does not know gets a ``missing`` draft, so a new
    form table never silently loses a question.
    """
    w = _Words(lang)
    out: dict[str, Draft] = {}
    for question in form.questions:
        builder = _BUILDERS.get(question.number)
        if builder is None:
            out[question.number] = Draft(
                question.number, "", (), Status.MISSING, N_("breachdesk does not draft this.")
            )
            continue
        draft = builder(facts, w)
        out[question.number] = Draft(
            question.number, draft.text, draft.choices, draft.status, draft.reason
        )
    return out


_BUILDERS: dict[str, Callable[[SheetFacts, _Words], Draft]] = {
    "1.1": _q1_1,
    "1.2": _q1_2,
    "1.3": _q1_3,
    "2.1.1": _q2_1_1,
    "2.2.1": _q2_2_1,
    "3.1.1": _q3_1_1,
    "3.1.2": _q3_1_2,
    "3.2.1": _q3_2_1,
    "3.2.2": _q3_2_2,
    "3.3": _q3_3,
    "4.1.1": _q4_1_1,
    "4.1.2": _q4_1_2,
    "4.2": _q4_2,
    "4.3": _q4_3,
    "4.5": _q4_5,
    "5.1": _q5_1,
    "5.2": _q5_2,
    "5.3": _q5_3,
    "5.4": _q5_4,
    "6.1": _q6_1,
    "6.2": _q6_2,
    "6.3.1": _q6_3_1,
    "7.1": _q7_1,
    "7.2": _q7_2,
    "7.3": _q7_3,
    "8.1": _q8_1,
    "9.1": _q9_1,
    "9.2": _q9_2,
    "9.3": _q9_3,
    "10.1.1": _q10_1_1,
    "10.1.3": _q10_1_3,
    "10.1.7": _q10_1_7,
    "10.2": _q10_2,
}
