"""The rules of a profile that its schema cannot express: unique keys, references that
resolve, a designated contact that can be reached, and kinds of data whose name says more than
their flags and ENISA class do (a "copy of the passport" scored as simple data understates
every breach it is in). Also the words that show what a kind of data holds, which the
checklist's prefill reads as well."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .profile import ContactKind, DataCategory, EnisaClass, OrganisationProfile
from .text import N_, Translatable

#: Words in a category's key or name that show what it holds (Dutch and English).
IDENTITY_DOCUMENT_WORDS = (
    "identiteitsbewijs",
    "identiteitskaart",
    "id-kaart",
    "paspoort",
    "rijbewijs",
    "identity document",
    "identity card",
    "passport",
    "driving licence",
)
NATIONAL_NUMBER_WORDS = ("bsn", "burgerservicenummer", "sofinummer", "citizen service number")
CREDENTIAL_WORDS = (
    "wachtwoord",
    "inloggegevens",
    "inlogcode",
    "toegangscode",
    "password",
    "credential",
)
BANK_WORDS = (
    "rekeningnummer",
    "bankrekening",
    "iban",
    "creditcard",
    "betaalgegevens",
    "bank account",
    "payment data",
    "card number",
)


#: Words in the report's own description of the data that show special categories (Art. 9
#: GDPR) or criminal data (Art. 10), Dutch and English: the checklist's prefill takes them as
#: "yes" to be confirmed (health data typed under "other data" left Art. 9 "not known": found
#: by exploratory testing of the legal outcomes).
SPECIAL_CATEGORY_WORDS = (
    "gezondheid",
    "medisch",
    "medicijn",
    "medicatie",
    "diagnose",
    "psychisch",
    "psychiatr",
    "ziektebeeld",
    "zwangerschap",
    "religie",
    "godsdienst",
    "etnisch",
    "seksuele",
    "vakbond",
    "politieke voorkeur",
    "biometrisch",
    "vingerafdruk",
    "genetisch",
    "health",
    "medical",
    "medication",
    "diagnosis",
    "mental",
    "religio",
    "ethnic",
    "sexual orientation",
    "trade union",
    "political opinion",
    "biometric",
    "fingerprint",
    "genetic",
)
CRIMINAL_WORDS = (
    "strafblad",
    "strafrecht",
    "veroordeling",
    "justitiële",
    "criminal record",
    "conviction",
)


def mentions(category: DataCategory, words: Sequence[str]) -> bool:
    """Whether the category's key or names contain one of ``words`` (as a word start)."""
    return text_mentions(" ".join((category.key, category.name, category.name_en or "")), words)


def text_mentions(text: str, words: Sequence[str]) -> bool:
    """Whether ``text`` contains one of ``words`` at the start of a word (any case)."""
    lowered = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(word)}", lowered) for word in words)


def check_profile(profile: OrganisationProfile) -> list[tuple[str, str]]:
    """Rules beyond the schema: unique keys and references that resolve.

    Returns (field path, reason) pairs; [] when the profile is consistent.
    """
    problems: list[tuple[str, str]] = []
    for list_name, keys in (
        ("data_categories", profile.data_category_keys()),
        ("subject_categories", profile.subject_category_keys()),
        ("processors", profile.processor_keys()),
    ):
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                twice = Translatable(N_("The key %(key)s is used twice."), key=key)
                problems.append((f"{list_name}[{index}].key", twice))
            seen.add(key)
    known = set(profile.data_category_keys())
    for index, proc in enumerate(profile.processors):
        for key in proc.data_shared:
            if key not in known:
                problems.append((f"processors[{index}].data_shared", _no_category(key)))
    for index, rule in enumerate(profile.retention):
        for key in rule.category_keys:
            if key not in known:
                problems.append((f"retention[{index}].category_keys", _no_category(key)))
    problems += _understated_categories(profile)
    if profile.privacy_contact.kind is not ContactKind.NONE and not (
        profile.privacy_contact.email or profile.privacy_contact.phone
    ):
        needs = N_("A designated contact needs an e-mail address or phone number.")
        problems.append(("privacy_contact", Translatable(needs)))
    return problems


def _no_category(key: str) -> str:
    return Translatable(N_("There is no kind of personal data with the key %(key)s."), key=key)


def _understated_categories(profile: OrganisationProfile) -> list[tuple[str, str]]:
    """Categories whose name says they hold identity documents, BSNs, passwords or bank data
    while the flag is off, or that carry such a flag with too low an ENISA class (a copy of an
    identity document scored "simple" understates every breach it is in)."""
    problems: list[tuple[str, str]] = []
    financial = EnisaClass.FINANCIAL.base_score
    for index, category in enumerate(profile.data_categories):
        path = f"data_categories[{index}]"
        for flag, words, says in (
            (
                "identity_documents",
                IDENTITY_DOCUMENT_WORDS,
                N_("The name says it holds identity documents: turn this on (%(flag)s: true)."),
            ),
            (
                "national_id_number",
                NATIONAL_NUMBER_WORDS,
                N_(
                    "The name says it holds a BSN or other national number: turn this on "
                    "(%(flag)s: true)."
                ),
            ),
            (
                "credentials",
                CREDENTIAL_WORDS,
                N_(
                    "The name says it holds passwords or access codes: turn this on "
                    "(%(flag)s: true)."
                ),
            ),
            (
                "financial_data",
                BANK_WORDS,
                N_(
                    "The name says it holds bank, card or payment data: turn this on "
                    "(%(flag)s: true)."
                ),
            ),
        ):
            if mentions(category, words) and not getattr(category, flag):
                problems.append((f"{path}.{flag}", Translatable(says, flag=flag)))
        for flag in ("identity_documents", "national_id_number", "financial_data"):
            if getattr(category, flag) and category.enisa_class.base_score < financial:
                low = N_(
                    "With %(flag)s on, the ENISA class must be financial or sensitive, "
                    "not %(enisa_class)s."
                )
                reason = Translatable(low, flag=flag, enisa_class=category.enisa_class.value)
                problems.append((f"{path}.enisa_class", reason))
    return problems
