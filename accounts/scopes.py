"""What a user may see, as SQL selects of ids, for every domain to filter its queries with.

The rules cross the domains (a funder's sites are those in the programmes it funds; a trainer's
are its current assignments), so the app on top (portal.permissions) writes them and installs
them here when it starts. Domain code asks through these functions and never imports portal.
A select of ids means "only these"; None means "everything".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app

if TYPE_CHECKING:
    from accounts.models import User


class ScopeRules(Protocol):
    def site_scope(self, user: User) -> sa.Select[Any] | None: ...

    def programme_scope(self, user: User) -> sa.Select[Any] | None: ...

    def programme_site_ids(self, programme_id: int) -> sa.Select[Any]: ...

    def programme_options(self, user: User) -> Sequence[sa.Row[Any]]: ...


def install(app: Flask, rules: ScopeRules) -> None:
    app.extensions["scope_rules"] = rules


def _rules() -> ScopeRules:
    return current_app.extensions["scope_rules"]  # type: ignore[no-any-return]


def site_scope(user: User) -> sa.Select[Any] | None:
    """The ids of the sites whose detail `user` may read; None means all."""
    return _rules().site_scope(user)


def programme_scope(user: User) -> sa.Select[Any] | None:
    """The ids of the programmes `user` may read; None means all."""
    return _rules().programme_scope(user)


def programme_site_ids(programme_id: int) -> sa.Select[Any]:
    """The ids of the sites that take (or took) part in the programme."""
    return _rules().programme_site_ids(programme_id)


def programme_options(user: User) -> Sequence[sa.Row[Any]]:
    """(id, name) of the programmes `user` may read, by name: the choices of a programme filter."""
    return _rules().programme_options(user)
