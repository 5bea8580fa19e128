"""The forgotten-password form and the password forms of invitation and reset links are limited
per address, as the login is (ACCOUNT_LINK_RATE_LIMIT); their GETs are not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.links import INVITATION, PASSWORD_RESET, issue_link
from core.extensions import db as _db
from core.extensions import limiter
from portal import create_app
from tests.factories import Factory


@pytest.fixture
def limited_app(tmp_path) -> Iterator:
    """An app of its own (its own SQLite file) with the limiter on at 2 a minute. The limiter is
    shared by every app: its counts are cleared and its switch put back afterwards."""
    enabled = limiter.enabled
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limited.db'}",
        RATELIMIT_ENABLED=True,
        ACCOUNT_LINK_RATE_LIMIT="2 per minute",
    )
    with app.app_context():
        _db.create_all()
    yield app
    if limiter.initialized:
        limiter.reset()
    limiter.enabled = enabled
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_forgotten_password_posts_are_limited(limited_app) -> None:
    client = limited_app.test_client()
    for _ in range(2):
        assert (
            client.post("/password/forgotten", data={"email": "a@example.org"}).status_code == 200
        )
    assert client.post("/password/forgotten", data={"email": "b@example.org"}).status_code == 429
    assert client.get("/password/forgotten").status_code == 200


@pytest.mark.parametrize(
    ("purpose", "path"), [(INVITATION, "invitation"), (PASSWORD_RESET, "password/reset")]
)
def test_link_password_posts_are_limited(limited_app, purpose, path) -> None:
    with limited_app.app_context():
        user = Factory(_db).user("trainer")
        _, secret = issue_link(user, purpose)
        _db.session.commit()
    client = limited_app.test_client()
    url = f"/{path}/{secret}"
    for _ in range(2):
        assert client.post(url, data={"password": "x", "confirm": "y"}).status_code == 422
    assert client.post(url, data={"password": "x", "confirm": "y"}).status_code == 429
    assert client.get(url).status_code == 200
