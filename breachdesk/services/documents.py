"""Documents for the file: the AP answer sheet as a PDF, rendered from HTML by WeasyPrint.

:func:`render_pdf` turns HTML into PDF bytes without touching the network; :func:`ap_sheet_pdf`
renders ``templates/notices/ap_sheet_print.html`` for the sheet as it stands or for a filed
version, and hands it to :func:`render_pdf`. WeasyPrint (and Pango, a Debian package) is
imported only when a PDF is asked for, so the application starts without it; a PDF that
cannot be made (WeasyPrint or Pango missing, rendering failed) comes back as
:class:`DocumentError`. Nothing is saved or changed on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from ..domain.notices.ap_2022 import CURRENT, FORMS
from ..domain.notices.ap_draft import Status
from ..domain.notices.forms import FormTable
from ..domain.notices.sheet import Answer, rows_from_snapshot, snapshot, snapshot_digest
from ..models import Incident, Notification, User
from .answer_sheet import sheet_of

TEMPLATE = "notices/ap_sheet_print.html"


class DocumentError(RuntimeError):
    """A document could not be rendered (WeasyPrint or Pango missing, or rendering failed).

    Nothing was saved or changed; the sheet stays as it is. ``str(error)`` says why, in
    English, for the log; the web layer shows its own message.
    """


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` (a whole document; its ``@page`` CSS may be a file in the static
    folder) to PDF bytes.

    Nothing is fetched over the network: only ``data:`` URLs and ``file:`` URLs inside the
    application's static folder are loaded (relative URLs resolve against ``base_url``);
    anything else is refused and left out of the document, as a browser leaves out a broken
    image. Needs an application context (for the static folder).

    Raises:
        DocumentError: WeasyPrint or the Pango library it needs is not installed, or
            WeasyPrint failed to render the document.
    """
    static = Path(current_app.static_folder or current_app.root_path).resolve()
    try:
        # Imported here: the application must start (and serve everything else) without it.
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango shared library is missing
        raise DocumentError(f"WeasyPrint cannot be loaded: {error}") from error
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url, url_fetcher=_local_fetcher(weasyprint, static)
        )
        pdf = document.write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; all mean "no document"
        raise DocumentError(f"The PDF could not be rendered: {error}") from error
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        raise DocumentError("The PDF could not be rendered: WeasyPrint returned no PDF.")
    return pdf


def _local_fetcher(weasyprint: Any, static: Path) -> Any:
    """A WeasyPrint URL fetcher that loads ``data:`` URLs and files under ``static`` only."""

    class LocalOnlyFetcher(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(static):
                    return super().fetch(url, headers)
            elif scheme == "data":
                return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url[:80]!r}: documents load no outside resources")

    return LocalOnlyFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


# --- The AP answer sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class PrintRow:
    """One question on paper: its number and wording, the answer and the chosen options."""

    number: str
    wording: str
    text: str  # without a first line that only repeats the label of a chosen option
    options: tuple[str, ...]  # the chosen options' labels, in the sheet's language
    status: Status
    edited: bool


@dataclass(frozen=True)
class PrintChapter:
    number: str
    title: str
    rows: tuple[PrintRow, ...]


def sheet_rows(form: FormTable, answers: Sequence[Answer], lang: str) -> list[PrintChapter]:
    """The answers (of a live sheet or a filed snapshot) by chapter, in the form's order."""
    by_chapter: dict[str, list[PrintRow]] = {c.number: [] for c in form.chapters}
    for answer in answers:
        question = answer.question
        labels = tuple(
            option.label(lang) if (option := question.option(key)) else key
            for key in answer.choices
        )
        # A drafted choice often opens its text with the chosen options' labels, a line each:
        # print them once (before, only the first line was left out, so a second ticked
        # option was printed twice).
        lines = answer.text.split("\n")
        while lines and lines[0].strip() and lines[0].strip() in labels:
            lines.pop(0)
        text = "\n".join(lines).strip("\n")
        row = PrintRow(
            question.number,
            question.wording(lang),
            text,
            labels,
            answer.status,
            answer.edited,
        )
        by_chapter.setdefault(question.chapter, []).append(row)
    titles = {c.number: c.title(lang) for c in form.chapters}
    return [
        PrintChapter(number, titles.get(number, ""), tuple(rows))
        for number, rows in by_chapter.items()
        if rows
    ]


def page_words() -> tuple[str, str, str]:
    """The words around the two page numbers of "page X of Y" in the active language.

    Translators get the whole sentence; the print CSS puts the page counters between the
    three parts (in this order: a translation must keep X before Y).
    """
    sentence = gettext("page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, _, rest = sentence.partition("\x00")
    between, _, after = rest.partition("\x01")
    return before.strip(), between.strip(), after.strip()


def ap_sheet_pdf(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: User | None,
    lang: str = "nl",
    notification: Notification | None = None,
) -> bytes:
    """The AP answer sheet of ``incident`` as a PDF, in ``lang`` ("nl" or "en").

    Without ``notification``: the sheet as it stands at ``now`` (drafts with the FG's edits),
    marked as not filed. With one of the incident's notifications: the sheet exactly as it was
    filed then, with its kind, meldnummer, moment and digest (a filing without a sheet, such
    as a withdrawal, shows its details and says that no answers were filed with it).

    Needs an application context. Raises :class:`DocumentError` when the PDF cannot be
    rendered, and ``ValueError`` when ``notification`` belongs to another incident.
    """
    digest = ""
    filed_without_sheet = False
    same_as: Notification | None = None  # a draft no different from this filing
    if notification is None:
        page = sheet_of(session, incident, now=now, user=user, lang=lang)
        form, answers = page.sheet.form, page.sheet.answers
        digest = snapshot_digest(snapshot(page.sheet))
        same_as = next(
            (n for n in reversed(incident.notifications) if n.sheet_sha256 == digest), None
        )
    else:
        if notification.incident_id != incident.id:
            raise ValueError("the notification belongs to another incident")
        filed = notification.sheet
        form_key = str(filed["form"]) if filed else (notification.form_key or CURRENT.key)
        if form_key not in FORMS:
            raise DocumentError(f"The filing names a form breachdesk does not know: {form_key}")
        form = FORMS[form_key]
        answers = rows_from_snapshot(form, filed) if filed else ()
        digest = notification.sheet_sha256
        filed_without_sheet = filed is None
    chapters = sheet_rows(form, answers, lang)
    # The one place where a service renders a template: a document is HTML before it is a
    # PDF, and the same Jinja environment (filters, translations) serves it. Forcing the
    # locale makes _() speak ``lang`` whatever the request's language is.
    with force_locale(lang):
        html = render_template(
            TEMPLATE,
            lang=lang,
            form=form,
            incident=incident,
            organisation=incident.organisation,
            notification=notification,
            chapters=chapters,
            answered=sum(1 for a in answers if a.status is Status.COMPLETE),
            total=len(answers),
            digest=digest,
            filed_without_sheet=filed_without_sheet,
            same_as=same_as,
            generated_at=now,
            Status=Status,
            page_words=page_words(),
        )
    static = current_app.static_folder or current_app.root_path
    return render_pdf(html, base_url=Path(static).resolve().as_uri() + "/")
