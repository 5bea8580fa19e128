"""A write the database refused (a unique value taken by a request that committed first, or a
row referred to that was deleted meanwhile) answers 409, never 500: the API in the contract's
shape naming the field, a page saying what clashed. core.conflicts says what each clash means.

The services check unique values before they write, so only a race gets here; admin forms show
the clash on the form's field instead (portal.admin.shared.save)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template
from sqlalchemy.exc import IntegrityError

from core.conflicts import Clash, clash_of
from core.errors import is_api_request
from core.extensions import db
from portal.errors import api_error

PAGE_TITLE = "This could not be saved"


def clash_for(error: IntegrityError) -> Clash:
    return clash_of(error.orig, error.params)


def handle_integrity_error(error: IntegrityError) -> Any:
    db.session.rollback()
    clash = clash_for(error)
    current_app.logger.info("Write refused by the database: %s", error.orig)
    if is_api_request():
        return api_error(409, clash.message, clash.fields)
    page = render_template("errors/error.html", status=409, title=PAGE_TITLE, message=clash.message)
    return page, 409


def init_app(app: Flask) -> None:
    app.register_error_handler(IntegrityError, handle_integrity_error)
