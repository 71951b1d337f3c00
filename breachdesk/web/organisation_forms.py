"""The forms for a new organisation: the profile form with its short name (slug) and its own
reference prefix, or a profile file to upload as ``breachdesk org import`` reads it."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from .fields import PageForm
from .profile_form import ProfileForm, valid_prefix

SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"


def _slug_as_typed(value: str | None) -> str:
    """The slug in lower case when that makes it a valid one (``Kruix`` is ``kruix``); else
    as typed, so that the error shows what the person wrote."""
    typed = (value or "").strip()
    return typed.lower() if re.match(SLUG, typed.lower()) else typed


class NewOrganisationForm(ProfileForm):
    """A new organisation: the profile form with the slug, and a prefix that must be given
    (an installation with several organisations needs one per organisation)."""

    slug = StringField(
        _l("Short name (slug)"),
        validators=[
            DataRequired(),
            Regexp(SLUG, message=_l("Use 2 to 63 characters: a-z, 0-9 and -.")),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. kruix. It cannot be changed later."
        ),
        filters=[lambda value: _slug_as_typed(value)],
    )
    reference_prefix = StringField(
        _l("Prefix of incident references"),
        validators=[DataRequired(), valid_prefix],
        description=_l("2 to 6 capital letters, e.g. KRX gives KRX-2026-0001; one of its own."),
    )
    _TOP = {**ProfileForm._TOP, "slug": "slug"}


#: Larger than any real profile (the five demo profiles are 7-15 kB).
MAX_PROFILE_BYTES = 512 * 1024


class ProfileUploadForm(PageForm):
    """A new organisation from a profile file, as ``breachdesk org import FILE`` reads it."""

    profile_file = FileField(
        _l("Profile file (YAML)"),
        validators=[
            FileRequired(_l("Choose a profile file.")),
            FileSize(MAX_PROFILE_BYTES, message=_l("The file is larger than 512 kB.")),
        ],
        description=_l(
            "The format of “breachdesk org export”; it is checked as on the command line."
        ),
    )
