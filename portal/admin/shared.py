"""The steps every admin page shares: a list's search box and pages, and a form saved through
one service.

Thin views: each reads, builds a form, calls one service and commits. A service's
ValidationFailed puts its messages on the form's fields and nothing is saved, and so does a unique
value taken meanwhile by a racing request (portal.conflicts); a stale version is the app's 409
page (portal.errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core.errors import Fields, StaleVersion, ValidationFailed
from core.extensions import db
from core.limits import text_problem
from core.paging import Page, page_number, paged
from portal.conflicts import clash_for

T = TypeVar("T")
CLASHED = "clashed"  # set on a form whose save a racing request's unique value refused


# Lists ------------------------------------------------------------------------------------


def paged_records(statement: sa.Select[Any]) -> Page[Any]:
    return paged(statement, page_number(), current_app.config["PAGE_SIZE"], scalars=True)


def search() -> str:
    """The list's ?q=; text the database cannot hold (a NUL) matches nothing, so it is dropped."""
    text = request.args.get("q", "").strip()[:100]
    return "" if text_problem(text) else text


def matching(column: Any, text: str) -> Any:
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


# Forms ------------------------------------------------------------------------------------


def show_errors(form: FlaskForm, fields: Fields, rename: dict[str, str] | None = None) -> None:
    """Put a service's messages on the form's fields; a message for no field goes on the form."""
    for key, messages in fields.items():
        field = form._fields.get((rename or {}).get(key, key))
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def save(
    form: FlaskForm, change: Callable[[], T], rename: dict[str, str] | None = None
) -> T | None:
    """Validate the form and make the change; the result once committed, or None when the form
    (or the service) found a problem, with the session rolled back and the messages on the form."""
    if not form.validate_on_submit():
        return None
    try:
        result = change()
    except ValidationFailed as error:
        db.session.rollback()
        show_errors(form, error.fields, rename)
        return None
    except IntegrityError as error:  # a unique value taken by a request that committed first
        db.session.rollback()
        clash = clash_for(error)
        show_errors(form, clash.fields or {"_": [clash.message]}, rename)
        setattr(form, CLASHED, True)
        return None
    except StaleDataError as error:  # changed between our read and our write
        raise StaleVersion() from error
    db.session.commit()
    return result


def page(template: str, form: FlaskForm | None = None, **context: Any) -> tuple[str, int]:
    """A form page: 422 when it shows errors, so a failed POST is plain to see; 409 when a
    request that raced it took a unique value first (API.md: pages and API alike)."""
    status = 422 if form is not None and form.errors else 200
    if status == 422 and getattr(form, CLASHED, False):
        status = 409
    return render_template(template, form=form, **context), status


def values(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form[name].data for name in names}
