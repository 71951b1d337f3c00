"""The rows of the lists in the organisation profile form: data categories, groups of people,
processors, recipients and retention periods, each with a "remove" box, and the choices they
offer. Used by :mod:`.profile_form`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from .fields import TypedMeta
from .report_form import MultiCheckboxField, options

ENISA = options(
    [
        ("simple", _l("Simple (1): contact details, name, address")),
        ("behavioural", _l("Behavioural (2): location, traffic, habits")),
        ("financial", _l("Financial (3): bank account, payments, income")),
        ("sensitive", _l("Sensitive (4): health, criminal, other special categories")),
    ]
)
LOCATIONS = options(
    [
        ("inside_eu", _l("Inside the EU")),
        ("outside_eu", _l("Outside the EU")),
        ("unknown", _l("Unknown")),
    ]
)
CONTACT_KINDS = options(
    [
        ("fg", _l("A designated data protection officer (FG)")),
        ("privacy_contact", _l("Another privacy contact")),
        ("none", _l("None designated")),
    ]
)
TRISTATE = options([("", _l("Unknown")), ("yes", _l("Yes")), ("no", _l("No"))])
NIS2_ENTITIES = options(
    [
        ("", _l("Not subject, or not known")),
        ("essential", _l("Essential entity")),
        ("important", _l("Important entity")),
    ]
)


class _Row(Form):
    class Meta(TypedMeta):
        pass

    key = HiddenField()
    remove = BooleanField(_l("Remove"))

    def _name(self) -> Field:
        return getattr(self, "name", None) or self.applies_to

    def _typed(self) -> bool:
        """Whether anything was typed or ticked in the row (a choice left at its default,
        the hidden fields and "remove" do not count)."""
        for field in self:
            if field.short_name in ("key", "remove", "category_keys") or isinstance(
                field, SelectField
            ):
                continue
            data = field.data
            if (isinstance(data, str) and data.strip()) or (data and not isinstance(data, str)):
                return True
        return False

    def is_blank(self) -> bool:
        """Nothing in the row: one of the empty rows for additions (it is dropped)."""
        return not self._typed()

    def validate(self, extra_validators: Any = None) -> bool:
        """A row with typing but no name is refused at its name, not dropped: what was typed
        would be lost without a word."""
        valid = super().validate(extra_validators)
        name = self._name()
        if not self.remove.data and self._typed() and not (name.data or "").strip():
            name.errors = [*name.errors, _l("Give this row a name, or tick “Remove”.")]
            return False
        return valid


class DataCategoryRow(_Row):
    name = StringField(_l("Name (Dutch)"), validators=[Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=300)])
    enisa_class = SelectField(_l("ENISA class"), choices=ENISA, default="simple")
    special_category = BooleanField(_l("Special category (Art. 9)"))
    criminal_data = BooleanField(_l("Criminal data (Art. 10)"))
    national_id_number = BooleanField(_l("National ID number (BSN)"))
    identity_documents = BooleanField(_l("Copies of identity documents"))
    credentials = BooleanField(_l("Passwords or access codes"))
    financial_data = BooleanField(_l("Bank, card or payment data"))
    children = BooleanField(_l("Data of children"))
    source = TextAreaField(_l("Source in the privacy statement"), validators=[Length(max=2000)])


class SubjectRow(_Row):
    name = StringField(_l("Name (Dutch)"), validators=[Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=300)])
    children = BooleanField(_l("Children"))
    source = TextAreaField(_l("Source in the privacy statement"), validators=[Length(max=2000)])


class ProcessorRow(_Row):
    name = StringField(_l("Name"), validators=[Length(max=300)])
    service = StringField(_l("Service (Dutch)"), validators=[Length(max=1000)])
    service_en = StringField(_l("Service (English)"), validators=[Length(max=1000)])
    data_shared = MultiCheckboxField(_l("Data shared"), choices=[], validate_choice=False)
    data_shared_note = StringField(_l("Note on data shared"), validators=[Length(max=2000)])
    location = SelectField(_l("Location"), choices=LOCATIONS, default="unknown")
    country = StringField(_l("Country"), validators=[Length(max=100)])
    transfer_basis = TextAreaField(
        _l("Transfer basis (outside the EU)"), validators=[Length(max=2000)]
    )
    source = TextAreaField(_l("Source in the privacy statement"), validators=[Length(max=2000)])


class RecipientRow(_Row):
    name = StringField(_l("Name"), validators=[Length(max=300)])
    purpose = StringField(_l("Purpose"), validators=[Length(max=1000)])
    source = TextAreaField(_l("Source in the privacy statement"), validators=[Length(max=2000)])


class RetentionRow(_Row):
    applies_to = StringField(_l("Applies to"), validators=[Length(max=500)])
    period = StringField(_l("Period"), validators=[Length(max=300)])
    category_keys = HiddenField()
    source = TextAreaField(_l("Source in the privacy statement"), validators=[Length(max=2000)])
