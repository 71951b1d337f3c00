"""One approved notice rendered for many people, without rendering the templates per person.

A mailing sends the same approved text to thousands of people; only the merge fields differ.
:class:`PreparedNotice` renders the templates once per *shape* of person (which of name, data
and reference are empty: those change the fallbacks and the template's branches), with a
marker in place of each value, and then fills in each person's values in one pass. The
result is exactly what :func:`~breachdesk.domain.notices.people_notice.render_notice` gives
for that person (a property test checks this on arbitrary values); values are inserted once
and never read again, as in :func:`~breachdesk.domain.notices.people_notice.merge`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from jinja2 import Environment
from markupsafe import escape

from ..text import single_line
from .people_notice import MergePerson, RenderedNotice, render_notice

_FIELDS = ("name", "data", "reference")


class PreparedNotice:
    """``subject`` and ``sections`` in ``lang``, ready to be rendered for one person after
    another (see the module docstring). Raises what :func:`render_notice` raises.

    The markers are ``BDMERGE<token><field>X`` with a random ``token`` unless one is given
    (tests give one).
    """

    def __init__(
        self,
        env: Environment,
        *,
        subject: str,
        sections: Mapping[str, str],
        lang: str,
        organisation_name: str,
        token: str | None = None,
    ) -> None:
        self._env = env
        self._subject = subject
        self._sections = dict(sections)
        self._lang = lang
        self._organisation_name = organisation_name
        token = token or uuid.uuid4().hex
        self._markers = {f"BDMERGE{token}{field}X": field for field in _FIELDS}
        self._marker_of = {field: marker for marker, field in self._markers.items()}
        self._pattern = re.compile("|".join(self._markers))
        source = "\n".join([subject, organisation_name, *self._sections.values()])
        self._fast = not self._pattern.search(source)  # a marker already in the text: never
        self._shapes: dict[tuple[bool, ...], RenderedNotice] = {}

    def render(self, person: MergePerson) -> RenderedNotice:
        """The message for ``person``: identical to :func:`render_notice`'s."""
        values = {field: single_line(getattr(person, field)) for field in _FIELDS}
        if not self._fast:
            return self._render(person)
        shape = tuple(bool(values[field]) for field in _FIELDS)
        prepared = self._shapes.get(shape)
        if prepared is None:
            stand_in = MergePerson(
                *(self._marker_of[field] if values[field] else "" for field in _FIELDS)
            )
            prepared = self._shapes[shape] = self._render(stand_in)
        escaped = {field: str(escape(value)) for field, value in values.items()}
        return RenderedNotice(
            subject=self._fill(prepared.subject, values),
            text=self._fill(prepared.text, values),
            html=self._fill(prepared.html, escaped),
        )

    def _fill(self, rendered: str, values: Mapping[str, str]) -> str:
        return self._pattern.sub(lambda match: values[self._markers[match.group(0)]], rendered)

    def _render(self, person: MergePerson) -> RenderedNotice:
        return render_notice(
            self._env,
            subject=self._subject,
            sections=self._sections,
            person=person,
            lang=self._lang,
            organisation_name=self._organisation_name,
        )
