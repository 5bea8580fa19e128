"""Who may use which route. Every view declares it; a view that does not is refused to everyone.

`@allow("admin", "trainer")` names the roles; `@public` opens a route to anonymous users too.
The app's `before_request` hook (`enforce_access`) reads the declaration of the endpoint being
served; object-level rules (which sites a user may see) live in portal.permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from accounts.models import ROLES
from portal.errors import is_api_request

F = TypeVar("F", bound=Callable[..., Any])

ANONYMOUS = "anonymous"
EVERY_ROLE = tuple(ROLES)


def allow(*roles: str) -> Callable[[F], F]:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def mark(view: F) -> F:
        view.access = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    view.access = frozenset({ANONYMOUS, *ROLES})  # type: ignore[attr-defined]
    return view


def declared_roles(endpoint: str, method: str) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        name = "get" if method == "HEAD" else method.lower()
        view = getattr(view_class, name, None)
    return getattr(view, "access", None)


def enforce_access() -> Any:
    if request.endpoint is None or request.method == "OPTIONS":
        return None  # routing already failed (404/405), or a bodiless preflight
    if request.endpoint == "static":
        return None
    roles = declared_roles(request.endpoint, request.method)
    if roles is None:
        current_app.logger.warning("refused undeclared endpoint %s", request.endpoint)
        abort(403)
    if ANONYMOUS in roles:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401, "A valid bearer token is needed.")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if current_user.role not in roles:
        abort(403, "Your role may not do this.")
    return None
