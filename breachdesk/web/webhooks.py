"""An organisation's webhook endpoints and their delivery log, for its administrators.

The signing secret is shown once, on the page that answers the creation or the rotation
(never put in a redirect, a flash message or the session cookie).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from ..domain.problems import FieldProblem
from ..domain.roles import Role
from ..domain.webhooks import MAX_DESCRIPTION_LENGTH, SUBSCRIBABLE, EventType, WebhookError
from ..extensions import db_session
from ..models import Organisation, WebhookEndpoint
from ..runtime import runtime
from ..services import webhooks
from .context import actor, organisation_for
from .edges import MAX_PAGE, whole_number
from .fields import PageForm
from .form_checks import read, validate_all
from .report_form import MultiCheckboxField, options

bp = Blueprint("webhooks", __name__, url_prefix="/admin/organisations/<slug>/webhooks")

EVENT_LABELS = {
    EventType.REPORT_RECEIVED: _l("A report was received"),
    EventType.DEADLINE_DUE_SOON: _l("The deadline is near (24 hours left)"),
    EventType.DEADLINE_OVERDUE: _l("The deadline has passed"),
    EventType.DECISION_RECORDED: _l("A decision was recorded"),
    EventType.AP_FILED: _l("The notification to the AP was recorded"),
    EventType.PEOPLE_INFORMED: _l("The people affected are being informed"),
    EventType.TEST: _l("Test event"),
}


class EndpointForm(PageForm):  # type: ignore[misc]
    url = StringField(
        _l("Address (URL)"),
        validators=[Length(max=500)],
        description=_l("An https:// address of your system that receives the events."),
    )
    description = StringField(
        _l("Description"),
        validators=[Length(max=MAX_DESCRIPTION_LENGTH)],
        description=_l("For yourself: which system this is, who looks after it."),
    )
    events = MultiCheckboxField(
        _l("Events"), choices=options([(e.value, EVENT_LABELS[e]) for e in SUBSCRIBABLE])
    )
    active = BooleanField(_l("Active (untick to pause)"), default=True)

    def to_input(self) -> webhooks.EndpointInput:
        return webhooks.EndpointInput(
            self.url.data or "",
            self.description.data or "",
            self.events.data or [],
            bool(self.active.data),
        )

    def problems(self) -> list[FieldProblem]:
        """The domain's check of the endpoint as far as the form could read it."""
        return webhooks.endpoint_problems(
            url=read(self.url), description=read(self.description), events=read(self.events)
        )

    def place(self, error: WebhookError) -> None:
        field = getattr(self, error.field, self.url)
        field.errors = [*field.errors, _(error.message, **error.params)]


def _endpoint(organisation: Organisation, endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhooks.endpoint_of(db_session(), organisation, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _secret_page(organisation: Organisation, made: webhooks.WithSecret) -> ResponseReturnValue:
    return render_template("admin/webhook_secret.html", org=organisation, made=made)


@bp.get("")
@login_required
def index(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    page = whole_number(request.args.get("page"), 1, MAX_PAGE)
    return render_template(
        "admin/webhooks.html",
        org=org,
        endpoints=webhooks.endpoints_of(db_session(), org),
        log=webhooks.delivery_log(db_session(), org, page=page),
        labels=EVENT_LABELS,
        form=PageForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    form = EndpointForm()
    if validate_all(form, form.problems):
        rt = runtime()
        try:
            made = webhooks.create(
                db_session(), org, form.to_input(), check=rt.webhooks, vault=rt.vault,
                actor=actor(), clock=rt.clock,
            )  # fmt: skip
        except WebhookError as error:
            form.place(error)
        else:
            return _secret_page(org, made)
    page = render_template("admin/webhook_form.html", org=org, form=form, endpoint=None)
    return page, 422 if form.is_submitted() else 200


@bp.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, endpoint_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    endpoint = _endpoint(org, endpoint_id)
    form = EndpointForm(obj=endpoint if request.method == "GET" else None)
    if validate_all(form, form.problems):
        rt = runtime()
        try:
            changed = webhooks.change(
                db_session(), endpoint, form.to_input(), check=rt.webhooks, actor=actor(),
                clock=rt.clock,
            )  # fmt: skip
        except WebhookError as error:
            db_session().rollback()
            form.place(error)
        else:
            flash(_("The endpoint has been saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("webhooks.index", slug=org.slug))
    page = render_template("admin/webhook_form.html", org=org, form=form, endpoint=endpoint)
    return page, 422 if form.is_submitted() else 200


@bp.post("/<int:endpoint_id>/rotate")
@login_required
def rotate(slug: str, endpoint_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    endpoint = _endpoint(org, endpoint_id)
    if not PageForm().validate_on_submit():
        return redirect(url_for("webhooks.index", slug=org.slug))
    rt = runtime()
    secret = webhooks.rotate_secret(
        db_session(), endpoint, vault=rt.vault, actor=actor(), clock=rt.clock
    )
    return _secret_page(org, webhooks.WithSecret(endpoint, secret))


@bp.post("/<int:endpoint_id>/delete")
@login_required
def delete(slug: str, endpoint_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    endpoint = _endpoint(org, endpoint_id)
    if PageForm().validate_on_submit():
        webhooks.delete(db_session(), endpoint, actor=actor(), clock=runtime().clock)
        flash(_("The endpoint has been deleted; its planned calls are cancelled."), "success")
    return redirect(url_for("webhooks.index", slug=org.slug))


@bp.post("/<int:endpoint_id>/test")
@login_required
def test(slug: str, endpoint_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    endpoint = _endpoint(org, endpoint_id)
    if PageForm().validate_on_submit():
        webhooks.send_test(db_session(), endpoint, actor=actor(), clock=runtime().clock)
        flash(_("A test event is on its way; see the delivery log below."), "success")
    return redirect(url_for("webhooks.index", slug=org.slug, _anchor="log"))
