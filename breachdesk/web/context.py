"""Request-level helpers shared by the blueprints: locale, who is signed in, what they may do."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, session, url_for
from flask_login import current_user

from ..domain.roles import Role
from ..extensions import db_session
from ..models import Organisation, User
from ..runtime import runtime
from ..services import organisations as org_service
from ..services.audit import Actor
from ..services.memberships import OrgRoles, roles_by_organisation
from ..services.urgency import Urgency, urgency

F = TypeVar("F", bound=Callable[..., Any])


def selected_locale() -> str:
    """Dutch unless the person chose English (session first, then their account)."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if g.get("database_down"):  # the plain 503 page: do not load the user
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def user() -> User:
    """The signed-in user (views using this are behind ``login_required``)."""
    return cast(User, current_user._get_current_object())  # noqa: SLF001 - unwrap the proxy


def actor() -> Actor:
    return Actor.of(user())


def my_organisations() -> list[OrgRoles]:
    """The signed-in user's organisations and roles (cached for the request)."""
    if "my_orgs" not in g:
        g.my_orgs = (
            roles_by_organisation(db_session(), user()) if current_user.is_authenticated else []
        )
    return cast(list[OrgRoles], g.my_orgs)


def urgent_clocks() -> Urgency:
    """Overdue and due-soon terms of the signed-in FG or administrator (cached per request)."""
    if "urgency" not in g:
        g.urgency = (
            urgency(db_session(), user(), runtime().clock.now())
            if current_user.is_authenticated and has_any_role(Role.FG, Role.ADMIN)
            else Urgency()
        )
    return cast(Urgency, g.urgency)


def roles_in(organisation: Organisation) -> frozenset[Role]:
    for item in my_organisations():
        if item.organisation.id == organisation.id:
            return item.roles
    return frozenset()


def organisations_where(*roles: Role) -> list[Organisation]:
    return [item.organisation for item in my_organisations() if item.roles & set(roles)]


def has_any_role(*roles: Role) -> bool:
    return bool(organisations_where(*roles))


def organisation_for(slug: str, *roles: Role) -> Organisation:
    """The organisation ``slug`` if the user holds one of ``roles`` there; else 404.

    404 rather than 403: people outside an organisation need not learn it exists here.
    """
    organisation = org_service.find(db_session(), slug)
    if organisation is None or not (roles_in(organisation) & set(roles)):
        abort(404)
    return organisation


def require_any_role(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to users with one of ``roles`` in some organisation (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


#: A number no row's id reaches, put in a URL by row_link() to mark where the id goes.
_ID_MARK = 987_654_321_987


def row_link(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """``url_for(endpoint, **{key: id}, **values)`` for every row of a table at the cost of
    one url_for: the URL is built once with a marker id, and each row's id takes its place
    (an int, so nothing else can enter the URL)."""
    arguments: dict[str, Any] = {**values, key: _ID_MARK}
    head, mark, tail = url_for(endpoint, **arguments).partition(str(_ID_MARK))
    if not mark or "?" in head:
        raise ValueError(f"{endpoint} does not put {key} in its path")
    return lambda row_id: f"{head}{int(row_id)}{tail}"
