"""The staff incident report form: shape only. Meaning is checked by the domain.

Times are typed as Amsterdam wall-clock time and turned into UTC here (a time that does not
exist because of the clock change is an error on its field).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.profile import OrganisationProfile
from ..domain.report import Answer, Containment, CountMode, IncidentReport, Protection
from ..domain.timeutil import utc_to_local
from .fields import CountField, LocalDateTimeField, PageForm
from .form_checks import read, read_utc


def options(pairs: list[tuple[str, object]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (tuple choices are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ANSWER_PAIRS = [
    (Answer.YES.value, _l("Yes")),
    (Answer.NO.value, _l("No")),
    (Answer.UNKNOWN.value, _l("I don't know")),
]
ANSWERS = options(ANSWER_PAIRS)  # type: ignore[arg-type]


#: First-aid measures, as the report form and the register name them.
CONTAINMENT = [
    (Containment.RECALL_EMAIL.value, _l("E-mail recalled")),
    (Containment.ASKED_DELETION.value, _l("Recipient asked to delete it")),
    (Containment.REMOTE_WIPE.value, _l("Device wiped remotely")),
    (Containment.PASSWORD_RESET.value, _l("Passwords reset")),
    (Containment.ACCESS_BLOCKED.value, _l("Access blocked")),
    (Containment.RETRIEVED.value, _l("Letter, device or file retrieved")),
    (Containment.OTHER.value, _l("Something else")),
]


_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ReportForm(PageForm):
    # The form's own key, made when it is first shown and kept through its errors: the same
    # form sent again (back and send, a reload) finds the report it made instead of making a
    # second (services.incidents.AlreadyReported).
    submission = HiddenField()
    title = StringField(
        _l("Short title"),
        validators=[DataRequired(_l("Give a short title.")), Length(max=200)],
        description=_l("For example: “E-mail with client list sent to wrong person”."),
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(_l("Describe what happened.")), Length(max=20000)],
        description=_l(
            "In your own words: what went wrong, who noticed, who may have seen the data."
        ),
    )
    started_at = LocalDateTimeField(
        _l("When did it start?"),
        validators=[Optional()],
        description=_l("Leave empty if you do not know."),
    )
    ended_at = LocalDateTimeField(
        _l("When did it end?"),
        validators=[Optional()],
        description=_l("Leave empty if it is still going on or you do not know."),
    )
    discovered_at = LocalDateTimeField(
        _l("When was it discovered?"),
        validators=[InputRequired(_l("Give the date and time it was discovered."))],
    )
    discovery_how = TextAreaField(
        _l("How was it discovered?"),
        validators=[Length(max=5000)],
        description=_l(
            "For example: the recipient called us, a colleague noticed, a system alert."
        ),
    )
    ongoing = RadioField(
        _l("Is it still going on?"),
        choices=ANSWERS,
        default=Answer.UNKNOWN.value,
        validators=[InputRequired()],
    )
    processor_keys = MultiCheckboxField(_l("Systems or suppliers involved"), choices=[])
    systems_other = StringField(
        _l("Other system or supplier"),
        validators=[Length(max=500)],
        description=_l("For example: own file server, paper file, phone."),
    )
    data_category_keys = MultiCheckboxField(_l("Kinds of personal data involved"), choices=[])
    data_other = StringField(_l("Other kinds of data"), validators=[Length(max=1000)])
    subjects_mode = RadioField(
        _l("How many people are affected?"),
        choices=options(
            [
                (CountMode.EXACT.value, _l("Exactly")),
                (CountMode.RANGE.value, _l("Between a minimum and a maximum")),
                (CountMode.UNKNOWN.value, _l("Not known yet")),
            ]
        ),
        default=CountMode.UNKNOWN.value,
        validators=[InputRequired()],
    )
    subjects_exact = CountField(_l("Number of people"), validators=[Optional()])
    subjects_min = CountField(_l("Minimum"), validators=[Optional()])
    subjects_max = CountField(_l("Maximum"), validators=[Optional()])
    records_count = CountField(
        _l("Number of records (if known)"),
        validators=[Optional()],
        description=_l("For example the number of rows in a list or files in a folder."),
    )
    subject_group_keys = MultiCheckboxField(_l("Groups of people"), choices=[])
    subject_groups_other = StringField(_l("Other groups"), validators=[Length(max=1000)])
    children_involved = RadioField(
        _l("Are children (under 16) among them?"),
        choices=ANSWERS,
        default=Answer.UNKNOWN.value,
        validators=[InputRequired()],
    )
    protection = RadioField(
        _l("Were the data encrypted or otherwise protected?"),
        choices=options(
            [
                (Protection.ENCRYPTED.value, _l("Yes, encrypted or unreadable for others")),
                (Protection.PARTIALLY.value, _l("Partly")),
                (Protection.NONE.value, _l("No")),
                (Protection.UNKNOWN.value, _l("I don't know")),
            ]
        ),
        default=Protection.UNKNOWN.value,
        validators=[InputRequired()],
    )
    protection_details = StringField(
        _l("Details of the protection"),
        validators=[Length(max=1000)],
        description=_l("For example: BitLocker on the laptop, password-protected ZIP file."),
    )
    containment = MultiCheckboxField(
        _l("What has already been done?"), choices=options(CONTAINMENT)
    )
    containment_details = TextAreaField(
        _l("Details of what was done"), validators=[Length(max=5000)]
    )
    reported_by_processor = BooleanField(_l("A supplier (processor) reported this to us"))
    reporting_processor_key = SelectField(_l("Which supplier?"), choices=[], validate_choice=False)
    reporting_processor_name = StringField(
        _l("Supplier not in the list"), validators=[Length(max=200)]
    )
    processor_aware_at = LocalDateTimeField(
        _l("When did the supplier become aware?"), validators=[Optional()]
    )
    processor_notified_at = LocalDateTimeField(
        _l("When did the supplier tell us?"), validators=[Optional()]
    )
    evidence = MultipleFileField(_l("Evidence (optional)"))

    def submission_key(self) -> str | None:
        """The key this form was shown with (None: none, or not one breachdesk made)."""
        value = self.submission.data or ""
        return value if _SUBMISSION_KEY.fullmatch(value) else None

    def give_submission_key(self) -> None:
        """A key for a form shown for the first time (a form sent back keeps its own)."""
        if self.submission_key() is None:
            self.submission.data = secrets.token_urlsafe(24)

    def set_choices(self, profile: OrganisationProfile, locale: str) -> None:
        """Fill the pick lists from the organisation's profile, in the reader's language."""

        def label(name: str, name_en: str | None) -> str:
            return name_en if locale == "en" and name_en else name

        self.processor_keys.choices = options(
            [
                (p.key, f"{p.name} — {service}" if (service := p.service_in(locale)) else p.name)
                for p in profile.processors
            ]
        )
        self.data_category_keys.choices = options(
            [(c.key, label(c.name, c.name_en)) for c in profile.data_categories]
        )
        self.subject_group_keys.choices = options(
            [(s.key, label(s.name, s.name_en)) for s in profile.subject_categories]
        )
        self.reporting_processor_key.choices = options(
            [("", _("— choose —"))] + [(p.key, p.name) for p in profile.processors]
        )

    def to_report(self) -> IncidentReport | None:
        """The report as typed, or None when a field could not be read (errors set)."""
        report, unread = self.read_report()
        return None if unread else report

    def read_report(self) -> tuple[IncidentReport, frozenset[str]]:
        """The report as far as it can be read, and the names of the fields that could not be
        (an error at the field: a date that did not parse, an answer left open). Their values
        in the report are stand-ins for :func:`~breachdesk.domain.report.validate_report`'s
        ``unread``. Texts are read as typed, also when too long: rules about other fields may
        depend on them. A time that does not exist in Amsterdam becomes an error here."""
        times = {name: read_utc(self[name]) for name in REPORT_TIMES}
        unread = {name for name in IncidentReport.__dataclass_fields__ if self[name].errors}
        discovered = times["discovered_at"]
        if discovered is None:
            unread.add("discovered_at")
        report = IncidentReport(
            title=self.title.data or "",
            description=self.description.data or "",
            started_at=times["started_at"],
            ended_at=times["ended_at"],
            discovered_at=discovered or UNREAD_TIME,
            discovery_how=self.discovery_how.data or "",
            ongoing=_choice(Answer, self.ongoing, Answer.UNKNOWN),
            processor_keys=tuple(read(self.processor_keys) or ()),
            systems_other=self.systems_other.data or "",
            data_category_keys=tuple(read(self.data_category_keys) or ()),
            data_other=self.data_other.data or "",
            subjects_mode=_choice(CountMode, self.subjects_mode, CountMode.UNKNOWN),
            subjects_exact=read(self.subjects_exact),
            subjects_min=read(self.subjects_min),
            subjects_max=read(self.subjects_max),
            records_count=read(self.records_count),
            subject_group_keys=tuple(read(self.subject_group_keys) or ()),
            subject_groups_other=self.subject_groups_other.data or "",
            children_involved=_choice(Answer, self.children_involved, Answer.UNKNOWN),
            protection=_choice(Protection, self.protection, Protection.UNKNOWN),
            protection_details=self.protection_details.data or "",
            containment=tuple(
                Containment(c)
                for c in read(self.containment) or ()
                if c in Containment._value2member_map_
            ),
            containment_details=self.containment_details.data or "",
            reported_by_processor=bool(read(self.reported_by_processor)),
            reporting_processor_key=read(self.reporting_processor_key) or "",
            reporting_processor_name=self.reporting_processor_name.data or "",
            processor_aware_at=times["processor_aware_at"],
            processor_notified_at=times["processor_notified_at"],
        )
        return report, frozenset(unread)


E = TypeVar("E", bound=StrEnum)

#: The report's times, typed as Amsterdam wall-clock time.
REPORT_TIMES = (
    "started_at",
    "ended_at",
    "discovered_at",
    "processor_aware_at",
    "processor_notified_at",
)
#: The stand-in for a moment of discovery that could not be read (no rule reads it).
UNREAD_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def _choice(kind: type[E], field: Field, stand_in: E) -> E:
    """The option chosen in ``field``, or ``stand_in`` when none could be read."""
    value = read(field)
    return kind(value) if value in kind._value2member_map_ else stand_in


class ReportCorrectionForm(ReportForm):
    """The FG corrects the reported facts: the report form filled in as it stands, and why."""

    correction_reason = TextAreaField(
        _l("Why do you correct the report?"),
        validators=[DataRequired(_l("Write down why you correct it.")), Length(max=5000)],
        description=_l(
            "For example: the list turned out to hold 340 people, not about 100. What the "
            "reporter answered is kept."
        ),
    )

    def fill(self, report: IncidentReport) -> None:
        """Show ``report`` (times in Amsterdam wall-clock time, as the form asks them)."""

        def local(value: datetime | None) -> datetime | None:
            return utc_to_local(value).replace(tzinfo=None) if value is not None else None

        self.title.data = report.title
        self.description.data = report.description
        self.started_at.data = local(report.started_at)
        self.ended_at.data = local(report.ended_at)
        self.discovered_at.data = local(report.discovered_at)
        self.discovery_how.data = report.discovery_how
        self.ongoing.data = report.ongoing.value
        self.processor_keys.data = list(report.processor_keys)
        self.systems_other.data = report.systems_other
        self.data_category_keys.data = list(report.data_category_keys)
        self.data_other.data = report.data_other
        self.subjects_mode.data = report.subjects_mode.value
        self.subjects_exact.data = report.subjects_exact
        self.subjects_min.data = report.subjects_min
        self.subjects_max.data = report.subjects_max
        self.records_count.data = report.records_count
        self.subject_group_keys.data = list(report.subject_group_keys)
        self.subject_groups_other.data = report.subject_groups_other
        self.children_involved.data = report.children_involved.value
        self.protection.data = report.protection.value
        self.protection_details.data = report.protection_details
        self.containment.data = [c.value for c in report.containment]
        self.containment_details.data = report.containment_details
        self.reported_by_processor.data = report.reported_by_processor
        self.reporting_processor_key.data = report.reporting_processor_key
        self.reporting_processor_name.data = report.reporting_processor_name
        self.processor_aware_at.data = local(report.processor_aware_at)
        self.processor_notified_at.data = local(report.processor_notified_at)


class LinkReportForm(ReportForm):
    """The report form on a reporting link (no account): the reporter's contact, optional.

    ``confirm_email`` is a trap for bots: hidden from people and screen readers, so a value in
    it means a program filled in every field it found.
    """

    reporter_name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("So the privacy officer knows whom to ask. You may stay anonymous."),
    )
    reporter_email = StringField(
        _l("Your e-mail address (optional)"),
        validators=[Optional(), Length(max=254), Email(_l("Give a valid e-mail address."))],
        description=_l(
            "You get a confirmation with a private link to add information later and to "
            "answer the privacy officer's questions."
        ),
    )
    confirm_email = StringField(_l("Leave this field empty"), validators=[Optional()])
