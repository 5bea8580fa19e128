"""Fixtures of the account tests: a second factor for a user, apps of their own with the rate
limiter on, and a Redis server of the tests' own."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest

from accounts.models import SecondFactor, User
from accounts.second_factor import new_recovery_codes
from core.extensions import db as _db
from core.extensions import limiter
from core.records import utcnow
from portal import create_app
from tests.conftest import free_port


@dataclass
class Factor:
    secret: str
    recovery_codes: list[str]

    def code(self, offset_steps: int = 0) -> str:
        """The app's code now, or `offset_steps` steps of 30 seconds away."""
        return pyotp.TOTP(self.secret).at(time.time() + 30 * offset_steps)


def give_second_factor(user: User) -> Factor:
    """Turn a second factor on for `user` as if they had set it up (no code used yet)."""
    secret = pyotp.random_base32()
    _db.session.add(SecondFactor(user_id=user.id, secret=secret, confirmed_at=utcnow()))
    codes = new_recovery_codes(user)
    _db.session.commit()
    return Factor(secret, codes)


@pytest.fixture
def second_factor_required(app, monkeypatch):
    """Programme staff need a second factor, as in production."""
    monkeypatch.setitem(app.config, "SECOND_FACTOR_REQUIRED_ROLES", frozenset({"admin"}))


@pytest.fixture
def limited_app(tmp_path) -> Iterator:
    """limited_app(**settings): an app of its own (its own SQLite file) with the rate limiter on.
    The limiter is one object shared by every app: its counts are cleared and its switch put
    back afterwards."""
    made = []
    enabled = limiter.enabled

    def make(**overrides):
        url = f"sqlite:///{tmp_path / f'limited{len(made)}.db'}"
        app = create_app(
            "test", **({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": True} | overrides)
        )
        with app.app_context():
            _db.create_all()
        made.append(app)
        return app

    yield make
    if limiter.initialized:
        limiter.reset()
    limiter.enabled = enabled
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis server of the tests' own (Debian's redis-server, which `make redis` installs) on a
    free port, nothing saved; stopped at the end of the session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `make redis` installs Debian's")
    import redis

    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the tests' redis-server did not answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
