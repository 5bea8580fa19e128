"""Security: response headers and the CSP, the session cookie, CSRF, the login rate limit, safe
redirects after login, and the login and logout rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from config import Config
from core.extensions import db as _db
from core.extensions import limiter
from portal import create_app
from portal.api import NON_JSON_ENDPOINTS
from tests.factories import PASSWORD, Factory

BAD_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:")


# --- helpers -------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request.path}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_hardened(response) -> None:
    """The policy allows this site only: 'self', 'none', data: images and fonts (no nonce, no
    inline script); and the usual headers are there."""
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    directives = csp_directives(response)
    for name, sources in directives.items():
        for source in sources:
            assert source not in BAD_SOURCES, f"{where}: {name} allows {source}"
            allowed = source in {"'self'", "'none'"}
            allowed |= name in {"img-src", "font-src"} and source == "data:"
            assert allowed, f"{where}: {name} allows {source}"
    assert directives["default-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["script-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where


class Scripts(HTMLParser):
    """The page's <script> elements: their attributes and whether they carry code inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = {**dict(attrs), "_code": ""}
            self.scripts.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["_code"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts_of(html: str) -> list[dict]:
    parser = Scripts()
    parser.feed(html)
    return parser.scripts


def session_cookie(response, name: str = "session") -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, f"no {name} cookie set: {response.headers.getlist('Set-Cookie')}"
    return cookies[-1]


def cookie_flags(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def protected_api_paths(app, method: str = "GET") -> list[str]:
    """The API's argument-free paths for `method` that need a token (all but its documentation)."""
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and method in rule.methods
        and not rule.arguments
        and rule.endpoint not in {"api-docs.openapi_json", "api_docs.docs"}
        and rule.endpoint not in NON_JSON_ENDPOINTS
    )
    assert paths, f"the API has no protected {method} route to try"
    return paths


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the form has no csrf_token field"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD, next_: str | None = "/account", **data):
    url = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(url, data={"email": email, "password": password, **data})


def logged_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


@pytest.fixture
def isolated_app(tmp_path) -> Iterator:
    """isolated_app(config, **overrides): an app of its own on a fresh SQLite file, tables made.

    The rate limiter is one object shared by every app (portal.extensions): an app made with
    RATELIMIT_ENABLED switches it on for all of them and keeps counts in its storage. Teardown
    clears the counts and puts the switch back as it was, so no limit leaks into other tests."""
    made = []
    enabled = limiter.enabled

    def make_app(config: object = "test", **overrides):
        url = f"sqlite:///{tmp_path / f'isolated{len(made)}.db'}"
        app = create_app(config, **({"SQLALCHEMY_DATABASE_URI": url} | overrides))
        with app.app_context():
            _db.create_all()
        made.append(app)
        return app

    yield make_app
    if limiter.initialized:
        limiter.reset()
    limiter.enabled = enabled
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


# --- headers and the content security policy -----------------------------------------------------


def _argument_free_get_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.arguments:
            paths.append(rule.rule)
    return sorted(paths)


def test_every_response_is_hardened(app, client, login_as, api) -> None:
    """Every page and API answer of the app, as anonymous and as admin, plus errors and assets."""
    paths = _argument_free_get_paths(app)
    extras = ["/no-such-page", "/api/v1/no-such-thing", "/static/css/portal.css"]
    responses = [client.get(path) for path in paths + extras]
    caller = api("admin")
    responses += [caller.get(path) for path in paths + extras if path.startswith("/api/")]
    login_as("admin")
    responses += [client.get(path) for path in paths + extras]
    assert responses
    for response in responses:
        assert_hardened(response)


def test_api_refusals_are_hardened(client, app, api) -> None:
    """A 401 from the API (no token) and a 400 (not JSON) carry the same headers."""
    response = client.get("/api/v1/openapi.json")
    assert_hardened(response)
    for path in protected_api_paths(app):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert_hardened(refused)
    admin = api("admin")
    for path in protected_api_paths(app, "POST"):
        not_json = admin.post(path, data="name=x", content_type="application/x-www-form-urlencoded")
        assert not_json.status_code == 400, path
        assert_hardened(not_json)


def test_the_login_page_has_no_inline_script(client) -> None:
    """NHS.UK's inline snippet is our static/js/js-enabled.js, the body's first element."""
    html = client.get("/login").get_data(as_text=True)
    scripts = scripts_of(html)
    assert scripts
    for script in scripts:
        assert "src" in script and not script["_code"].strip(), script
        assert script["src"].startswith("/static/"), script["src"]
        assert "nonce" not in script, script
    assert re.search(r'<body>\s*<script src="/static/js/js-enabled\.js"></script>', html)


def test_no_inline_style_attributes_or_elements_on_the_login_page(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


# --- the session cookie --------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(client, make) -> None:
    user = make.user("admin")
    response = log_in(client, user.email)
    assert response.status_code == 302
    flags = cookie_flags(session_cookie(response))
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_production_config_makes_cookies_secure(isolated_app) -> None:
    app = isolated_app(
        Config, SECRET_KEY="a-production-like-secret", RATELIMIT_STORAGE_URI="memory://"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    with app.app_context():
        user = Factory(_db).user("admin")
        email = user.email
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    token = csrf_token_of(page.get_data(as_text=True))
    response = client.post(
        "/login?next=/account",
        base_url="https://localhost",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    flags = cookie_flags(session_cookie(response))
    assert {"secure", "httponly", "samesite=lax"} <= flags


# --- CSRF ----------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(app, client, make, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make.user("admin")
    response = log_in(client, user.email)
    assert response.status_code == 400
    assert_hardened(response)
    assert logged_in_user_id(client) is None
    assert "session=" not in " ".join(response.headers.getlist("Set-Cookie"))

    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    accepted = log_in(client, user.email, csrf_token=token)
    assert accepted.status_code == 302
    assert logged_in_user_id(client) == str(user.id)


def test_logout_without_csrf_token_is_refused(app, client, make, login_as, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = login_as("trainer")
    assert client.post("/logout").status_code == 400
    assert logged_in_user_id(client) == str(user.id)


# --- the login rate limit ------------------------------------------------------------------------


def test_fourth_login_attempt_in_a_minute_is_refused(isolated_app) -> None:
    app = isolated_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        email = Factory(_db).user("funder").email
    client = app.test_client()
    for _ in range(3):
        response = log_in(client, email, password="wrong password")
        assert response.status_code == 200
    refused = log_in(client, email)  # even the right password
    assert refused.status_code == 429
    assert_hardened(refused)
    assert logged_in_user_id(client) is None
    assert client.get("/login").status_code == 200  # only POSTs count


def test_rate_limit_did_not_leak_into_the_shared_app(client, make) -> None:
    user = make.user("admin")
    for _ in range(11):  # the test config allows 10 a minute, were the limiter switched on
        assert log_in(client, user.email, password="wrong password").status_code == 200


# --- redirects after login -----------------------------------------------------------------------


def test_next_pointing_off_site_lands_on_the_dashboard(client, make) -> None:
    user = make.user("admin")
    response = log_in(client, user.email, next_="//evil.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/path",
        "https://evil.example/",
        "http:evil.example",
        "/%5Cevil.example",
        "/\\evil.example",
        "/%5C/evil.example",
        "%2F%2Fevil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, make, target) -> None:
    user = make.user("admin")
    response = log_in(client, user.email, next_=target)
    assert response.status_code in {302, 303}, response.status_code
    location = response.headers["Location"]
    # A browser reads a literal \ as / and drops tabs and newlines: judge the location as it would.
    # (An encoded %5C stays a character of the path.)
    as_browser = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    parts = urlsplit(as_browser)
    assert not parts.scheme and not parts.netloc, location
    assert as_browser.startswith("/") and not as_browser.startswith("//"), location


def test_next_on_site_is_followed(client, make) -> None:
    user = make.user("admin")
    response = log_in(client, user.email, next_="/account")
    assert response.headers["Location"] == "/account"


# --- logging in and out --------------------------------------------------------------------------


def test_wrong_password_is_refused_with_a_message(client, make) -> None:
    user = make.user("site_lead")
    response = log_in(client, user.email, password="not the password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None


def test_unknown_email_gets_the_same_message(client, make) -> None:
    response = log_in(client, "nobody@example.org")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None


def test_inactive_user_cannot_log_in(client, make) -> None:
    user = make.user("trainer", active=False)
    response = log_in(client, user.email)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None


def test_inactive_user_with_a_live_session_is_treated_as_anonymous(client, make, login_as) -> None:
    user = make.user("admin")
    login_as(user)
    user.active = False
    make.db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_inactive_users_token_is_refused(app, client, make) -> None:
    user = make.user("admin")
    token = make.token(user)
    user.active = False
    make.db.session.commit()
    for path in protected_api_paths(app):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, path


def test_logout_is_post_only(client, make, login_as) -> None:
    user = login_as("funder")
    assert client.get("/logout").status_code == 405
    assert logged_in_user_id(client) == str(user.id)
    response = client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert logged_in_user_id(client) is None


def test_session_cookie_is_not_accepted_by_the_api(app, client, login_as) -> None:
    login_as("admin")
    for path in protected_api_paths(app):
        assert client.get(path).status_code == 401, path
