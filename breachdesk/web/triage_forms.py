"""Forms of the FG's work on an incident: triage, awareness, decision, reasons.

Shape only: the lifecycle guards and the awareness rules live in the domain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from ..domain.assessment import Outcome
from ..domain.checklist import BreachType, Tri
from ..domain.duties import PUBLIC_RESOLUTION_LABELS, SUBJECTS_CHOICES, SUBJECTS_RESOLUTION_LABELS
from ..domain.timeutil import utc_to_local
from .fields import LocalDateTimeField, PageForm
from .form_checks import read
from .report_form import MultiCheckboxField, options

#: WTForms' own words were "Nummer moet tussen 1 en 336 liggen." ("nummer": an identifier).
NUMBER_RANGE = _l("Give a whole number from %(min)s to %(max)s.")

TRI = [("yes", _l("Yes")), ("no", _l("No")), ("unknown", _l("Not yet known"))]
BREACH_TYPES = [
    (
        BreachType.CONFIDENTIALITY.value,
        _l("Confidentiality: data seen by or sent to someone not entitled"),
    ),
    (BreachType.INTEGRITY.value, _l("Integrity: data altered")),
    (BreachType.AVAILABILITY.value, _l("Availability: data lost, destroyed or inaccessible")),
]
OUTCOME_LABELS = {
    Outcome.REGISTER_ONLY: _l("Register only (no notification)"),
    Outcome.NOTIFY_AP: _l("Notify the AP"),
    Outcome.NOTIFY_AP_AND_SUBJECTS: _l("Notify the AP and inform the people affected"),
    Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION: _l(
        "Notify the AP and make a public communication (Art. 34(3)(c))"
    ),
}


class TriageForm(PageForm):
    personal_data = RadioField(
        _l("Were personal data involved?"), choices=options(TRI), validators=[InputRequired()]
    )
    security_breached = RadioField(
        _l("Was security breached (data disclosed, accessed, altered, lost or destroyed)?"),
        choices=options(TRI),
        validators=[InputRequired()],
    )
    breach_types = MultiCheckboxField(_l("Type of breach"), choices=options(BREACH_TYPES))
    aware_at = LocalDateTimeField(
        _l("When did the organisation become aware?"),
        validators=[Optional()],
        description=_l(
            "The moment there was reasonable certainty that personal data were compromised. "
            "The 72 hours start here. Dutch time."
        ),
    )
    reason = TextAreaField(
        _l("Reasoning"),
        validators=[Length(max=10000)],
        description=_l("Required when this is not a personal-data breach: why not?"),
    )
    our_role = RadioField(
        _l("Our role for these data"),
        choices=options(
            [
                ("controller", _l("Controller: we notify the AP within 72 hours")),
                ("processor", _l("Processor: we inform the controller (Art. 33(2))")),
            ]
        ),
        default="controller",
    )
    controller_name = StringField(
        _l("Controller to inform"),
        validators=[Length(max=200)],
        description=_l("Only when we process these data for another organisation."),
    )


class TriageCorrectionForm(PageForm):
    """Correct the triage of a confirmed breach (types, our role) without going back."""

    breach_types = MultiCheckboxField(_l("Type of breach"), choices=options(BREACH_TYPES))
    our_role = TriageForm.our_role
    controller_name = TriageForm.controller_name
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            InputRequired(_l("Write down the reason for the correction.")),
            Length(max=10000),
        ],
        description=_l("The earlier answers stay in the audit trail."),
    )


class AwarenessForm(PageForm):
    aware_at = LocalDateTimeField(_l("Moment of awareness"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[Length(max=5000)],
        description=_l("Required when you change an earlier value; the earlier value is kept."),
    )


class DecisionForm(PageForm):
    outcome = SelectField(
        _l("Decision"),
        choices=options(
            [("", _l("Follow the recommendation"))]
            + [(o.value, label) for o, label in OUTCOME_LABELS.items()]
        ),
    )
    rationale = TextAreaField(
        _l("Rationale"),
        validators=[Length(max=20000)],
        description=_l("Required when your decision differs from the recommendation."),
    )
    # What the page showed: the latest decision version (0: none) and the checklist version.
    seen_decision = HiddenField()
    seen_checklist = HiddenField()


class ReasonForm(PageForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])


class NotificationForm(PageForm):
    """The filing of the notification: to the AP, or (as processor) to the controller."""

    seen_filings = HiddenField()  # how many filings the page showed (optimistic locking)

    submitted_at = LocalDateTimeField(
        _l("Submitted at"),
        validators=[InputRequired()],
        description=_l("Dutch time, as on the confirmation of the AP's form."),
    )
    reference = StringField(
        _l("Reference number (meldnummer)"),
        validators=[Length(max=100)],
        description=_l("The number the AP gives on submission; leave empty if there is none."),
    )
    provisional = BooleanField(
        _l("Provisional notification: it will be supplemented (Art. 33(4) GDPR)")
    )
    delay_reason = TextAreaField(
        _l("Reasons for the delay"),
        validators=[Length(max=10000)],
        description=_l("Required when the deadline had passed."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10000)])
    confirm_incomplete = BooleanField(
        _l("Some answers were still open, and I filed it as it is (not provisional)")
    )


def fresh_notification_form(filings: int, now: datetime, delay_reason: str) -> NotificationForm:
    """The filing form as a page first shows it: ``filings`` already recorded (optimistic
    locking), submitted now (Dutch time, ``now`` aware), and the reasons for the delay as the
    FG wrote them on the answer sheet."""
    form = NotificationForm(formdata=None)
    form.seen_filings.data = str(filings)
    form.submitted_at.data = utc_to_local(now).replace(tzinfo=None, second=0, microsecond=0)
    form.delay_reason.data = delay_reason
    return form


class WithdrawalForm(PageForm):
    """Withdrawing the notification at the AP (intrekking): when, and why."""

    seen_filings = HiddenField()
    submitted_at = LocalDateTimeField(_l("Withdrawn at"), validators=[InputRequired()])
    reference = StringField(
        _l("Reference number (meldnummer)"),
        validators=[Length(max=100)],
        description=_l("Leave empty to keep the number of the first filing."),
    )
    reason = TextAreaField(
        _l("Reason for withdrawing"),
        validators=[Length(max=10000)],
        description=_l("For example: further investigation showed that no personal data leaked."),
    )


class ExchangeForm(PageForm):
    """A follow-up question of the AP about a filing, and the answer given."""

    notification_id = HiddenField()
    asked_at = LocalDateTimeField(_l("Asked at"), validators=[InputRequired()])
    question = TextAreaField(_l("The AP's question"), validators=[Length(max=10000)])
    answer = TextAreaField(_l("Our answer"), validators=[Length(max=10000)])
    answered_at = LocalDateTimeField(_l("Answered at"), validators=[Optional()])


class AnswerForm(PageForm):
    """One answer of the AP sheet; the options come as ``choices`` from the request itself
    (they differ per question) and the domain checks them against the form's table."""

    number = HiddenField()
    version = HiddenField()
    text = TextAreaField(_l("Answer"))
    action = HiddenField(default="save")


def _hours_list(text: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(
            int(part) for part in (text or "").replace(";", ",").split(",") if part.strip()
        )
    except ValueError:
        return None


class ClockSettingsForm(PageForm):
    version = HiddenField()  # the settings version the page showed (optimistic locking)
    reminder_offsets = StringField(
        _l("Reminders, hours after awareness"),
        validators=[InputRequired(), Length(max=100)],
        description=_l("Comma-separated, between 1 and 71; default 24, 48, 60, 70."),
    )
    deputy_email = EmailField(
        _l("Deputy (e-mail)"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Receives every reminder too, for when the FG is away."),
    )
    escalation_name = StringField(_l("Escalation contact (name)"), validators=[Length(max=200)])
    escalation_email = EmailField(
        _l("Escalation contact (e-mail)"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Told when a deadline passes without a notification, e.g. the director."),
    )
    processor_term_hours = IntegerField(
        _l("Term towards a controller when we are processor (hours)"),
        validators=[InputRequired(), NumberRange(min=1, max=336, message=NUMBER_RANGE)],
        description=_l("From the processing agreement, e.g. 24 or 36."),
    )
    processor_hours_before = StringField(
        _l("Processor reminders, hours before that term ends"),
        validators=[InputRequired(), Length(max=100)],
        description=_l("Comma-separated; default 12, 4, 1."),
    )
    ap_reporting_url = StringField(
        _l("The AP's reporting form (web address)"),
        validators=[Length(max=500)],
        description=_l(
            "The answer sheet links to it. Leave empty for the installation's default "
            "(the AP's Meldformulier datalekken)."
        ),
    )

    notice_rate_per_minute = IntegerField(
        _l("Notices to people: at most this many e-mails a minute"),
        validators=[Optional(), NumberRange(min=0, max=100000, message=NUMBER_RANGE)],
        description=_l(
            "Your mail provider's limit (Microsoft 365: about 30 a minute per mailbox); "
            "0 for no limit."
        ),
    )
    office_days = MultiCheckboxField(
        _l("Office days"),
        choices=options(
            [
                ("1", _l("Monday")),
                ("2", _l("Tuesday")),
                ("3", _l("Wednesday")),
                ("4", _l("Thursday")),
                ("5", _l("Friday")),
                ("6", _l("Saturday")),
                ("7", _l("Sunday")),
            ]
        ),
    )
    office_start_hour = IntegerField(
        _l("Office hours start (hour)"),
        validators=[Optional(), NumberRange(min=0, max=23, message=NUMBER_RANGE)],
    )
    office_end_hour = IntegerField(
        _l("Office hours end (hour)"),
        validators=[Optional(), NumberRange(min=1, max=24, message=NUMBER_RANGE)],
    )
    untriaged_office_hours = IntegerField(
        _l("Chase a report not yet triaged after this many office hours"),
        validators=[Optional(), NumberRange(min=1, max=40, message=NUMBER_RANGE)],
        description=_l(
            "The FG and the deputy are reminded, then the escalation contact; never later than "
            "8 hours after the report, whatever the office hours. Default 4."
        ),
    )
    recipient_retention_days = IntegerField(
        _l("Keep the lists of people this many days after closing"),
        validators=[Optional(), NumberRange(min=1, max=3650, message=NUMBER_RANGE)],
        description=_l(
            "Then names and addresses are erased; the counts and the proof of what was sent stay."
        ),
    )
    retention_days = IntegerField(
        _l("Erase the breach data this many days after closing"),
        validators=[Optional(), NumberRange(min=30, max=3650, message=NUMBER_RANGE)],
        description=_l(
            "Attachments, mails, lists of people and free texts are erased; the register entry "
            "(facts, counts, reasoning, digests) stays. Empty: kept until you choose a period."
        ),
    )

    def hours(self, name: str) -> tuple[int, ...] | None:
        """The hours typed in field ``name``; None (with an error at the field) if not numbers."""
        values = _hours_list(self[name].data)
        if values is None or not values:
            self[name].errors = [*self[name].errors, _l("Give whole hours, separated by commas.")]
            return None
        return values


def read_tri(form_field: Any) -> Tri | None:
    """A yes / no / not yet known answer; None when not given or the field has an error."""
    value = read(form_field)
    return Tri(value) if value in Tri._value2member_map_ else None


def read_breach_types(form_field: Any) -> frozenset[BreachType] | None:
    """The types of breach ticked; None when the field has an error (not known)."""
    if form_field.errors:
        return None
    return frozenset(BreachType(t) for t in form_field.data or [])


def seen(form_field: Any) -> int | None:
    """The version a hidden field carried back; None when absent or not a small number."""
    value = str(form_field.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


SUBJECTS_RESOLUTIONS = [(r.value, _l(SUBJECTS_RESOLUTION_LABELS[r])) for r in SUBJECTS_CHOICES]
PUBLIC_RESOLUTIONS = [(r.value, _l(label)) for r, label in PUBLIC_RESOLUTION_LABELS.items()]


class CloseForm(PageForm):
    """Closing; when a duty towards people is owed, how it was met (Art. 34)."""

    subjects_outcome = RadioField(
        _l("The people affected"), choices=options(SUBJECTS_RESOLUTIONS), validate_choice=False
    )
    subjects_at = LocalDateTimeField(
        _l("When were they informed?"),
        validators=[Optional()],
        description=_l("Dutch time. Only when they were informed."),
    )
    subjects_note = TextAreaField(
        _l("How, or the ground or reason"),
        validators=[Length(max=5000)],
        description=_l(
            "How they were informed (e-mail, letter, …), or why the ground applies; "
            "the register shows it."
        ),
    )
    public_outcome = RadioField(
        _l("The public communication"), choices=options(PUBLIC_RESOLUTIONS), validate_choice=False
    )
    public_at = LocalDateTimeField(_l("When was it made?"), validators=[Optional()])
    public_note = TextAreaField(
        _l("Where, or the reason"),
        validators=[Length(max=5000)],
        description=_l("Where it was published (website, newspaper, …), or why not."),
    )
