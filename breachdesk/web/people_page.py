"""The people page as it is shown (and shown again with a form's errors): the notice being
drafted with its preview and readability, the mailings, the letters and the public
communication. Its two blueprints (:mod:`.people` for the notice and the mailing,
:mod:`.people_post` for letters and the public notice) both render it from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..domain.notices.people_notice import (
    SECTION_KEYS,
    MergePerson,
    missing_elements,
    unknown_fields,
)
from ..domain.notices.readability import Readability
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Incident, Mailing, PeopleNotice, Recipient, RecipientImport
from ..runtime import runtime
from ..services import letters, mailings, people_notices, public_notice, readability, unreached
from .context import user
from .edges import whole_number
from .fields import LocalDateTimeField, PageForm
from .report_form import options

#: The readability bands in the words of the page (the FG's language, not the notice's).
BAND_LABELS = {
    "easy": _l("easy"),
    "fairly_easy": _l("fairly easy"),
    "standard": _l("standard"),
    "fairly_difficult": _l("fairly difficult"),
    "difficult": _l("difficult"),
    "very_difficult": _l("very difficult"),
}


def band_label(result: Readability) -> str:
    """The band of a readability check, in the page's language ("" for a text without words)."""
    return str(BAND_LABELS[result.band.key]) if result.band else ""


class PostedForm(PageForm):
    posted_at = LocalDateTimeField(_l("Posted at"), validators=[InputRequired()])


class PublicForm(PageForm):
    text = TextAreaField(_l("The text"), validators=[Length(max=20000)], render_kw={"rows": 16})
    channel = StringField(
        _l("Where it was published"),
        validators=[Optional(), Length(max=200)],
        description=_l("E.g. “our website, homepage”, or “De Stentor, 5 December”."),
    )
    url = StringField(_l("Web address (optional)"), validators=[Optional(), Length(max=500)])
    published_at = LocalDateTimeField(_l("Published at"), validators=[Optional()])


SECTION_LABELS = {
    "what_happened": _l("What happened"),
    "your_data": _l("Which of their data"),
    "consequences": _l("What it may mean for them"),
    "measures": _l("What we did and will do"),
    "advice": _l("What they can do themselves"),
    "ap_informed": _l("The Autoriteit Persoonsgegevens"),
    "contact": _l("Questions: the contact point"),
}


class NoticeForm(PageForm):
    seen = HiddenField()
    lang = SelectField(
        _l("Language of the notice"), choices=options([("nl", "Nederlands"), ("en", "English")])
    )
    subject = StringField(_l("Subject"), validators=[Length(max=people_notices.MAX_SUBJECT)])


for _key in SECTION_KEYS:
    setattr(
        NoticeForm,
        _key,
        TextAreaField(
            SECTION_LABELS.get(_key, _key), validators=[Length(max=people_notices.MAX_SECTION)]
        ),
    )


def sections_of(form: NoticeForm) -> dict[str, str]:
    return {key: form[key].data or "" for key in SECTION_KEYS}


def _form_of(draft: PeopleNotice) -> NoticeForm:
    form = NoticeForm(formdata=None)
    form.seen.data = str(draft.edit_count)
    form.lang.data, form.subject.data = draft.lang, draft.subject
    for key in SECTION_KEYS:
        form[key].data = draft.sections.get(key, "")
    return form


#: People offered in the preview's picker at a time; a search finds the others.
PICKER_SIZE = 25


@dataclass(frozen=True)
class PreviewChoice:
    """Whose notice the preview shows, and the people the picker offers."""

    person: MergePerson
    people: list[Recipient]  # the picker's options: the first of the list, or of a search
    chosen: int | None  # the person shown, when a real one
    find: str  # the search typed, "" for none
    matches: int  # how many people the search (or the list) holds
    note: str = ""  # what could not be found, in words


def _preview_person(incident: Incident, lang: str) -> PreviewChoice:
    """The person ``?person=`` names if they are on the active list, else the first the
    search ``?find=`` finds (or the list's first); breachdesk's example person without a
    list. Says so when the person or the search finds nobody."""
    from ..services import recipients as recipient_service

    session = db_session()
    active = recipient_service.active_import(session, incident)
    find = (request.args.get("find") or "").strip()[:100]
    if active is None:
        return PreviewChoice(people_notices.sample_person(lang), [], None, find, 0)
    people, matches = recipient_service.find_people(session, active, find, limit=PICKER_SIZE)
    note = ""
    if find and not people:
        note = _("Nobody on the list matches “%(find)s”.", find=find)
        people, matches = recipient_service.find_people(session, active, limit=PICKER_SIZE)
    wanted = whole_number(request.args.get("person"), 0)
    shown = recipient_service.person_on(session, active, wanted) if wanted else None
    if wanted and shown is None:
        note = _("That person is not on the current list; the preview shows the first one.")
    if shown is None and people:
        shown = people[0]
    if shown is None:
        return PreviewChoice(people_notices.sample_person(lang), people, None, find, matches, note)
    if shown not in people:
        people = [shown, *people]
    person = MergePerson(shown.name, shown.data, shown.reference)
    return PreviewChoice(person, people, shown.id, find, matches, note)


def _reach(
    session: Any, approved: PeopleNotice | None, active: RecipientImport | None
) -> unreached.Split | None:
    """How many of the list in use the approved version reached before (None: it reached
    nobody yet, and sending goes to everyone on the list)."""
    if approved is None or active is None:
        return None
    if not unreached.sent_before(session, approved):
        return None
    return unreached.split(session, active, approved)


def render_page(
    incident: Incident, form: NoticeForm | None = None, status: int = 200, **extra: Any
) -> tuple[str, int]:
    from ..services import recipients as recipient_service

    session, clock = db_session(), runtime().clock
    draft = people_notices.working_draft(session, incident, clock=clock, user=user())
    form = form or _form_of(draft)
    # A language the form does not offer (a forged post, refused at the field) must not
    # reach the preview, which knows only these two: it made the error page itself a 500.
    lang = form.lang.data if form.lang.data in people_notices.LANGS else draft.lang
    sections = sections_of(form)
    choice = _preview_person(incident, lang)
    preview = people_notices.render_for(
        incident,
        subject=form.subject.data or "",
        sections=sections,
        lang=lang,
        person=choice.person,
    )
    mailing_list = mailings.mailings_of(session, incident)
    derived = unreached.derived_lists(session, [m.import_id for m in mailing_list])
    approved = people_notices.latest_approved(session, incident)
    context: dict[str, Any] = {
        "incident": incident,
        "form": form,
        "draft": draft,
        "approved": approved,
        "versions": people_notices.versions(session, incident),
        "missing": missing_elements(sections),
        "unknown": unknown_fields(" ".join([form.subject.data or "", *sections.values()])),
        "outdated": people_notices.outdated_problems(session, incident, sections, lang),
        "notes": people_notices.draft_notes(
            incident, lang=lang, now=clock.now(), user=user(), sections=sections
        ),
        "readability": (checked := readability.check("\n\n".join(sections.values()), lang)),
        "readability_band": band_label(checked),
        "notice_lang": lang,
        "preview": preview,
        "choice": choice,
        "recipients": (active := recipient_service.active_import(session, incident)),
        # Whether this very list was sent to before (sending again reaches everyone again),
        # and the mailings that went only to the people of a list not reached yet.
        "list_sent_before": active is not None
        and any(
            active.id in (m.import_id, derived.get(m.import_id)) and m.status != "cancelled"
            for m in mailing_list
        ),
        "to_unreached": {m.id for m in mailing_list if m.import_id in derived},
        "reach": _reach(session, approved, active),
        "mailings": [(m, mailings.progress(session, m)) for m in mailing_list],
        "current": mailings.current(session, incident),
        "now": clock.now(),
        **post_context(incident, **{k: v for k, v in extra.items() if k.endswith("_form")}),
        **extra,
    }
    return render_template("people/index.html", **context), status


def post_context(incident: Incident, **forms: Any) -> dict[str, Any]:
    """What the letters and public parts of the people page show."""
    session = db_session()
    notice = public_notice.public_notice_of(session, incident)
    public_form = forms.get("public_form")
    if public_form is None:
        public_form = PublicForm(formdata=None)
        if notice is not None:
            public_form.text.data, public_form.channel.data = notice.text, notice.channel
            public_form.url.data = notice.url
            if notice.published_at is not None:  # shown as it was recorded: saving keeps it
                public_form.published_at.data = utc_to_local(notice.published_at).replace(
                    tzinfo=None
                )
        else:
            public_form.text.data = public_notice.draft_text(
                session,
                incident,
                now=runtime().clock.now(),
                lang=public_notice.draft_lang(session, incident),
            )
    with_letters = [(m, letters.parts(session, m)) for m in _letter_mailings(incident) if m.letters]
    return {
        "letter_mailings": with_letters,
        "posted_form": forms.get("posted_form") or PostedForm(formdata=None),
        "public_form": public_form,
        "public_notice": notice,
    }


def _letter_mailings(incident: Incident) -> list[Mailing]:
    return [m for m in mailings.mailings_of(db_session(), incident) if m.status != "cancelled"]
