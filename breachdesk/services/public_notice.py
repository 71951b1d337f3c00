"""The public communication instead of informing each person (Art. 34(3)(c) GDPR).

When informing every person would take a disproportionate effort, the controller informs
them "in an equally effective manner" in public: a notice on the website, in a newspaper.
:func:`draft_text` drafts that text from the notice to people (the approved version, else the
working draft, else breachdesk's draft from the record), without anyone's personal merge
fields. :func:`save` keeps the FG's text with where and when it was published; once it was
published, the incident's public resolution says so, as :func:`.closing.close` expects it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.duties import PublicResolution, Resolution, resolution_problems
from ..domain.notices.people_draft import _in_sentence
from ..domain.notices.people_notice import (
    ART34_ELEMENTS,
    HEADINGS,
    SECTION_KEYS,
    MergePerson,
    draft_people_notice,
    merge,
)
from ..domain.notices.people_words import Words
from ..domain.problems import FieldProblem
from ..domain.text import N_, single_line
from ..domain.webhooks import EventType
from ..models import Incident, PeopleNotice, PublicNotice, User
from . import webhook_events
from .answer_sheet import sheet_facts
from .audit import Actor
from .clock import Clock
from .notice_templates import environment
from .organisations import profile_of, public_name
from .people_notices import versions
from .workflow import audit_incident, commit

TEMPLATE = "people/public.txt"
MAX_TEXT = 20_000
MAX_CHANNEL = 200
MAX_URL = 500
FUTURE_PLAY = timedelta(minutes=5)


class PublicNoticeError(ValueError):
    """A public notice that cannot be saved as it is; ``field`` names the form field,
    ``message`` is an English template marked with ``N_``, ``params`` fills it."""

    def __init__(self, field_name: str, message: str, params: dict[str, object] | None = None):
        super().__init__(message % (params or {}))
        self.field = field_name
        self.message = message
        self.params = params or {}


def public_notice_of(session: Session, incident: Incident) -> PublicNotice | None:
    """The incident's public notice, if one was saved."""
    return session.execute(
        select(PublicNotice).where(PublicNotice.incident_id == incident.id)
    ).scalar_one_or_none()


def text_digest(text: str) -> str:
    """The SHA-256 (hex) of the text as stored (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the draft -------------------------------------------------------------------------------

_INTRO = (
    "Met deze openbare mededeling informeren wij u over een datalek bij {org}. Wij kunnen "
    "niet iedereen van wie gegevens betrokken zijn persoonlijk bereiken; daarom maken wij het "
    "zo bekend.",
    "With this public notice we inform you about a data breach at {org}. We cannot reach "
    "everyone whose data were involved in person, so we are making it known this way.",
)
_TODO = ("(nog aanvullen)", "(to be completed)")
#: Merge fields of one person's own reference: a public text has none, so their line goes.
_REFERENCE_FIELDS = ("[kenmerk]", "[reference]")


def _source_notice(session: Session, incident: Incident, lang: str) -> PeopleNotice | None:
    """The notice to people in ``lang`` to start from: the last approved version (what people
    were told), else the working draft."""
    own = [v for v in versions(session, incident) if v.lang == lang]
    approved = [v for v in own if v.approved_at is not None]
    return approved[-1] if approved else (own[-1] if own else None)


def draft_lang(session: Session, incident: Incident) -> str:
    """The language to draft the public text in: that of the notice people were last told
    (the last approved version), else of the working draft, else Dutch. (It was always Dutch,
    from the last Dutch version, even when the people had an English notice: found by
    exploratory testing.)"""
    every = versions(session, incident)
    approved = [v for v in every if v.approved_at is not None]
    latest = approved[-1] if approved else (every[-1] if every else None)
    return latest.lang if latest is not None and latest.lang in ("nl", "en") else "nl"


def _data_names(incident: Incident, lang: str) -> list[str]:
    """The kinds of data involved, as they read in a sentence ("e-mailadres", "IBAN")."""
    profile = profile_of(incident.organisation)
    names = []
    for chosen in incident.data_categories:
        category = profile.data_category(str(chosen.get("key", "")))
        name = str(chosen.get("name", ""))
        if lang == "en" and category is not None and category.name_en:
            name = category.name_en
        if name:
            names.append(_in_sentence(name))
    if incident.data_other.strip():
        names.append(single_line(incident.data_other))
    return names


def public_sections(
    sections: Mapping[str, str], *, data_names: Sequence[str], lang: str
) -> list[dict[str, str]]:
    """The notice's sections in order, without personal merge fields, as dicts with the
    ``key``, ``heading`` (in ``lang``) and ``text``; empty optional sections are left out.

    A line with a person's own reference is left out; ``[gegevens]``/``[data]`` become the
    kinds of data involved (``data_names``, listed), and such a line is left out when the
    rest of its section names every one of them already ("Bij u gaat het om: [gegevens]."
    under the list of the kinds of data); ``[naam]``/``[name]`` become the
    notice's own neutral form of address ("heer/mevrouw"). A section that Art. 34(2) requires
    but that is empty keeps its heading with "(nog aanvullen)", so the gap shows.
    """
    neutral = MergePerson(name="", data=Words(lang).listing(data_names), reference="")
    required = {element.section for element in ART34_ELEMENTS}
    index = 0 if lang == "nl" else 1
    result = []
    for key in SECTION_KEYS:
        lines = []
        original = (sections.get(key) or "").replace("\r\n", "\n").strip().split("\n")
        for number, line in enumerate(original):
            lowered = line.lower()
            if any(field in lowered for field in _REFERENCE_FIELDS):
                continue
            merged = merge(line, neutral)
            others = "\n".join(item for at, item in enumerate(original) if at != number).lower()
            if merged != line and data_names and all(n.lower() in others for n in data_names):
                continue  # it would only repeat the list of the kinds of data
            lines.append(merged)
        text = "\n".join(lines).strip() or (_TODO[index] if key in required else "")
        if text:
            result.append({"key": key, "heading": HEADINGS[key][index], "text": text})
    return result


def draft_text(session: Session, incident: Incident, *, now: datetime, lang: str = "nl") -> str:
    """A plain text for the website or the press (Art. 34(3)(c) GDPR), in ``lang``.

    Drafted from the incident's notice to people in that language (the last approved
    version, else the working draft), else from breachdesk's draft of that notice from the
    record; without anyone's personal merge fields (see :func:`public_sections`). ``now``
    (aware) dates it. Nothing is saved.

    Raises:
        PublicNoticeError: ``lang`` is neither "nl" nor "en".
    """
    if lang not in ("nl", "en"):
        raise PublicNoticeError("lang", N_("Choose Dutch or English."))
    notice = _source_notice(session, incident, lang)
    if notice is not None:
        title, sections = notice.subject, dict(notice.sections)
    else:
        drafted = draft_people_notice(sheet_facts(incident, now=now, lang=lang), lang)
        title, sections = drafted.subject, drafted.sections
    organisation = single_line(public_name(incident.organisation))
    parts = public_sections(sections, data_names=_data_names(incident, lang), lang=lang)
    index = 0 if lang == "nl" else 1
    text = (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=single_line(title),
            intro=_INTRO[index].format(org=organisation),
            sections=parts,
            organisation_name=organisation,
            date=Words(lang).day(now),
        )
    )
    return text.strip()


# --- saving ----------------------------------------------------------------------------------


def public_problems(
    session: Session,
    incident: Incident,
    *,
    text: str | None,
    channel: str | None,
    url: str | None,
    published_at: datetime | None,
    now: datetime,
) -> list[FieldProblem]:
    """Every problem with saving this public communication, each at its form field (``text``,
    ``channel``, ``url``, ``published_at``): no text; a text, channel or address too long; an
    address that is not http(s); a publication without a channel, in the future or long
    before awareness; a recorded publication left out. None: not known (its rules are
    skipped; an unknown moment is not taken for one left out). Reads only."""
    problems: list[FieldProblem] = []

    def problem(name: str, message: str, **params: str | int) -> None:
        problems.append(FieldProblem(name, message, params))

    if text is not None:
        text = text.replace("\r\n", "\n").strip()
        if not text:
            problem("text", N_("Write the text of the public communication."))
        elif len(text) > MAX_TEXT:
            problem("text", N_("At most %(max)d characters."), max=MAX_TEXT)
    if channel is not None and len(single_line(channel)) > MAX_CHANNEL:
        problem("channel", N_("At most %(max)d characters."), max=MAX_CHANNEL)
    if url is not None and (url := single_line(url)):
        if len(url) > MAX_URL:
            problem("url", N_("At most %(max)d characters."), max=MAX_URL)
        elif not _web_address(url):
            problem("url", N_("Give a web address starting with https:// (or http://)."))
    if published_at is not None:
        where = single_line(channel or "")
        if channel is not None and not where:
            problem("channel", N_("Say where it was published (website, newspaper, …)."))
        if published_at > now + FUTURE_PLAY:
            problem("published_at", N_("This moment lies in the future."))
        else:
            published = PublicResolution.PUBLISHED.value
            resolution = Resolution(published, published_at, where)
            for name, message in resolution_problems(resolution, published, incident.aware_at, now):
                if name == "note" and not where:
                    continue  # said above in this form's words (it was said twice, found by
                    # exploratory testing: "where published" and "how they were informed")
                problem("published_at" if name == "at" else "channel", message)
    else:
        notice = public_notice_of(session, incident)
        if notice is not None and notice.published_at is not None:
            problem(
                "published_at",
                N_("The publication was recorded already; correct the moment, do not remove it."),
            )
    return problems


def _web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)  # refuses e.g. "https://[x" (an unclosed IPv6 address)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url


def _resolution_note(channel: str, url: str) -> str:
    return f"{channel} ({url})" if url else channel


def save(
    session: Session,
    incident: Incident,
    *,
    text: str,
    channel: str,
    url: str,
    published_at: datetime | None,
    user: User,
    actor: Actor,
    clock: Clock,
) -> PublicNotice:
    """Keep the public communication's text and, once published, where and when; commits.

    The text is stored with its SHA-256; the audit event holds the digest, not the text.
    With ``published_at`` (aware) the incident's public resolution is recorded as
    ``published`` at that moment, with the channel (and address) as the note: the public
    communication is then done when the incident is closed. A publication once recorded can
    be corrected (another moment, channel or address) but not taken back.

    Raises:
        PublicNoticeError: no text, a text, channel or address too long, an address that is
            not http(s), a publication without a channel, a moment in the future or long
            before the organisation became aware, or a recorded publication left out.
    """
    now = clock.now()
    for problem in public_problems(
        session, incident, text=text, channel=channel, url=url, published_at=published_at, now=now
    ):
        raise PublicNoticeError(problem.field, problem.message, dict(problem.params))
    text = text.replace("\r\n", "\n").strip()
    channel, url = single_line(channel), single_line(url)
    notice = public_notice_of(session, incident)
    before = None
    if notice is None:
        notice = PublicNotice(incident_id=incident.id)
        session.add(notice)
    else:
        before = {"sha256": notice.sha256, "published_at": notice.published_at}
    notice.text, notice.channel, notice.url = text, channel, url
    notice.published_at, notice.sha256 = published_at, text_digest(text)
    notice.updated_at, notice.updated_by_id = now, user.id
    after: dict[str, object] = {
        "sha256": notice.sha256,
        "chars": len(text),
        "channel": channel,
        "url": url,
        "published_at": published_at,
    }
    if published_at is not None:
        incident.public_resolution = PublicResolution.PUBLISHED.value
        incident.public_resolution_at = published_at
        incident.public_resolution_note = _resolution_note(channel, url)
        incident.updated_at = now
        after["public_resolution"] = incident.public_resolution
        if before is None or before["published_at"] is None:  # published now, not corrected
            webhook_events.emit(
                session,
                incident,
                EventType.PEOPLE_INFORMED,
                occurred_at=published_at,
                now=now,
                key=("public",),
                data={"channel": "public", "published_at": published_at, "public_url": url},
            )
    audit_incident(
        session,
        incident,
        "incident.public_notice_saved",
        actor=actor,
        clock=clock,
        before=before,
        after=after,
    )
    commit(session, incident, clock)
    return notice
