"""Form fields with the bounds every form shares: dates people can mean, numbers that fit;
and :func:`own_ids` for a page that shows several forms with fields of the same name.

Each refuses an out-of-range value with a message next to the field and keeps what was
typed (WTForms shows the raw input again), instead of passing it on to code that would
overflow: a year 0001 to the time-zone conversion, a 30-digit count to the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from wtforms import (
    DateTimeLocalField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from ..domain.limits import MAX_COUNT, OUT_OF_BOUNDS, within
from ..domain.text import as_typed
from ..domain.timeutil import EARLIEST_YEAR, LATEST_YEAR, OUT_OF_RANGE, within_range

DT_FORMAT = "%Y-%m-%dT%H:%M"


class TypedMeta(DefaultMeta):
    """How breachdesk's forms bind and show their fields (the ``Meta`` of :class:`PageForm`
    and of the sub-forms of a form's rows):

    * text a person types is kept as :func:`~breachdesk.domain.text.as_typed` says: empty
      when nothing in it can be seen, so a field that needs a reason is not answered by a
      zero-width space (``str.strip`` keeps it); one-line fields lose bidirectional controls,
      which made a title read backwards in the inbox;
    * the CSRF token input carries no id: a page often holds several forms (the incident page
      a dozen), and every token had the same id "csrf_token" (invalid HTML; nothing refers
      to it).
    """

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(
            field_class, PasswordField | HiddenField
        ):
            one_line = not issubclass(field_class, TextAreaField)
            options = {
                **options,
                "filters": [*unbound_field.kwargs.get("filters", ()), _typed_filter(one_line)],
            }
        return super().bind_field(form, unbound_field, options)

    def get_translations(self, form: Any) -> Any:
        """WTForms' own messages ("Not a valid choice") in the reader's language, as a
        FlaskForm has them, for the rows' sub-forms too (they said it in English on the Dutch
        profile page: found by exploratory testing)."""
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)
        return wtf_translations

    def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
        if isinstance(field, CSRFTokenField):
            render_kw = {**render_kw, "id": False}  # False: no attribute at all
        return super().render_field(field, render_kw)


def _typed_filter(one_line: bool) -> Callable[[Any], Any]:
    def typed(value: Any) -> Any:
        return as_typed(value, one_line=one_line) if isinstance(value, str) else value

    return typed


class PageForm(FlaskForm):
    """The base of breachdesk's forms: a FlaskForm with :class:`TypedMeta`."""

    class Meta(TypedMeta):
        pass


class InRange:
    """A number from ``low`` to ``high``; NaN and infinity are never in range."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __call__(self, _form: Any, field: Field) -> None:
        if field.data is not None and not within(field.data, self.low, self.high):
            raise ValidationError(
                _(OUT_OF_BOUNDS, low=format_number(self.low), high=format_number(self.high))
            )


def sane_year(_form: Any, field: Field) -> None:
    """A date in the years people may type (see :mod:`breachdesk.domain.timeutil`)."""
    if field.data is not None and not within_range(field.data):
        raise ValidationError(_(OUT_OF_RANGE, first=EARLIEST_YEAR, last=LATEST_YEAR))


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed as Dutch wall-clock time, limited to sane years."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DT_FORMAT)
        kwargs.setdefault(
            "render_kw",
            {"min": f"{EARLIEST_YEAR}-01-01T00:00", "max": f"{LATEST_YEAR}-12-31T23:59"},
        )
        super().__init__(label, [*(validators or []), sane_year], **kwargs)


class CountField(IntegerField):
    """A whole number of people or records: 0 to :data:`MAX_COUNT`."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"min": 0, "max": MAX_COUNT})
        super().__init__(label, [*(validators or []), InRange(0, MAX_COUNT)], **kwargs)


class BoundedFloatField(FloatField):
    """A finite decimal number from ``low`` to ``high``."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, low: float, high: float, **kwargs: Any
    ) -> None:
        super().__init__(label, [*(validators or []), InRange(low, high)], **kwargs)


_F = TypeVar("_F", bound=FlaskForm)


def own_ids(form: _F, prefix: str) -> _F:
    """``form`` with ids of its own for its fields (``prefix-name``; the names, which the
    post carries, stay): several forms on the incident page have a field ``reason``, and a
    label "Reason" then focused another form's field (found by exploratory testing)."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form
