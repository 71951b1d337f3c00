"""The organisation's reporting links: shown with a QR code, made, rotated and switched off.

Administrators of the organisation manage them; its FG may see them (to pass the link on).
The printable page is a notice for the staff room: what to report, the QR code and the link.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from ..domain.roles import Role
from ..extensions import db_session
from ..models import Organisation, ReportingLink
from ..runtime import runtime
from ..services import reporting_links
from ..services.organisations import profile_of
from ..services.reporting_links import Audience
from .context import actor, organisation_for, roles_in
from .fields import PageForm

bp = Blueprint(
    "reporting_links", __name__, url_prefix="/admin/organisations/<slug>/reporting-links"
)


def _audience(value: str) -> Audience:
    try:
        return Audience(value)
    except ValueError:
        abort(404)


def link_url(link: ReportingLink) -> str:
    """The link as staff will type or scan it: on the installation's public address."""
    token = reporting_links.link_token(str(current_app.config["SECRET_KEY"]), link)
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + url_for("public.report", token=token)


def qr_svg(url: str, scale: int = 4) -> Markup:
    """The QR code of ``url`` as inline SVG (black on white, with a quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgclass="qr", title=url
    )
    return Markup(buffer.getvalue().decode())  # noqa: S704 - segno's own SVG, no user markup


def _view(organisation: Organisation) -> ResponseReturnValue:
    links = reporting_links.active_links(db_session(), organisation)
    shown = {
        audience: {"link": link, "url": link_url(link), "qr": qr_svg(link_url(link))}
        for audience, link in links.items()
    }
    return render_template(
        "admin/reporting_links.html",
        organisation=organisation,
        shown=shown,
        audiences=list(Audience),
        manage=Role.ADMIN in roles_in(organisation),
        form=PageForm(),
    )


@bp.get("")
@login_required
def index(slug: str) -> ResponseReturnValue:
    return _view(organisation_for(slug, Role.ADMIN, Role.FG))


@bp.post("/<audience>/new")
@login_required
def make(slug: str, audience: str) -> ResponseReturnValue:
    organisation = organisation_for(slug, Role.ADMIN)
    if PageForm().validate_on_submit():
        had = _audience(audience) in reporting_links.active_links(db_session(), organisation)
        reporting_links.make_link(
            db_session(), organisation, _audience(audience), actor=actor(), clock=runtime().clock
        )
        flash(
            _("A new link was made; the old one no longer works.")
            if had
            else _("The reporting link is ready."),
            "success",
        )
    return redirect(url_for("reporting_links.index", slug=slug))


@bp.post("/<audience>/revoke")
@login_required
def revoke(slug: str, audience: str) -> ResponseReturnValue:
    organisation = organisation_for(slug, Role.ADMIN)
    if PageForm().validate_on_submit() and reporting_links.revoke_link(
        db_session(), organisation, _audience(audience), actor=actor(), clock=runtime().clock
    ):
        flash(_("The link was switched off."), "success")
    return redirect(url_for("reporting_links.index", slug=slug))


@bp.get("/<audience>/poster")
@login_required
def poster(slug: str, audience: str) -> ResponseReturnValue:
    organisation = organisation_for(slug, Role.ADMIN, Role.FG)
    link = reporting_links.active_links(db_session(), organisation).get(_audience(audience))
    if link is None:
        abort(404)
    url = link_url(link)
    return render_template(
        "admin/reporting_poster.html",
        organisation=organisation,
        audience=link.audience,
        url=url,
        qr=qr_svg(url, scale=8),
        fg_contact=profile_of(organisation).privacy_contact,
    )
