"""Response headers: a Content-Security-Policy of 'self' only (no inline script anywhere, so no
nonce: templates/layout.html loads static/js/js-enabled.js in place of NHS.UK's inline snippet),
the usual hardening headers, HSTS when HSTS_SECONDS is set (production), and
`Cache-Control: no-store` on every answer Flask draws: the pages and API answers of signed-in
users (session or bearer token), the API's refusals, and the public pages, whose forms carry a
CSRF token of the browser's session. Static files are WhiteNoise's (portal/assets.py), cached as
it says."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def hardening_headers(hsts_seconds: int = 0) -> dict[str, str]:
    """The headers every answer carries: the pages' (below) and the static files' (assets.py)."""
    headers = {
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    }
    if hsts_seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    return headers


def _headers(response: Response) -> Response:
    response.headers.update(hardening_headers(current_app.config["HSTS_SECONDS"]))
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_headers)
