"""The API's request and response bodies (marshmallow), from which the OpenAPI document is
generated. Shape only: the meaning of a report is checked by the domain, as for the form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ...domain.assessment import Outcome
from ...domain.lifecycle import State
from ...domain.limits import MAX_COUNT
from ...domain.register import YEARS, DataKind, Informed, Notified, Sort
from ...domain.report import Answer, Containment, CountMode, Protection
from ...domain.text import as_typed
from ...domain.timeutil import EARLIEST_YEAR, LATEST_YEAR, OUT_OF_RANGE, ensure_utc, within_range


def _storable(value: str) -> None:
    """Text the databases can store: no NUL (PostgreSQL refuses it), no lone surrogate."""
    if "\x00" in value:
        raise ma.ValidationError("NUL characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("Not valid Unicode text.") from None


class _Typed(fields.String):
    """Text as a person typed it, kept as the forms keep it (:func:`as_typed`): empty when
    nothing in it can be seen, one-line text without bidirectional controls."""

    def __init__(self, *, one_line: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.one_line = one_line

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return as_typed(super()._deserialize(value, attr, data, **kwargs), one_line=self.one_line)


class JsonBoolean(fields.Boolean):
    """A JSON true or false, nothing else: "yes", "1" or 1 were read as true though the
    document says boolean (found by exploratory testing with schemathesis)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Text(maximum: int, *, one_line: bool = False, **kwargs: Any) -> fields.String:  # noqa: N802
    """A text field (a factory) of at most ``maximum`` characters."""
    return _Typed(one_line=one_line, validate=[validate.Length(max=maximum), _storable], **kwargs)


def Count(**kwargs: Any) -> fields.Integer:  # noqa: N802 - a field factory
    """A number of people or records: a whole number (1.9 or "40" is refused, not rounded
    or read), bounded as the form bounds it."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(0, MAX_COUNT),
        allow_none=True,
        load_default=None,
        **kwargs,
    )


def _in_the_years(value: datetime) -> None:
    """A moment people may mean, as the forms bound it (1970 to 2100, in UTC and as given):
    near year 1 or 9999 the conversion to UTC itself would overflow."""
    try:
        utc = ensure_utc(value)
    except OverflowError:
        utc = None
    if utc is None or not (within_range(value) and within_range(utc)):
        raise ma.ValidationError(OUT_OF_RANGE % {"first": EARLIEST_YEAR, "last": LATEST_YEAR})


def Keys() -> fields.List:  # noqa: N802 - a field factory
    return fields.List(Text(100), validate=validate.Length(max=100), load_default=list)


def When(**kwargs: Any) -> fields.AwareDateTime:  # noqa: N802 - a field factory
    return fields.AwareDateTime(format="iso", validate=_in_the_years, **kwargs)


class ReportSchema(ma.Schema):
    """A report, as the staff form asks it. Times are ISO 8601 with a zone offset."""

    class Meta:
        unknown = ma.RAISE

    title = Text(200, required=True, one_line=True)
    description = Text(20000, required=True)
    discovered_at = When(required=True)
    discovery_how = Text(5000, load_default="")
    ongoing = fields.Enum(Answer, by_value=True, load_default=Answer.UNKNOWN)
    started_at = When(allow_none=True, load_default=None)
    ended_at = When(allow_none=True, load_default=None)
    processor_keys = Keys()
    systems_other = Text(500, load_default="")
    data_category_keys = Keys()
    data_other = Text(1000, load_default="")
    subjects_mode = fields.Enum(CountMode, by_value=True, load_default=CountMode.UNKNOWN)
    subjects_exact = Count()
    subjects_min = Count()
    subjects_max = Count()
    records_count = Count()
    subject_group_keys = Keys()
    subject_groups_other = Text(1000, load_default="")
    children_involved = fields.Enum(Answer, by_value=True, load_default=Answer.UNKNOWN)
    protection = fields.Enum(Protection, by_value=True, load_default=Protection.UNKNOWN)
    protection_details = Text(1000, load_default="")
    containment = fields.List(
        fields.Enum(Containment, by_value=True),
        validate=validate.Length(max=20),
        load_default=list,
    )
    containment_details = Text(5000, load_default="")
    reported_by_processor = JsonBoolean(load_default=False)
    reporting_processor_key = Text(100, load_default="")
    reporting_processor_name = Text(200, load_default="", one_line=True)
    processor_aware_at = When(allow_none=True, load_default=None)
    processor_notified_at = When(allow_none=True, load_default=None)


class CreatedSchema(ma.Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    state = fields.String(required=True)
    reported_at = When(required=True)
    attachments = fields.Integer(required=True, metadata={"description": "Files attached."})


class IncidentSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    reported_at = When(required=True)
    discovered_at = When(required=True)
    closed_at = When(allow_none=True)
    people = fields.String(required=True, metadata={"description": '"120", "100–500" or ""'})
    decided_outcome = fields.String(allow_none=True)
    term_deadline = When(allow_none=True)
    notified = fields.Boolean(required=True)
    open_actions = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "remedial actions still open; null in a reporter's own list"},
    )


class IncidentPageSchema(ma.Schema):
    items = fields.List(fields.Nested(IncidentSummarySchema), required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as ``cursor`` for the next page; null on the last."},
    )
    total = fields.Integer(required=True, metadata={"description": "Counted up to 1,000."})
    total_is_capped = fields.Boolean(required=True)


class RegisterQuerySchema(ma.Schema):
    """The register's filters, as on ``/register/`` (the organisation is the token's)."""

    class Meta:
        unknown = ma.RAISE

    # The register's own bounds (domain/register.YEARS), so the schema says what is accepted
    # (it said 1900-2200 and the API refused what lay outside 1970-2099: found by testing).
    year = fields.Integer(validate=validate.Range(YEARS.start, YEARS.stop - 1))
    from_ = fields.Date(data_key="from", metadata={"description": "Discovered on or after."})
    to = fields.Date(metadata={"description": "Discovered on or before."})
    outcome = fields.String(
        validate=validate.OneOf([o.value for o in Outcome] + ["none"]),
        metadata={"description": 'A decision, or "none" for undecided.'},
    )
    notified = fields.Enum(Notified, by_value=True)
    informed = fields.Enum(Informed, by_value=True)
    late = fields.Boolean()
    state = fields.Enum(State, by_value=True)
    data = fields.Enum(DataKind, by_value=True)
    q = Text(200, metadata={"description": "Words that start words of the incident's text."})
    sort = fields.Enum(Sort, by_value=True)


class ListQuerySchema(RegisterQuerySchema):
    cursor = Text(200, metadata={"description": "From ``next_cursor`` of the page before."})
    limit = fields.Integer(validate=validate.Range(1, 100), load_default=50)


class ExportQuerySchema(RegisterQuerySchema):
    format = fields.String(validate=validate.OneOf(["csv", "xlsx", "json"]), load_default="json")


class AttachmentSchema(ma.Schema):
    """A file of the incident (its contents are not in the API)."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes, as uploaded."})
    sha256 = fields.String(required=True, metadata={"description": "Of the file as uploaded."})
    uploaded_at = When(required=True)
    erased = fields.Boolean(
        required=True, metadata={"description": "Erased by the retention period."}
    )


class IncidentSchema(ma.Schema):
    """One incident: what was reported, and how it stands."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    state = fields.String(required=True)
    version = fields.String(required=True, metadata={"description": "The ETag, unquoted."})
    title = fields.String(required=True)
    description = fields.String(required=True)
    reported_at = When(required=True)
    reported_via = fields.String(
        required=True,
        metadata={
            "description": "account, link_public, link_processor; import: not reported, but"
            " taken over from an earlier register (reported_at is then the import)."
        },
    )
    discovered_at = When(required=True)
    started_at = When(allow_none=True)
    ended_at = When(allow_none=True)
    discovery_how = fields.String(required=True)
    ongoing = fields.String(required=True)
    processor_keys = fields.List(fields.String(), required=True)
    systems_other = fields.String(required=True)
    data_category_keys = fields.List(fields.String(), required=True)
    data_other = fields.String(required=True)
    subjects_mode = fields.String(required=True)
    subjects_exact = fields.Integer(allow_none=True)
    subjects_min = fields.Integer(allow_none=True)
    subjects_max = fields.Integer(allow_none=True)
    records_count = fields.Integer(allow_none=True)
    subject_group_keys = fields.List(fields.String(), required=True)
    children_involved = fields.String(required=True)
    protection = fields.String(required=True)
    containment = fields.List(fields.String(), required=True)
    aware_at = When(allow_none=True)
    breach_types = fields.List(fields.String(), required=True)
    checklist_version = fields.Integer(required=True)
    recommended_outcome = fields.String(allow_none=True)
    decided_outcome = fields.String(allow_none=True)
    term_deadline = When(allow_none=True)
    closed_at = When(allow_none=True)
    attachments = fields.List(
        fields.Nested(AttachmentSchema),
        required=True,
        metadata={"description": "All files for a read token; a reporter's own uploads."},
    )


class AssessmentSchema(ma.Schema):
    checklist_version = fields.Integer(required=True)
    confirmed_at = When(allow_none=True)
    facts = fields.Dict(allow_none=True, metadata={"description": "As `breachdesk assess`."})
    recommendation = fields.Dict(allow_none=True)


class DecisionSchema(ma.Schema):
    version = fields.Integer(required=True)
    outcome = fields.String(required=True)
    notify_ap = fields.Boolean(required=True)
    inform_subjects = fields.Boolean(required=True)
    public_communication = fields.Boolean(required=True)
    ap_severity = fields.String(required=True)
    follows_recommendation = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={"description": "null: taken over from an earlier register (no advice)."},
    )
    rationale = fields.String(required=True)
    ruleset_version = fields.String(required=True)
    decided_at = When(
        required=True,
        allow_none=True,
        metadata={"description": "null: taken over from an earlier register that gave none."},
    )


class FilingSchema(ma.Schema):
    id = fields.Integer(required=True)
    addressee = fields.String(required=True)
    kind = fields.String(required=True)
    submitted_at = When(
        required=True,
        allow_none=True,
        metadata={"description": "null: imported from an earlier register that gave no date."},
    )
    reference = fields.String(required=True)
    provisional = fields.Boolean(required=True)
    late = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={"description": "null: the date of filing is not known, nor whether in time."},
    )
    deadline_at = When(required=True)
    delay_reason = fields.String(required=True)


class PeopleNoticeSchema(ma.Schema):
    version = fields.Integer(required=True)
    lang = fields.String(required=True)
    subject = fields.String(required=True)
    sections = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    approved_at = When(allow_none=True)
    sha256 = fields.String(required=True)


class PublicNoticeSchema(ma.Schema):
    text = fields.String(required=True)
    channel = fields.String(required=True)
    url = fields.String(required=True)
    published_at = When(allow_none=True)


class NoticesSchema(ma.Schema):
    people = fields.List(fields.Nested(PeopleNoticeSchema), required=True)
    public = fields.Nested(PublicNoticeSchema, allow_none=True, required=True)


class ActionSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    owner_name = fields.String(required=True)
    due_on = fields.Date(allow_none=True)
    status = fields.String(required=True)
    outcome = fields.String(required=True)
    done_at = When(allow_none=True)


class AwarenessInputSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    aware_at = When(required=True, metadata={"description": "When the organisation became aware."})
    reason = Text(5000, load_default="", metadata={"description": "Required for a correction."})


class ChecklistInputSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    facts = fields.Dict(
        required=True,
        metadata={"description": "The checklist's answers, as `facts` of `breachdesk assess`."},
    )
    confirm = JsonBoolean(load_default=False, metadata={"description": "Mark it complete."})


class DecisionInputSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    outcome = fields.Enum(
        Outcome,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "null: follow the recommendation."},
    )
    rationale = Text(20000, load_default="", metadata={"description": "Needed to differ."})
