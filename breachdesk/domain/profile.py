"""An organisation's profile: who it is, what personal data it holds, and who processes it.

The profile feeds the incident report (which systems and kinds of data to pick from), the
risk assessment (ENISA class and legal flags of each kind of data) and the AP answer sheet
(controller details, FG contact). Profiles are written as YAML files; the file format is
checked against ``breachdesk/schemas/organisation-profile.schema.json`` before
:func:`profile_from_dict` builds these objects, and
:func:`~breachdesk.domain.profile_checks.check_profile` adds the rules a schema cannot express.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1

#: Optional profile fields (absent in older profiles) that say which other notification
#: regimes apply; see :mod:`breachdesk.domain.notices.other_regimes`.
OPTIONAL_REGIME_FIELDS = ("nis2_entity", "telecom_provider", "dora_entity")


class EnisaClass(StrEnum):
    """ENISA 2013 data-processing-context classes, with their base scores."""

    SIMPLE = "simple"
    BEHAVIOURAL = "behavioural"
    FINANCIAL = "financial"
    SENSITIVE = "sensitive"

    @property
    def base_score(self) -> int:
        """The DPC base score ENISA assigns to this class (1-4)."""
        return _BASE_SCORES[self]


_BASE_SCORES = {
    EnisaClass.SIMPLE: 1,
    EnisaClass.BEHAVIOURAL: 2,
    EnisaClass.FINANCIAL: 3,
    EnisaClass.SENSITIVE: 4,
}


class ContactKind(StrEnum):
    FG = "fg"  # a designated Functionaris Gegevensbescherming (Art. 37 GDPR)
    PRIVACY_CONTACT = "privacy_contact"  # someone else answers privacy questions
    NONE = "none"  # nothing designated


class Nis2Entity(StrEnum):
    """The NIS2 / Cyberbeveiligingswet category of an organisation that is subject to it."""

    ESSENTIAL = "essential"  # essentiële entiteit
    IMPORTANT = "important"  # belangrijke entiteit


class Location(StrEnum):
    INSIDE_EU = "inside_eu"
    OUTSIDE_EU = "outside_eu"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Address:
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class ContactDetails:
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PrivacyContact:
    kind: ContactKind = ContactKind.NONE
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    fg_registration_number: str | None = None


@dataclass(frozen=True)
class DataCategory:
    """A kind of personal data the organisation holds, with what matters for risk."""

    key: str
    name: str
    enisa_class: EnisaClass
    name_en: str | None = None
    special_category: bool = False  # Art. 9 GDPR
    criminal_data: bool = False  # Art. 10 GDPR
    national_id_number: bool = False  # BSN and other numbers prescribed by law (UAVG art. 46)
    children: bool = False
    source: str = ""
    # Added later (absent from older profiles, so "no" by default; check_profile() refuses a
    # category whose name says it holds them while the flag is off):
    identity_documents: bool = False  # copies of passports, identity cards, driving licences
    credentials: bool = False  # passwords or access codes
    financial_data: bool = False  # bank account, card or payment data


#: Category flags added after the first profiles: written out only when set, so an older
#: profile exports exactly as before.
OPTIONAL_CATEGORY_FLAGS = ("identity_documents", "credentials", "financial_data")


@dataclass(frozen=True)
class SubjectCategory:
    key: str
    name: str
    name_en: str | None = None
    children: bool = False
    source: str = ""


@dataclass(frozen=True)
class Processor:
    """A processor (verwerker) acting for the organisation."""

    key: str
    name: str
    service: str | None = None
    # Added later (absent from older profiles, written out only when set): the service in
    # English, for the English report form and pages.
    service_en: str | None = None
    data_shared: tuple[str, ...] = ()
    data_shared_note: str | None = None
    location: Location = Location.UNKNOWN
    country: str | None = None
    transfer_basis: str | None = None
    source: str = ""

    def service_in(self, lang: str) -> str | None:
        """What the processor does, in ``lang`` where the profile gives it (else Dutch)."""
        return self.service_en if lang == "en" and self.service_en else self.service


@dataclass(frozen=True)
class Recipient:
    name: str
    purpose: str | None = None
    source: str = ""


@dataclass(frozen=True)
class RetentionRule:
    applies_to: str
    period: str
    category_keys: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class OrganisationProfile:
    """Everything breachdesk knows about one controller organisation."""

    slug: str
    legal_name: str
    # Letters in front of incident references ("KRX-2026-0007"); distinct prefixes keep the
    # incidents of several organisations apart in one FG's inbox. None: the default "BD".
    reference_prefix: str | None = None
    trade_names: tuple[str, ...] = ()
    parent_organisation: str | None = None
    address: Address = field(default_factory=Address)
    kvk_number: str | None = None
    vat_number: str | None = None
    contact: ContactDetails = field(default_factory=ContactDetails)
    website: str | None = None
    sector: str | None = None
    financial_undertaking: bool | None = None
    # Other notification regimes (DOMAIN.md §a.12, §d.2); absent from older profiles, so each
    # has a default meaning "not stated". None: not subject to NIS2, or not stated.
    nis2_entity: Nis2Entity | None = None
    telecom_provider: bool | None = None  # Telecommunicatiewet
    dora_entity: bool | None = None  # financial entity under DORA
    privacy_contact: PrivacyContact = field(default_factory=PrivacyContact)
    data_categories: tuple[DataCategory, ...] = ()
    subject_categories: tuple[SubjectCategory, ...] = ()
    processors: tuple[Processor, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    breach_commitments: str | None = None
    source_document: str | None = None
    notes: str | None = None

    @property
    def display_name(self) -> str:
        """The name people know the organisation by: its first trade name, else legal name."""
        return self.trade_names[0] if self.trade_names else self.legal_name

    def data_category_keys(self) -> list[str]:
        return [c.key for c in self.data_categories]

    def subject_category_keys(self) -> list[str]:
        return [c.key for c in self.subject_categories]

    def processor_keys(self) -> list[str]:
        return [p.key for p in self.processors]

    def data_category(self, key: str) -> DataCategory | None:
        return next((c for c in self.data_categories if c.key == key), None)

    def processor(self, key: str) -> Processor | None:
        return next((p for p in self.processors if p.key == key), None)

    def subject_category(self, key: str) -> SubjectCategory | None:
        return next((c for c in self.subject_categories if c.key == key), None)


def _tuple_of(cls: type[Any], items: Sequence[Mapping[str, Any]] | None) -> tuple[Any, ...]:
    out = []
    for item in items or ():
        values = dict(item)
        for name in ("data_shared", "category_keys"):
            if name in values:
                values[name] = tuple(values[name] or ())
        out.append(cls(**values))
    return tuple(out)


def profile_from_dict(data: Mapping[str, Any]) -> OrganisationProfile:
    """Build a profile from a mapping that already passed the JSON Schema.

    Raises:
        TypeError / ValueError: ``data`` does not have the schema's shape.
    """
    categories = tuple(
        DataCategory(**{**c, "enisa_class": EnisaClass(c["enisa_class"])})
        for c in data.get("data_categories") or ()
    )
    processors = tuple(
        Processor(
            **{
                **p,
                "location": Location(p.get("location", "unknown")),
                "data_shared": tuple(p.get("data_shared") or ()),
            }
        )
        for p in data.get("processors") or ()
    )
    contact = dict(data.get("privacy_contact") or {})
    if "kind" in contact:
        contact["kind"] = ContactKind(contact["kind"])
    return OrganisationProfile(
        slug=data["slug"],
        legal_name=data["legal_name"],
        reference_prefix=data.get("reference_prefix"),
        trade_names=tuple(data.get("trade_names") or ()),
        parent_organisation=data.get("parent_organisation"),
        address=Address(**(data.get("address") or {})),
        kvk_number=data.get("kvk_number"),
        vat_number=data.get("vat_number"),
        contact=ContactDetails(**(data.get("contact") or {})),
        website=data.get("website"),
        sector=data.get("sector"),
        financial_undertaking=data.get("financial_undertaking"),
        nis2_entity=Nis2Entity(data["nis2_entity"]) if data.get("nis2_entity") else None,
        telecom_provider=data.get("telecom_provider"),
        dora_entity=data.get("dora_entity"),
        privacy_contact=PrivacyContact(**contact),
        data_categories=categories,
        subject_categories=_tuple_of(SubjectCategory, data.get("subject_categories")),
        processors=processors,
        recipients=_tuple_of(Recipient, data.get("recipients")),
        retention=_tuple_of(RetentionRule, data.get("retention")),
        breach_commitments=data.get("breach_commitments"),
        source_document=data.get("source_document"),
        notes=data.get("notes"),
    )


def profile_to_dict(profile: OrganisationProfile) -> dict[str, Any]:
    """The inverse of :func:`profile_from_dict`: plain data in the file format's key order.

    The optional fields of :data:`OPTIONAL_REGIME_FIELDS` appear only when they are set.
    """
    raw = asdict(profile)

    def plain(value: Any) -> Any:
        if isinstance(value, StrEnum):
            return value.value
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    data = {"schema_version": SCHEMA_VERSION, **plain(raw)}
    for category in data["data_categories"]:
        for name in OPTIONAL_CATEGORY_FLAGS:
            if not category[name]:
                del category[name]
    # The other-regime fields came after the first profiles: left out while "not stated", so
    # an older profile exports (and compares with its stored copy) exactly as before.
    for name in OPTIONAL_REGIME_FIELDS:
        if data[name] is None:
            del data[name]
    for processor in data["processors"]:
        if processor["service_en"] is None:
            del processor["service_en"]
    return data
