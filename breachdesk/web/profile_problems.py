"""Putting the problems of an organisation profile back next to the form's fields: the form's
own errors and the profile checks' (field path, reason) pairs, and the summary's links to each
field with an error. Used by :mod:`.profile_form`.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, FieldList, FormField

from .labels import message_text

#: A path of the profile checks -> the form's field that shows it.
TOP = {
    "legal_name": "legal_name",
    "reference_prefix": "reference_prefix",
    "trade_names": "trade_names",
    "parent_organisation": "parent_organisation",
    "address.street": "street",
    "address.postal_code": "postal_code",
    "address.city": "city",
    "address.country": "country",
    "kvk_number": "kvk_number",
    "vat_number": "vat_number",
    "contact.email": "email",
    "contact.phone": "phone",
    "website": "website",
    "sector": "sector",
    "financial_undertaking": "financial_undertaking",
    "nis2_entity": "nis2_entity",
    "telecom_provider": "telecom_provider",
    "dora_entity": "dora_entity",
    "privacy_contact": "contact_kind",
    "privacy_contact.kind": "contact_kind",
    "privacy_contact.name": "contact_name",
    "privacy_contact.email": "contact_email",
    "privacy_contact.phone": "contact_phone",
    "privacy_contact.fg_registration_number": "fg_registration_number",
    "breach_commitments": "breach_commitments",
    "notes": "notes",
}
LISTS = ("data_categories", "subject_categories", "processors", "recipients", "retention")
LIST = re.compile(r"^(?P<list>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?")

#: The headings of the lists on the page, to name a field inside one of their rows.
LIST_TITLES = {
    "data_categories": _l("Kinds of personal data"),
    "subject_categories": _l("Groups of people"),
    "processors": _l("Processors"),
    "recipients": _l("Other recipients"),
    "retention": _l("Retention periods"),
}

#: The order of the page (admin/_profile_fields.html), for the summary's links.
PAGE_ORDER = (
    "slug", "legal_name", "reference_prefix", "trade_names", "parent_organisation", "sector",
    "street", "postal_code", "city", "country", "kvk_number", "vat_number", "email", "phone",
    "website", "financial_undertaking", "nis2_entity", "telecom_provider", "dora_entity",
    "contact_kind", "contact_name", "contact_email", "contact_phone",
    "fg_registration_number", "breach_commitments", *LISTS, "notes",
)  # fmt: skip


def problem_links(form: Any) -> list[tuple[str, str]]:
    """(id, label) of every field with an error, in the page's order, a field in a list's
    row named with its list and row ("Processors, row 2: Name"), for the summary's links."""
    found: list[tuple[str, str]] = []
    order = {name: position for position, name in enumerate(PAGE_ORDER)}
    fields = sorted(form, key=lambda f: order.get(f.short_name, len(order)))
    for field in fields:
        if isinstance(field, FieldList):
            title = LIST_TITLES.get(field.name, field.label.text)
            for number, entry in enumerate(field.entries, start=1):
                for leaf in leaf_fields(entry.form):
                    if leaf.errors:
                        label = _("%(list)s, row %(n)d: %(field)s", list=title, n=number,
                                  field=leaf.label.text)  # fmt: skip
                        found.append((leaf.id, label))
        elif field.errors and field.type not in ("CSRFTokenField", "HiddenField"):
            found.append((field.id, field.label.text))
    return found


def place_problems(
    form: Any, problems: list[tuple[str, str]], top: dict[str, str] = TOP
) -> list[str]:
    """Attach each problem to its field; return those that fit no single field.

    A field that already shows the form's own error keeps only that one: the profile's
    checks say the same thing about it in other words."""
    faulted = {id(field) for field in leaf_fields(form) if field.errors}
    unplaced = []
    for path, message in problems:
        reason = message_text(message)
        if path in top:
            field = getattr(form, top[path])
            if id(field) not in faulted:
                field.errors = [*field.errors, reason]
            continue
        if path in LISTS and getattr(form, path).entries:  # "at least one": row 1
            first = getattr(form, path).entries[0].form
            target = getattr(first, "name", None) or first.applies_to
            if id(target) not in faulted:
                target.errors = [*target.errors, reason]
            continue
        match = LIST.match(path)
        index_map = getattr(form, "_row_index", {}).get(match["list"]) if match else None
        if match and index_map is not None and int(match["index"]) < len(index_map):
            row = getattr(form, match["list"]).entries[index_map[int(match["index"])]].form
            target = (
                getattr(row, match["field"] or "", None)
                or getattr(row, "name", None)
                or row.applies_to
            )
            if id(target) not in faulted:
                target.errors = [*target.errors, reason]
            continue
        unplaced.append(f"{path}: {reason}" if path else reason)
    return unplaced


def leaf_fields(form: Any) -> list[Field]:
    """Every field of ``form``, inside its lists and rows too."""
    found: list[Field] = []
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                found += leaf_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, FormField):
            found += leaf_fields(field.form)
        else:
            found.append(field)
    return found
