# ruff: noqa: E501  (the question table below reads best one question per line)
"""The risk checklist form, generated from one list that mirrors ``domain.checklist.Facts``.

The form's data become a plain mapping in the documented JSON input format and go through
the same ``facts_from_dict`` as ``breachdesk assess FILE.json``, so the browser, the live
preview and the command line always assess the same facts the same way.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..domain.limits import MAX_COMMITMENT_CHARS, MAX_HOURS
from .fields import BoundedFloatField, CountField, PageForm
from .report_form import MultiCheckboxField, options
from .triage_forms import BREACH_TYPES, TRI

Choices = list[tuple[str, Any]]

RECIPIENTS: Choices = [
    ("none_known", _l("No sign that anyone saw the data")),
    ("trusted", _l("A known, trusted party bound by confidentiality")),
    ("limited_known", _l("A limited, known number of people")),
    (
        "one_unidentified",
        _l("One person who cannot be identified (a letter opened at a wrong address)"),
    ),
    ("affected_themselves", _l("Only the people whose data they are (every address in CC)")),
    ("known_hostile", _l("A known person who may misuse them (an ex-employee, an ex-partner)")),
    ("many_or_unknown", _l("Many or unknown people, published, or criminals")),
    ("unknown", _l("Not yet known")),
]
MISUSE: Choices = [
    ("already_misused", _l("Yes: already misused (phishing sent from it, accounts entered)")),
    ("none_found", _l("Looked for, and none found")),
    ("unknown", _l("Not yet known")),
]
PASSWORDS: Choices = [
    ("strong_hash", _l("Strong, salted hash (bcrypt, scrypt, Argon2, PBKDF2)")),
    ("weak_hash", _l("Fast or unsalted hash (MD5, SHA-1): crackable")),
    ("clear", _l("Readable")),
    ("unknown", _l("Not yet known")),
]
AVAILABILITY: Choices = [
    ("no_loss", _l("No loss of access")),
    ("temporary", _l("Temporary loss, restorable")),
    ("permanent", _l("Permanent loss: no usable copy")),
    ("unknown", _l("Not yet known")),
]
INTEGRITY: Choices = [
    ("not_altered", _l("Not altered")),
    ("recoverable", _l("Altered, correct data recoverable")),
    ("not_recoverable", _l("Altered, not recoverable")),
    ("unknown", _l("Not yet known")),
]
PROTECTION: Choices = [
    ("state_of_the_art_key_safe", _l("State-of-the-art encryption, key not compromised")),
    ("encrypted_key_at_risk", _l("Encrypted, but the key may be compromised")),
    ("weak", _l("Weak or partial protection")),
    ("none", _l("Not protected")),
    ("unknown", _l("Not yet known")),
]
IDENTIFIABILITY: Choices = [
    ("negligible", _l("Negligible: extremely hard to link to a person")),
    ("limited", _l("Limited: possible with effort or extra data")),
    ("significant", _l("Significant: reasonably easy")),
    ("maximum", _l("Maximum: directly identifiable")),
    ("unknown", _l("Not yet known")),
]
VOLUME: Choices = [
    ("limited", _l("A few data items per person")),
    ("extensive", _l("Extensive: a full file or long history per person")),
    ("unknown", _l("Not yet known")),
]
CLASSES: Choices = [
    ("simple", _l("Simple (name, contact details)")),
    ("behavioural", _l("Behavioural (location, habits, traffic)")),
    ("financial", _l("Financial")),
    ("sensitive", _l("Sensitive (special categories, criminal)")),
]
CONSEQUENCES: Choices = [
    ("identity_fraud", _l("Identity fraud")),
    ("financial_loss", _l("Financial loss")),
    ("discrimination", _l("Discrimination")),
    ("reputation", _l("Damage to reputation")),
    ("psychological_harm", _l("Psychological harm, distress")),
    ("physical_harm", _l("Physical harm")),
    ("loss_of_control", _l("Loss of control over their data")),
    ("loss_of_confidentiality_secrecy", _l("Breach of professional secrecy")),
    ("phishing_or_spam", _l("Phishing or spam")),
    ("service_unavailable", _l("A service was unavailable for a while (no harm by itself)")),
    ("service_disruption", _l("The outage harmed people (care or payments delayed)")),
    ("none_likely", _l("None likely: no adverse consequence for the people is to be expected")),
]
PERMANENCE: Choices = [
    ("minor", _l("Minor: easily overcome")),
    ("reversible", _l("Significant but reversible")),
    ("irreversible", _l("Lasting or irreversible")),
    ("unknown", _l("Not yet known")),
]

#: (section title, [(field name, kind, choices, label)]) — kind: tri, radio, multi, int, float,
#: promise (one text: the organisation's promises)
SECTIONS: list[tuple[Any, list[tuple[str, str, Choices | None, Any]]]] = [
    (_l("Type and circumstances"), [
        ("breach_types", "multi", BREACH_TYPES, _l("Type of breach")),
        ("malicious", "tri", None, _l("Malicious (theft, hacking, phishing) rather than an error?")),
        ("exfiltration", "tri", None, _l("Were data copied or taken away? (answer No only when that is established)")),
        ("recipients", "radio", RECIPIENTS, _l("Who got or could get the data?")),
        ("deletion_requested", "tri", None, _l("Was the recipient asked to delete or return it?")),
        ("deletion_confirmed", "tri", None, _l("Did the recipient confirm deleting or returning it?")),
        ("exposure_hours", "float", None, _l("Hours the data were open to others")),
        ("exposure_reach", "int", None, _l("How many people saw, received or downloaded them (best estimate)")),
        ("misuse", "radio", MISUSE, _l("Have the data been misused?")),
        ("already_public", "tri", None, _l("Were the same data already public?")),
        ("availability", "radio", AVAILABILITY, _l("Loss of access")),
        ("backup_available", "tri", None, _l("Is a usable backup available?")),
        ("restore_hours", "float", None, _l("Hours until access was (or will be) restored")),
        ("integrity", "radio", INTEGRITY, _l("Alteration of data")),
    ]),
    (_l("Nature, sensitivity and volume of the data"), [
        ("data_classes", "multi", CLASSES, _l("Kinds of data (ENISA classes)")),
        ("special_category", "tri", None, _l("Special categories (Art. 9: health, religion, …)?")),
        ("criminal_data", "tri", None, _l("Criminal-law data (Art. 10)?")),
        ("national_id_number", "tri", None, _l("BSN or another national identification number?")),
        ("identity_documents", "tri", None, _l("Copies of identity documents?")),
        ("id_document_number", "tri", None, _l("The number of a passport or identity card (not a copy)?")),
        ("credentials", "tri", None, _l("Passwords or access codes?")),
        ("password_protection", "radio", PASSWORDS, _l("If passwords: how were they stored?")),
        ("financial_data", "tri", None, _l("Bank account, card or payment data?")),
        ("volume_per_person", "radio", VOLUME, _l("How much data per person?")),
        ("data_inaccurate", "tri", None, _l("Are the data known to be outdated or wrong?")),
        ("protection", "radio", PROTECTION, _l("Were the data unintelligible (encryption)?")),
        ("identifiability", "radio", IDENTIFIABILITY, _l("How easily can people be identified?")),
    ]),
    (_l("The people and the organisation"), [
        ("subjects_count", "int", None, _l("Number of people affected (best estimate, upper bound)")),
        ("subjects_min", "int", None, _l("Lower bound, when only a range is known")),
        ("children", "tri", None, _l("Children among them?")),
        ("vulnerable", "tri", None, _l("Vulnerable people (patients, elderly, people in debt)?")),
        ("controller_context_sensitive", "tri", None, _l("Does the organisation's context reveal more (clinic, debt collector)?")),
        ("financial_undertaking", "tri", None, _l("Is the organisation a financial undertaking under the Wft (UAVG art. 42)?")),
    ]),
    (_l("Consequences"), [
        ("consequences", "multi", CONSEQUENCES, _l("Possible consequences for the people")),
        ("permanence", "radio", PERMANENCE, _l("How serious and lasting?")),
    ]),
    (_l("After the breach (Art. 34(3))"), [
        ("subsequent_measures_remove_high_risk", "tri", None, _l("Have measures taken since made a high risk no longer likely (Art. 34(3)(b))?")),
        ("disproportionate_effort", "tri", None, _l("Would informing each person individually take disproportionate effort (Art. 34(3)(c))?")),
    ]),
    (_l("The organisation's own promises"), [
        ("commitments", "promise", None, _l("What the organisation promised about breaches (privacy statement, agreements)")),
    ]),
]  # fmt: skip

ADJUSTMENT_ROWS = 2
GROUP_ROWS = 3
SAME: Choices = [("", _l("As for the breach as a whole"))]
#: What a group's "also true for them" boxes set to "yes".
GROUP_FLAGS: Choices = [
    ("credentials", _l("Passwords or access codes")),
    ("financial_data", _l("Bank, card or payment data")),
    ("special_category", _l("Special categories (Art. 9)")),
    ("national_id_number", _l("BSN")),
    ("identity_documents", _l("Copies of identity documents")),
    ("id_document_number", _l("Passport or ID-card number")),
    ("children", _l("Children")),
    ("vulnerable", _l("Vulnerable people")),
]
DELTAS: Choices = [("0", "—")] + [(str(d), f"{d:+d}") for d in (-3, -2, -1, 1, 2, 3)]


def _field(kind: str, choices: Choices | None, label: Any) -> Field:
    if kind == "tri":
        return RadioField(label, choices=options(TRI), default="unknown")
    if kind == "radio":
        return RadioField(label, choices=options(choices or []), default="unknown")
    if kind == "multi":
        return MultiCheckboxField(label, choices=options(choices or []))
    if kind == "int":
        return CountField(label, validators=[Optional()])
    if kind == "promise":
        return TextAreaField(
            label,
            validators=[Length(max=MAX_COMMITMENT_CHARS)],
            render_kw={"rows": 5},
            description=_l(
                "Filled in from the organisation's profile. Shown beside the legal advice, never "
                "instead of it."
            ),
        )
    return BoundedFloatField(label, validators=[Optional()], low=0, high=MAX_HOURS)


class ChecklistForm(PageForm):
    """Built below from SECTIONS, plus rows for hand-made ENISA adjustments."""

    version = HiddenField()  # the checklist version the page showed (optimistic locking)

    def section_fields(self) -> list[tuple[Any, list[Field]]]:
        return [(title, [self[name] for name, *_ in fields]) for title, fields in SECTIONS]

    def group_rows(self) -> list[dict[str, Field]]:
        return [
            {
                part: self[f"group_{i}_{part}"]
                for part in ("name", "count", "recipients", "misuse", "flags")
            }
            for i in range(GROUP_ROWS)
        ]

    def _group(self, index: int) -> dict[str, Any] | None:
        row = self.group_rows()[index]
        name = (row["name"].data or "").strip()
        if not name:
            return None
        changes: dict[str, Any] = {flag: "yes" for flag in sorted(row["flags"].data or [])}
        for part in ("recipients", "misuse"):
            if row[part].data:
                changes[part] = row[part].data
        return {"name": name, "count": row["count"].data, "facts": changes}

    def fill(self, facts: dict[str, Any]) -> None:
        for _title, fields in SECTIONS:
            for name, kind, *_rest in fields:
                value = facts.get(name)
                if kind == "promise":
                    value = "\n\n".join(value or [])
                self[name].data = value if value is not None else self[name].default
        for index, group in enumerate(facts.get("groups", [])[:GROUP_ROWS]):
            changes = group.get("facts") or {}
            self[f"group_{index}_name"].data = group["name"]
            self[f"group_{index}_count"].data = group.get("count")
            self[f"group_{index}_recipients"].data = changes.get("recipients", "")
            self[f"group_{index}_misuse"].data = changes.get("misuse", "")
            self[f"group_{index}_flags"].data = [
                flag for flag, _label in GROUP_FLAGS if changes.get(flag) == "yes"
            ]
        for index, adjustment in enumerate(facts.get("dpc_adjustments", [])[:ADJUSTMENT_ROWS]):
            self[f"adj_{index}_delta"].data = str(adjustment["delta"])
            self[f"adj_{index}_reason"].data = adjustment["reason"]

    def to_data(self) -> dict[str, Any]:
        """The answers in the JSON input format's ``facts`` shape."""
        facts: dict[str, Any] = {}
        for _title, fields in SECTIONS:
            for name, kind, *_rest in fields:
                value = self[name].data
                if kind == "multi":
                    value = sorted(value or [])
                if kind == "promise":
                    value = [value.strip()] if (value or "").strip() else []
                facts[name] = value
        facts["groups"] = [group for i in range(GROUP_ROWS) if (group := self._group(i))]
        facts["dpc_adjustments"] = [
            {
                "delta": int(self[f"adj_{i}_delta"].data),
                "reason": (self[f"adj_{i}_reason"].data or "").strip(),
            }
            for i in range(ADJUSTMENT_ROWS)
            if self[f"adj_{i}_delta"].data not in (None, "", "0")
        ]
        return facts


for _title, _fields in SECTIONS:
    for _name, _kind, _choices, _label in _fields:
        setattr(ChecklistForm, _name, _field(_kind, _choices, _label))
for _i in range(ADJUSTMENT_ROWS):
    setattr(
        ChecklistForm,
        f"adj_{_i}_delta",
        SelectField(_l("ENISA adjustment"), choices=options(DELTAS), default="0"),
    )
    setattr(ChecklistForm, f"adj_{_i}_reason", StringField(_l("Reason for the adjustment")))
for _i in range(GROUP_ROWS):
    setattr(
        ChecklistForm,
        f"group_{_i}_name",
        StringField(_l("Group"), validators=[Length(max=200)]),
    )
    setattr(
        ChecklistForm,
        f"group_{_i}_count",
        CountField(_l("How many people"), validators=[Optional()]),
    )
    setattr(
        ChecklistForm,
        f"group_{_i}_recipients",
        SelectField(_l("Who got their data"), choices=options(SAME + RECIPIENTS[:-1]), default=""),
    )
    setattr(
        ChecklistForm,
        f"group_{_i}_misuse",
        SelectField(_l("Misuse"), choices=options(SAME + MISUSE[:-1]), default=""),
    )
    setattr(
        ChecklistForm,
        f"group_{_i}_flags",
        MultiCheckboxField(_l("Also involved for them"), choices=options(GROUP_FLAGS)),
    )
