"""What a decision commits the organisation to, when a decision is out of date, and how the
duty to inform the people affected was met.

A decision rests on the checklist answers of its day. When the answers change so that the
recommendation would now commit the organisation to *different* duties (notify the AP,
inform the people affected, make a public communication), the decision is out of date. Until
the FG decides again, breachdesk keeps the clock and the reminders running for every duty
that either the decision or the new recommendation names (the union), and the incident
cannot be closed: a changed answer can never silently switch a duty off.

Closing also checks the duties towards people (GDPR Art. 34). When the decision says they
must be informed, the FG records when and how they were — or the ground on which they need
not be: Art. 34(3)(a) the data were unintelligible to anyone not authorised (state-of-the-art
encryption with a safe key), (b) measures taken afterwards make the high risk no longer
likely, (c) informing each person would take a disproportionate effort, in which case a
public communication is made instead — or another reason. The register shows what was
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .assessment import OUTCOME_DUTIES, Outcome
from .text import N_

#: A note explaining a ground or a reason needs at least this many characters.
MIN_NOTE = 20


@dataclass(frozen=True)
class Duties:
    """The duties an outcome commits the organisation to."""

    notify_ap: bool = False
    inform_subjects: bool = False  # Art. 34(1): tell each person
    public_communication: bool = False  # Art. 34(3)(c): tell the public instead

    @classmethod
    def of(cls, outcome: Outcome) -> Duties:
        return cls(*OUTCOME_DUTIES[outcome])

    def __or__(self, other: Duties) -> Duties:
        return Duties(
            self.notify_ap or other.notify_ap,
            self.inform_subjects or other.inform_subjects,
            self.public_communication or other.public_communication,
        )


def is_stale(recommended_then: Outcome, recommended_now: Outcome) -> bool:
    """True when the recommendation now commits to other duties than when the FG decided.

    Compared with the recommendation of the decision's day, not with the decision itself: a
    deliberate deviation by the FG does not become stale while the facts stay the same.
    """
    return Duties.of(recommended_then) != Duties.of(recommended_now)


def owed(decided: Duties, stale: bool, recommended_now: Outcome | None) -> Duties:
    """The duties to keep running: the decision's, joined while stale with the new advice's."""
    if stale and recommended_now is not None:
        return decided | Duties.of(recommended_now)
    return decided


class SubjectsResolution(StrEnum):
    """How the duty to inform the people affected was met, or why it did not apply."""

    INFORMED = "informed"
    ENCRYPTED = "art34_3a"  # unintelligible to anyone not authorised
    MEASURES = "art34_3b"  # the high risk is no longer likely
    DISPROPORTIONATE = "art34_3c"  # a public communication instead
    OTHER = "other"
    #: Only for a breach imported from an earlier register that does not say whether the
    #: people were informed: never a choice when closing.
    NOT_RECORDED = "not_recorded"


#: What the FG may choose when closing (the import's "not recorded" is not a choice).
SUBJECTS_CHOICES = tuple(r for r in SubjectsResolution if r is not SubjectsResolution.NOT_RECORDED)

SUBJECTS_RESOLUTION_LABELS: dict[SubjectsResolution, str] = {
    SubjectsResolution.INFORMED: N_("The people affected were informed"),
    SubjectsResolution.ENCRYPTED: N_(
        "Art. 34(3)(a): the data were unintelligible to anyone not authorised (e.g. encrypted)"
    ),
    SubjectsResolution.MEASURES: N_(
        "Art. 34(3)(b): measures taken afterwards make the high risk no longer likely"
    ),
    SubjectsResolution.DISPROPORTIONATE: N_(
        "Art. 34(3)(c): informing each person would take a disproportionate effort; "
        "a public communication was made instead"
    ),
    SubjectsResolution.OTHER: N_("Another reason (explain)"),
    SubjectsResolution.NOT_RECORDED: N_(
        "Not known: the earlier register this breach was imported from does not say"
    ),
}


class PublicResolution(StrEnum):
    PUBLISHED = "published"
    OTHER = "other"


PUBLIC_RESOLUTION_LABELS: dict[PublicResolution, str] = {
    PublicResolution.PUBLISHED: N_("The public communication was made"),
    PublicResolution.OTHER: N_("Another reason (explain)"),
}


@dataclass(frozen=True)
class Resolution:
    """What the FG records for one duty towards people when closing."""

    outcome: str  # a SubjectsResolution or PublicResolution value
    at: datetime | None  # when the people (or the public) were informed
    note: str  # how they were informed, or the ground or reason explained


def resolution_problems(
    resolution: Resolution, done: str, aware_at: datetime | None, now: datetime
) -> list[tuple[str, str]]:
    """Every problem with ``resolution`` as (field, message): field ``at`` or ``note``; [] if
    none.

    ``done`` is the outcome that means "it was done" (informed / published); it needs the
    moment and how; every other outcome needs its ground or reason explained.
    """
    choices = (
        {r.value for r in SUBJECTS_CHOICES}
        if done == SubjectsResolution.INFORMED
        else {r.value for r in PublicResolution}
    )
    if resolution.outcome not in choices:  # a forged form: the page offers only these
        return [("outcome", N_("Choose one of the options given."))]
    problems: list[tuple[str, str]] = []
    if resolution.outcome == done:
        if resolution.at is None:
            problems.append(("at", N_("Give the date and time when they were informed.")))
        elif resolution.at > now + timedelta(minutes=5):
            problems.append(("at", N_("This moment lies in the future.")))
        elif aware_at is not None and resolution.at < aware_at - timedelta(days=1):
            problems.append(
                ("at", N_("This lies before the organisation became aware of the breach."))
            )
        if not resolution.note.strip():
            problems.append(
                ("note", N_("Say how they were informed (e-mail, letter, website, …)."))
            )
    elif len(resolution.note.strip()) < MIN_NOTE:
        problems.append(
            ("note", N_("Explain the ground or the reason in a sentence; the AP may ask."))
        )
    return problems


def resolution_problem(
    resolution: Resolution, done: str, aware_at: datetime | None, now: datetime
) -> tuple[str, str] | None:
    """The first of :func:`resolution_problems`, or None."""
    problems = resolution_problems(resolution, done, aware_at, now)
    return problems[0] if problems else None
