"""Editing an organisation profile in the browser.

The form produces the same plain data as a YAML profile file, and that data goes through the
same checks (:func:`breachdesk.services.organisations.parse_profile`), so the browser and
``breachdesk org import`` can never disagree about what a valid profile is. Problems found by
those checks come back as (field path, reason) pairs and are put next to the matching field.
Each list shows two empty rows for additions; rows without a name, or marked for removal, are
dropped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from ..domain.profile import OPTIONAL_CATEGORY_FLAGS, OrganisationProfile, profile_to_dict
from ..domain.references import normalise_prefix
from .fields import PageForm
from .profile_problems import TOP, place_problems, problem_links
from .profile_rows import (
    CONTACT_KINDS,
    NIS2_ENTITIES,
    TRISTATE,
    DataCategoryRow,
    ProcessorRow,
    RecipientRow,
    RetentionRow,
    SubjectRow,
)
from .report_form import options

BLANK_ROWS = 2


def valid_prefix(_form: FlaskForm, field: Field) -> None:
    try:
        normalise_prefix(field.data or "")
    except ValueError:
        raise ValidationError(_l("Use 2 to 6 letters, A to Z.")) from None


class ProfileForm(PageForm):
    version = HiddenField()  # the profile version the page showed (optimistic locking)
    legal_name = StringField(_l("Legal name"), validators=[Length(max=300)])
    trade_names = StringField(
        _l("Trade names"), validators=[Length(max=1000)], description=_l("Separate with ;")
    )
    parent_organisation = StringField(_l("Part of"), validators=[Length(max=300)])
    reference_prefix = StringField(
        _l("Prefix of incident references"),
        validators=[Optional(), valid_prefix],
        description=_l("2 to 6 capital letters, e.g. KRX gives KRX-2026-0001. Empty: BD."),
    )
    street = StringField(_l("Street and number"), validators=[Length(max=300)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    country = StringField(_l("Country"), validators=[Length(max=100)])
    kvk_number = StringField(_l("KvK number"), validators=[Length(max=20)])
    vat_number = StringField(_l("VAT number"), validators=[Length(max=30)])
    email = StringField(_l("Contact e-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Contact phone"), validators=[Length(max=50)])
    website = StringField(_l("Website"), validators=[Length(max=300)])
    sector = StringField(_l("Sector"), validators=[Length(max=300)])
    financial_undertaking = SelectField(
        _l("Financial undertaking under the Wft (UAVG art. 42)"),
        choices=TRISTATE,
        validators=[Optional()],
    )
    # Other notification regimes: the incident page and the AP answer sheet remind of them.
    nis2_entity = SelectField(
        _l("NIS2 / Cyberbeveiligingswet"),
        choices=NIS2_ENTITIES,
        validators=[Optional()],
        description=_l(
            "Essential or important entity under NIS2: significant incidents also go to the "
            "CSIRT or the competent authority (early warning within 24 hours)."
        ),
    )
    telecom_provider = SelectField(
        _l("Telecom provider (Telecommunicatiewet)"),
        choices=TRISTATE,
        validators=[Optional()],
        description=_l("Provides public electronic communications services."),
    )
    dora_entity = SelectField(
        _l("Financial entity under DORA"),
        choices=TRISTATE,
        validators=[Optional()],
        description=_l("Major ICT-related incidents also go to DNB or the AFM."),
    )
    contact_kind = SelectField(_l("Privacy contact"), choices=CONTACT_KINDS)
    contact_name = StringField(_l("Contact name"), validators=[Length(max=300)])
    contact_email = StringField(_l("Contact e-mail address"), validators=[Length(max=254)])
    contact_phone = StringField(_l("Contact phone number"), validators=[Length(max=50)])
    fg_registration_number = StringField(
        _l("FG registration number at the AP"), validators=[Length(max=50)]
    )
    breach_commitments = TextAreaField(_l("What the privacy statement promises about breaches"))
    notes = TextAreaField(_l("Notes"))
    data_categories = FieldList(FormField(DataCategoryRow))
    subject_categories = FieldList(FormField(SubjectRow))
    processors = FieldList(FormField(ProcessorRow))
    recipients = FieldList(FormField(RecipientRow))
    retention = FieldList(FormField(RetentionRow))

    # --- filling the form ------------------------------------------------------------------
    def fill(self, profile: OrganisationProfile) -> None:
        data = profile_to_dict(profile)
        address, contact, pc = data["address"], data["contact"], data["privacy_contact"]
        simple = {
            "legal_name": data["legal_name"],
            "reference_prefix": data["reference_prefix"],
            "parent_organisation": data["parent_organisation"],
            "street": address["street"],
            "postal_code": address["postal_code"],
            "city": address["city"],
            "country": address["country"],
            "kvk_number": data["kvk_number"],
            "vat_number": data["vat_number"],
            "email": contact["email"],
            "phone": contact["phone"],
            "website": data["website"],
            "sector": data["sector"],
            "contact_kind": pc["kind"],
            "contact_name": pc["name"],
            "contact_email": pc["email"],
            "contact_phone": pc["phone"],
            "fg_registration_number": pc["fg_registration_number"],
            "breach_commitments": data["breach_commitments"],
            "notes": data["notes"],
        }
        for name, value in simple.items():
            getattr(self, name).data = value or ""
        self.trade_names.data = "; ".join(data["trade_names"])
        self.financial_undertaking.data = _tristate(data["financial_undertaking"])
        self.nis2_entity.data = data.get("nis2_entity") or ""
        self.telecom_provider.data = _tristate(data.get("telecom_provider"))
        self.dora_entity.data = _tristate(data.get("dora_entity"))
        for list_name in ("data_categories", "subject_categories", "processors", "recipients"):
            for item in data[list_name]:
                getattr(self, list_name).append_entry(item)
        for item in data["retention"]:
            self.retention.append_entry({**item, "category_keys": ",".join(item["category_keys"])})
        self.add_blank_rows()

    def add_blank_rows(self) -> None:
        for list_name in (
            "data_categories",
            "subject_categories",
            "processors",
            "recipients",
            "retention",
        ):
            for _blank in range(BLANK_ROWS):
                getattr(self, list_name).append_entry()

    def set_category_choices(self, profile: OrganisationProfile) -> None:
        choices = options([(c.key, c.name) for c in profile.data_categories])
        for entry in self.processors:
            entry.form.data_shared.choices = choices

    # --- reading the form ------------------------------------------------------------------
    def to_data(self, slug: str, source_document: str | None) -> dict[str, Any]:
        """The profile as plain data in the file format (not yet checked)."""

        def text(field: Field) -> str | None:
            value = (field.data or "").strip()
            return value or None

        rows = {
            name: self._rows(name)
            for name in (
                "data_categories",
                "subject_categories",
                "processors",
                "recipients",
                "retention",
            )
        }
        taken = {
            name: {r.key.data for r in rows[name] if r.key.data}
            for name in ("data_categories", "subject_categories", "processors")
        }
        categories = []
        for row in rows["data_categories"]:
            categories.append(
                {
                    "key": row.key.data or _new_key(row.name.data or "", taken["data_categories"]),
                    "name": (row.name.data or "").strip(),
                    "name_en": text(row.name_en),
                    "enisa_class": row.enisa_class.data,
                    "special_category": bool(row.special_category.data),
                    "criminal_data": bool(row.criminal_data.data),
                    "national_id_number": bool(row.national_id_number.data),
                    "children": bool(row.children.data),
                    **{
                        flag: True
                        for flag in OPTIONAL_CATEGORY_FLAGS
                        if getattr(row, flag).data  # written only when set, as in the files
                    },
                    "source": (row.source.data or "").strip(),
                }
            )
        return {
            "schema_version": 1,
            "slug": slug,
            "legal_name": (self.legal_name.data or "").strip(),
            "reference_prefix": _prefix_or_none(self.reference_prefix.data),
            "trade_names": [
                t.strip() for t in (self.trade_names.data or "").split(";") if t.strip()
            ],
            "parent_organisation": text(self.parent_organisation),
            "address": {
                "street": text(self.street),
                "postal_code": text(self.postal_code),
                "city": text(self.city),
                "country": text(self.country),
            },
            "kvk_number": text(self.kvk_number),
            "vat_number": text(self.vat_number),
            "contact": {"email": text(self.email), "phone": text(self.phone)},
            "website": text(self.website),
            "sector": text(self.sector),
            "financial_undertaking": _yes_no(self.financial_undertaking.data),
            # Left out while not stated, as in the file format (profile_to_dict).
            **{
                name: value
                for name, value in (
                    ("nis2_entity", self.nis2_entity.data or None),
                    ("telecom_provider", _yes_no(self.telecom_provider.data)),
                    ("dora_entity", _yes_no(self.dora_entity.data)),
                )
                if value is not None
            },
            "privacy_contact": {
                "kind": self.contact_kind.data,
                "name": text(self.contact_name),
                "email": text(self.contact_email),
                "phone": text(self.contact_phone),
                "fg_registration_number": text(self.fg_registration_number),
            },
            "data_categories": categories,
            "subject_categories": [
                {
                    "key": r.key.data or _new_key(r.name.data or "", taken["subject_categories"]),
                    "name": (r.name.data or "").strip(),
                    "name_en": text(r.name_en),
                    "children": bool(r.children.data),
                    "source": (r.source.data or "").strip(),
                }
                for r in rows["subject_categories"]
            ],
            "processors": [
                {
                    "key": r.key.data or _new_key(r.name.data or "", taken["processors"]),
                    "name": (r.name.data or "").strip(),
                    "service": text(r.service),
                    "service_en": text(r.service_en),
                    "data_shared": list(r.data_shared.data or []),
                    "data_shared_note": text(r.data_shared_note),
                    "location": r.location.data,
                    "country": text(r.country),
                    "transfer_basis": text(r.transfer_basis),
                    "source": (r.source.data or "").strip(),
                }
                for r in rows["processors"]
            ],
            "recipients": [
                {
                    "name": (r.name.data or "").strip(),
                    "purpose": text(r.purpose),
                    "source": (r.source.data or "").strip(),
                }
                for r in rows["recipients"]
            ],
            "retention": [
                {
                    "applies_to": (r.applies_to.data or "").strip(),
                    "period": (r.period.data or "").strip(),
                    "category_keys": [k for k in (r.category_keys.data or "").split(",") if k],
                    "source": (r.source.data or "").strip(),
                }
                for r in rows["retention"]
            ],
            "breach_commitments": text(self.breach_commitments),
            "source_document": source_document,
            "notes": text(self.notes),
        }

    def _rows(self, list_name: str) -> list[Any]:
        """The rows of ``list_name`` that are kept; remembers which entry each came from."""
        kept = []
        self._row_index = getattr(self, "_row_index", {})
        index_map = []
        for position, entry in enumerate(getattr(self, list_name)):
            row = entry.form
            if row.remove.data or row.is_blank():
                continue
            index_map.append(position)
            kept.append(row)
        self._row_index[list_name] = index_map
        return kept

    # --- putting problems back next to fields (see :mod:`.profile_problems`) --------------
    _TOP = TOP

    def problem_links(self) -> list[tuple[str, str]]:
        """(id, label) of every field with an error, for the summary's links."""
        return problem_links(self)

    def place_problems(self, problems: list[tuple[str, str]]) -> list[str]:
        """Attach each problem to its field; return those that fit no single field."""
        return place_problems(self, problems, self._TOP)


def _prefix_or_none(value: str | None) -> str | None:
    """The prefix as stored; None when it is not one (the form's own check says why)."""
    try:
        return normalise_prefix(value or "")
    except ValueError:
        return None


def _tristate(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _yes_no(value: str | None) -> bool | None:
    return None if not value else value == "yes"


def _new_key(name: str, taken: set[str]) -> str:
    """A key for a new row, derived from its name (ASCII, lower case, hyphens)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:50] or "item"
    if len(base) < 2:
        base = f"{base}-x"
    key, counter = base, 2
    while key in taken:
        key = f"{base}-{counter}"
        counter += 1
    taken.add(key)
    return key
