"""HTTP hygiene (issue 15): HSTS in production only, nothing Flask draws kept in a cache (pages of
signed-in users, the account page showing a new token, API answers) while static files keep
theirs, a 405 that names the allowed methods before any body check, the API's document and
reference for signed-in callers only, and a Content-Security-Policy without nonce or inline."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from core.extensions import db as _db
from core.extensions import limiter
from portal import create_app

HSTS = "max-age=31536000; includeSubDomains"
DOCUMENT = "/api/v1/openapi.json"


@pytest.fixture
def production_app(tmp_path) -> Iterator:
    """The production settings (a secret key and a database of its own aside), rate limits off:
    the limiter is shared by every app."""
    enabled = limiter.enabled
    app = create_app(
        "production",
        SECRET_KEY="test-only",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'production.db'}",
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        _db.create_all()
    yield app
    limiter.enabled = enabled
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_hsts_is_sent_in_production_only(production_app, client) -> None:
    production = production_app.test_client()
    for path in ("/health", "/login", "/static/css/portal.css"):
        assert production.get(path).headers.get("Strict-Transport-Security") == HSTS, path
        assert "Strict-Transport-Security" not in client.get(path).headers, path


def test_a_signed_in_page_is_not_stored(client, login_as) -> None:
    login_as("trainer")
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_account_page_showing_a_new_token_is_not_stored(client, login_as) -> None:
    login_as("funder")
    response = client.post("/account", data={"name": "monthly script"})
    assert response.status_code == 200
    assert "monthly script" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(client, api) -> None:
    answer = api("admin").get("/api/v1/network/summary")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    refused = client.get("/api/v1/network/summary")
    assert refused.status_code == 401
    assert refused.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_cache(app, client) -> None:
    response = client.get("/static/js/js-enabled.js")
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "no-store" not in cache
    assert f"max-age={app.config['STATIC_MAX_AGE']}" in cache


def test_a_405_page_names_the_allowed_methods(client) -> None:
    response = client.put("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "Not allowed" in response.get_data(as_text=True)


def test_a_405_from_the_api_names_the_allowed_methods_in_the_error_shape(api) -> None:
    response = api("admin").delete("/api/v1/network/summary")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_put_to_a_get_only_api_path_is_405_before_the_body_is_read(api) -> None:
    admin = api("admin")
    for body in ({"data": "not json", "content_type": "text/plain"}, {"json": {}}):
        response = admin.put("/api/v1/network/summary", **body)
        assert response.status_code == 405, body
        assert "GET" in response.headers["Allow"]


def test_the_api_document_needs_a_token_or_a_sign_in(client, api, login_as) -> None:
    refused = client.get(DOCUMENT)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorised"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert api("funder").get(DOCUMENT).get_json()["openapi"].startswith("3.")
    login_as("site_lead")
    assert client.get(DOCUMENT).status_code == 200


def test_the_api_reference_sends_the_anonymous_to_log_in(client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_policy_allows_no_nonce_and_no_inline_script(client, login_as) -> None:
    login_as("admin")
    for path in ("/", "/account", "/api/docs"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "'nonce-" not in policy and "'unsafe-inline'" not in policy, path
        assert re.search(r"(^|; )script-src 'self'(;|$)", policy), policy
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
