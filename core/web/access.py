"""Who may use which route. Every view declares it; a view that does not is refused to everyone.

`@allow("admin", "trainer")` names the roles; `@public` opens a route to anonymous users too.
`init_app` is given the app's roles (accounts.models.ROLES), checks that every declaration names
only those, and installs the `before_request` hook (`enforce_access`) that reads the declaration
of the endpoint being served. Which sites a user may see is the scope's business
(accounts.scopes), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from core.errors import is_api_request

F = TypeVar("F", bound=Callable[..., Any])

ANONYMOUS = "anonymous"
PUBLIC = frozenset({ANONYMOUS})


def allow(*roles: str) -> Callable[[F], F]:
    if not roles or ANONYMOUS in roles:
        raise ValueError("name at least one role (use @public for anonymous users)")

    def mark(view: F) -> F:
        view.access = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def _declared(view: Any, method: str) -> frozenset[str] | None:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        name = "get" if method == "HEAD" else method.lower()
        view = getattr(view_class, name, None)
    return getattr(view, "access", None)


def declared_roles(endpoint: str, method: str) -> frozenset[str] | None:
    """The callers a route admits (anonymous and every role for a public one); None: undeclared."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    roles = _declared(view, method)
    if roles == PUBLIC:
        return frozenset({ANONYMOUS, *current_app.extensions["access.roles"]})
    return roles


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


def check_declarations(app: Flask) -> None:
    """Every declared role is one of the app's roles: a typo would lock a route silently."""
    known = set(app.extensions["access.roles"]) | {ANONYMOUS}
    for endpoint, view in app.view_functions.items():
        targets = [view]
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            targets = [getattr(view_class, name) for name in dir(view_class)]
        for target in targets:
            unknown = set(getattr(target, "access", ())) - known
            if unknown:
                raise ValueError(f"{endpoint} names unknown roles: {sorted(unknown)}")


def init_app(app: Flask, roles: Iterable[str]) -> None:
    app.extensions["access.roles"] = tuple(roles)
    app.before_request(enforce_access)
