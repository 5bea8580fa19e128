"""Errors in the caller's language: the API contract's JSON shape, or an NHS.UK error page."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from core.errors import Fields, StaleVersion, ValidationFailed, is_api_request
from core.extensions import db

CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


def api_error(status: int, message: str, fields: Fields | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"code": CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


def flatten_messages(messages: Any, prefix: str = "") -> Fields:
    """webargs/marshmallow nest messages by location and field; the contract wants field: [msgs]."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    fields: Fields = {}
    for key, value in (messages or {}).items():
        if not prefix and key in {"json", "query", "form", "headers", "files", "view_args"}:
            name = ""
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        fields.update(flatten_messages(value, name))
    return fields


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


PAGE_TEXT = {
    400: ("Bad request", "The request could not be understood."),
    403: ("You do not have access to this page", "Ask programme staff if you think you should."),
    404: ("Page not found", "Check the address, or go back to the dashboard."),
    405: ("Not allowed", "This page does not accept that kind of request."),
    409: (
        "This record changed",
        "Someone else changed it since you opened it. Reload and try again.",
    ),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def _allow(error: HTTPException) -> dict[str, str]:
    """A 405 names the methods the address takes."""
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(sorted(methods))} if methods else {}


def handle_http_exception(error: HTTPException) -> Any:
    status = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        if status == 422 and "messages" in data:
            return api_error(422, "The data sent is not valid.", flatten_messages(data["messages"]))
        message = data.get("message") or error.description or "Error."
        response = api_error(status, message)
        response.headers.update(_allow(error))
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    title, message = PAGE_TEXT.get(status, (error.name, error.description or ""))
    return (*_page(status, title, message), _allow(error))


def handle_validation_failed(error: ValidationFailed) -> Any:
    db.session.rollback()  # nothing half-written survives bad input
    if is_api_request():
        return api_error(422, error.message, error.fields, **error.extra)
    return _page(422, "The data sent is not valid", error.message)


def handle_stale_version(error: StaleVersion) -> Any:
    db.session.rollback()
    if is_api_request():
        return api_error(409, error.message)
    return _page(409, *PAGE_TEXT[409])


def handle_unexpected(error: Exception) -> Any:
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationFailed, handle_validation_failed)
    app.register_error_handler(StaleVersion, handle_stale_version)
    app.register_error_handler(Exception, handle_unexpected)
    from portal import conflicts  # answers with api_error above: imported here, not at the top

    conflicts.init_app(app)
