"""Forms of the FG's work on an incident: triage, awareness, decision, reasons.

Shape only: the lifecycle guards and the awareness rules live in the domain.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..domain.assessment import Outcome
from ..domain.checklist import BreachType
from .report_form import DT_FORMAT, MultiCheckboxField, options

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


class TriageForm(FlaskForm):
    personal_data = RadioField(
        _l("Were personal data involved?"), choices=options(TRI), validators=[InputRequired()]
    )
    security_breached = RadioField(
        _l("Was security breached (data disclosed, accessed, altered, lost or destroyed)?"),
        choices=options(TRI),
        validators=[InputRequired()],
    )
    breach_types = MultiCheckboxField(_l("Type of breach"), choices=options(BREACH_TYPES))
    aware_at = DateTimeLocalField(
        _l("When did the organisation become aware?"),
        format=DT_FORMAT,
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


class AwarenessForm(FlaskForm):
    aware_at = DateTimeLocalField(
        _l("Moment of awareness"), format=DT_FORMAT, validators=[InputRequired()]
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[Length(max=5000)],
        description=_l("Required when you change an earlier value; the earlier value is kept."),
    )


class DecisionForm(FlaskForm):
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


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])
