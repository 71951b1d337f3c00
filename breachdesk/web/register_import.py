"""Importing an earlier register: upload, map the columns, check every row, import.

The uploaded file waits in the evidence store (never in the session cookie) under a key kept
in the signed session, with its name, SHA-256 and organisation, until it is imported or
replaced; each step reads it again, so nothing of it is half-kept in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.formatting import long_datetime
from ..domain.recipients import RecipientImportError
from ..domain.register_columns import (
    FIELD_LABELS,
    HEADER_SEARCH_ROWS,
    REQUIRED,
    Field,
    header_row,
    propose_mapping,
    read_mapping,
)
from ..domain.register_repeats import group_notes
from ..domain.roles import Role
from ..extensions import db_session
from ..models import Organisation
from ..runtime import runtime
from ..services import register_import
from ..services.recipient_files import MAX_BYTES, Source, open_table
from ..services.storage import TooLarge
from .context import actor, organisations_where, require_any_role, user
from .register import bp

_KEY = "register_import"
#: Refused rows listed on the page (all of them are in the downloadable report).
SHOWN_ERRORS = 100
#: Rows named for one note on the page (the rest are counted).
SHOWN_ROWS = 30


def _organisations() -> list[Organisation]:
    return organisations_where(Role.FG, Role.ADMIN)


def _pending() -> dict[str, Any]:
    pending = session.get(_KEY)
    if not pending or pending.get("org") not in {o.id for o in _organisations()}:
        abort(404)
    return dict(pending)


def _data(pending: dict[str, Any]) -> bytes:
    try:
        with runtime().store.open(pending["key"]) as handle:
            return handle.read()
    except (OSError, ValueError):
        session.pop(_KEY, None)
        abort(404)


def _mapping(form: Any, width: int) -> tuple[dict[Field, int], dict[str, str]]:
    """The mapping chosen in the form, and its problems translated, by field."""
    chosen = {field: str(form.get(f"map_{field.value}", "")) for field in Field}
    mapping, problems = read_mapping(chosen, width)
    return mapping, {key: _(message) for key, message in problems.items()}


@bp.get("/import")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_start() -> ResponseReturnValue:
    return render_template("register/import.html", step="upload", orgs=_organisations())


@bp.post("/import")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_upload() -> ResponseReturnValue:
    orgs = _organisations()
    org_id = request.form.get("org", type=int)
    upload = request.files.get("file")
    errors: dict[str, str] = {}
    if org_id not in {o.id for o in orgs}:
        errors["org"] = _("Choose one of your organisations.")
    if upload is None or not upload.filename:
        errors["file"] = _("Choose the file of your register (Excel or CSV).")
    if not errors and upload is not None:
        try:
            stored = runtime().store.save(upload.stream, MAX_BYTES)
        except TooLarge:
            errors["file"] = _("The file is larger than %(max)d MB.", max=MAX_BYTES // 2**20)
        else:
            data = _data({"key": stored.key})
            try:
                source = register_import.open_register(data, upload.filename or "")
            except RecipientImportError as error:
                runtime().store.delete(stored.key)
                errors["file"] = _(error.message, **error.params)
            else:
                previous = session.get(_KEY)
                if previous:
                    runtime().store.delete(previous["key"])
                session[_KEY] = {
                    "key": stored.key,
                    "name": upload.filename,
                    "sha256": stored.sha256,
                    "org": org_id,
                    "sheet": source.sheet,  # a workbook's sheet that is read (None: a CSV)
                }
                return redirect(url_for("register.import_map"))
    return (
        render_template(
            "register/import.html", step="upload", orgs=orgs, errors=errors, org_id=org_id
        ),
        400,
    )


def _source(pending: dict[str, Any]) -> Source:
    """The file as it is read: of a workbook, the sheet chosen."""
    try:
        return open_table(_data(pending), pending["name"], pending.get("sheet"))
    except RecipientImportError:  # the sheet is gone: a file is stored once, so never
        abort(404)


@dataclass(frozen=True)
class _Table:
    """The start of the file as the mapping step shows it."""

    headers: list[str]  # the column names, one per column ("" where a column has none)
    preview: list[tuple[str, ...]]  # the rows below them
    header_index: int  # which row read holds the column names (0: the first)
    header_number: int  # that row's number, as the spreadsheet shows it
    above: list[str]  # what stands above the column names (a title), row by row


def _table(pending: dict[str, Any]) -> _Table:
    """The row with the column names (below a title, if the file has one: see
    :func:`header_row`) and the next rows, for the mapping step."""
    rows: list[tuple[int, tuple[str, ...]]] = []
    width = 0
    for index, (number, cells) in enumerate(_source(pending).rows()):
        if index < HEADER_SEARCH_ROWS + 6:
            rows.append((number, cells))
        width = max(width, len(cells))
        if index > 1000:
            break
    at = header_row([cells for _number, cells in rows])
    number, names = rows[at]
    return _Table(
        headers=[names[i] if i < len(names) else "" for i in range(width)],
        preview=[cells for _number, cells in rows[at + 1 : at + 6]],
        header_index=at,
        header_number=number,
        above=[" · ".join(c for c in cells if c.strip()) for _number, cells in rows[:at]],
    )


def _map_page(
    pending: dict[str, Any],
    table: _Table,
    chosen: dict[Field, int],
    *,
    has_header: bool,
    errors: dict[str, str],
) -> str:
    source = _source(pending)
    return render_template(
        "register/import.html",
        step="map",
        pending=pending,
        sheet=source.sheet,
        other_sheets=source.other_sheets,
        headers=table.headers,
        preview=table.preview,
        header_number=table.header_number,
        above=[line for line in table.above if line],
        fields=[(f, _(FIELD_LABELS[f]), f in REQUIRED) for f in Field],
        chosen={f.value: i for f, i in chosen.items()},
        has_header=has_header,
        errors=errors,
    )


@bp.get("/import/map")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_map() -> ResponseReturnValue:
    pending = _pending()
    table = _table(pending)
    # Back from the check ("change the columns"): the columns chosen, not proposed afresh
    # (the choice was thrown away: found by exploratory testing).
    saved = pending.get("mapping")
    if saved:
        chosen = {Field(k): int(v) for k, v in saved.items() if int(v) < len(table.headers)}
        has_header = bool(pending.get("has_header", True))
    else:
        chosen, has_header = propose_mapping(table.headers), True
    return _map_page(pending, table, chosen, has_header=has_header, errors={})


@bp.post("/import/sheet")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_sheet() -> ResponseReturnValue:
    """Read another sheet of the workbook: its columns are proposed afresh."""
    pending = _pending()
    chosen = request.form.get("sheet", "")
    if chosen not in _source(pending).sheets:
        abort(400)
    try:
        register_import.open_register(_data(pending), pending["name"], chosen)
    except RecipientImportError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("register.import_map"))
    pending.update(sheet=chosen, mapping=None)
    session[_KEY] = pending
    return redirect(url_for("register.import_map"))


@bp.post("/import/check")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_check() -> ResponseReturnValue:
    pending = _pending()
    table = _table(pending)
    mapping, errors = _mapping(request.form, len(table.headers))
    has_header = request.form.get("has_header") == "1"
    if errors:
        page = _map_page(pending, table, mapping, has_header=has_header, errors=errors)
        return page, 400
    pending["mapping"] = {f.value: i for f, i in mapping.items()}
    pending["has_header"] = has_header
    pending["header_row"] = table.header_index
    session[_KEY] = pending
    result = _checked(pending)
    organisation = next(o for o in _organisations() if o.id == pending["org"])
    earlier = _earlier(pending, organisation)
    return render_template(
        "register/import.html",
        step="check",
        pending=pending,
        result=result,
        shown_errors=result.errors[:SHOWN_ERRORS],
        shown_skipped=result.skipped[:SHOWN_ERRORS],
        note_groups=group_notes(result.notes),
        shown_rows=SHOWN_ROWS,
        field_label=lambda f: _(FIELD_LABELS[f]) if f else "",
        organisation=organisation,
        already=_already_imported(earlier, organisation) if earlier else "",
    )


def _first_sheet(pending: dict[str, Any]) -> str | None:
    """The sheet the workbook opens on (what an import read before sheets could be chosen)."""
    return open_table(_data(pending), pending["name"]).sheet


def _earlier(
    pending: dict[str, Any], organisation: Organisation
) -> register_import.EarlierImport | None:
    return register_import.earlier_import(
        db_session(),
        organisation.id,
        pending["sha256"],
        pending.get("sheet"),
        first_sheet=_first_sheet(pending),
    )


def _already_imported(earlier: register_import.EarlierImport, organisation: Organisation) -> str:
    """The refusal of a file imported before, in words: when, and how many entries."""
    where = (
        _(
            "This file was imported into the register of %(org)s on %(when)s.",
            org=organisation.name,
            when=long_datetime(earlier.imported_at, str(get_locale())),
        )
        if earlier.imported_at
        else _("This file was imported into the register of %(org)s before.", org=organisation.name)
    )
    twice = ngettext(
        "%(num)d incident came from it; importing it again would list it twice, so it is refused.",
        "%(num)d incidents came from it; importing it again would list them twice, so it is"
        " refused.",
        earlier.incidents,
    )
    corrected = _(
        "A corrected file has another fingerprint and can be imported: its rows whose"
        " reference is in the register already are skipped."
    )
    return f"{where} {twice} {corrected}"


def _checked(pending: dict[str, Any]) -> register_import.CheckResult:
    mapping = {Field(k): int(v) for k, v in (pending.get("mapping") or {}).items()}
    if not mapping:
        abort(404)
    result = register_import.check(
        _data(pending),
        pending["name"],
        mapping,
        has_header=bool(pending.get("has_header")),
        header_row=int(pending.get("header_row") or 0),
        now=runtime().clock.now(),
        sheet=pending.get("sheet"),
    )
    return register_import.compare_with_register(db_session(), pending["org"], result)


@bp.get("/import/errors.csv")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_errors() -> ResponseReturnValue:
    result = _checked(_pending())
    response = Response(register_import.error_report(result, _), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="importfouten.csv"'
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.post("/import/run")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def import_run() -> ResponseReturnValue:
    pending = _pending()
    result = _checked(pending)
    organisation = next(o for o in _organisations() if o.id == pending["org"])
    if not result.breaches:
        # The same file again has every row skipped: say that it was imported before.
        earlier = _earlier(pending, organisation)
        flash(
            _already_imported(earlier, organisation)
            if earlier
            else _("No row can be imported; nothing was changed."),
            "danger",
        )
        return redirect(url_for("register.import_map"))
    try:
        made = register_import.import_breaches(
            db_session(),
            organisation,
            result.breaches,
            source_sha256=pending["sha256"],
            source_name=pending["name"],
            sheet=pending.get("sheet"),
            first_sheet=_first_sheet(pending),
            user=user(),
            actor=actor(),
            clock=runtime().clock,
        )
    except register_import.AlreadyImported as refused:
        flash(_already_imported(refused.earlier, organisation), "danger")
        return redirect(url_for("register.import_map"))
    runtime().store.delete(pending["key"])
    session.pop(_KEY, None)
    done = ngettext(
        "%(num)d incident imported into the register of %(org)s as a closed entry;"
        " %(left)d rows left out.",
        "%(num)d incidents imported into the register of %(org)s as closed entries;"
        " %(left)d rows left out.",
        len(made),
        org=organisation.name,
        left=result.refused_rows,
    )
    # Rows set aside on the check page, and any whose reference came in since (another file).
    skipped = len(result.skipped) + len(result.breaches) - len(made)
    if skipped:
        done += " " + ngettext(
            "%(num)d row was skipped: its breach was listed already (in the register, or"
            " earlier in the file).",
            "%(num)d rows were skipped: their breaches were listed already (in the register, or"
            " earlier in the file).",
            skipped,
        )
    flash(done, "success")
    return redirect(url_for("register.index", org=organisation.id, sort="discovered_desc"))
