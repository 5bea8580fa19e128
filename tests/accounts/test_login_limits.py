"""The login's rate limit across workers and behind a load balancer: counted in one store (Redis,
from REDIS_URL) by every worker, and keyed on the client's address, which X-Forwarded-For gives
only when TRUSTED_PROXIES says a proxy sets it."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from accounts.models import SecurityEvent
from config import ROOT
from core.extensions import db as _db

# One worker: a process of its own, with config.py read from its environment (REDIS_URL), making
# `count` wrong logins from 127.0.0.1 and printing the statuses.
WORKER = """
import os, sys
from config import Config
from core.extensions import db
from portal import create_app

assert Config.RATELIMIT_STORAGE_URI == os.environ["REDIS_URL"], Config.RATELIMIT_STORAGE_URI
app = create_app(
    "test",
    SQLALCHEMY_DATABASE_URI=sys.argv[1],
    RATELIMIT_ENABLED=True,
    RATELIMIT_STORAGE_URI=Config.RATELIMIT_STORAGE_URI,
    LOGIN_RATE_LIMIT="3 per minute",
)
with app.app_context():
    db.create_all()
client = app.test_client()
data = {"email": "nobody@example.org", "password": "wrong password"}
print(" ".join(str(client.post("/login", data=data).status_code) for _ in range(int(sys.argv[2]))))
"""


def worker(redis_url: str, database: str, count: int) -> list[int]:
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    env.pop("PORTAL_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", WORKER, database, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [int(status) for status in done.stdout.split()]


def test_two_workers_count_logins_together_in_redis(redis_url, tmp_path) -> None:
    """With 3 a minute, two wrong logins at one worker and two at another: the fourth is
    refused. Each worker is a process of its own, so only the shared store counts them together
    (with the in-memory store the second worker would allow both)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    database = f"sqlite:///{tmp_path / 'workers.db'}"
    assert worker(redis_url, database, 2) == [200, 200]
    assert worker(redis_url, database, 2) == [200, 429]
    assert redis.Redis.from_url(redis_url).keys("LIMITS:*")


def login(client, client_address: str | None = None):
    headers = {"X-Forwarded-For": client_address} if client_address else {}
    return client.post(
        "/login", data={"email": "nobody@example.org", "password": "wrong"}, headers=headers
    )


def test_behind_a_trusted_proxy_the_limit_keys_on_the_forwarded_client(limited_app) -> None:
    app = limited_app(LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    assert login(client, "203.0.113.1").status_code == 200
    assert login(client, "203.0.113.1").status_code == 200
    assert login(client, "203.0.113.1").status_code == 429
    # another client behind the same balancer has a bucket of its own
    assert login(client, "203.0.113.2").status_code == 200
    # the client's own X-Forwarded-For, before the balancer's, is not believed
    assert login(client, "10.9.9.9, 203.0.113.1").status_code == 429
    with app.app_context():
        addresses = set(_db.session.scalars(sa.select(SecurityEvent.ip_address)))
    assert addresses == {"203.0.113.1", "203.0.113.2"}


def test_without_trusted_proxies_the_header_is_ignored(limited_app) -> None:
    app = limited_app(LOGIN_RATE_LIMIT="2 per minute")
    assert app.config["TRUSTED_PROXIES"] == 0
    client = app.test_client()
    assert login(client, "203.0.113.1").status_code == 200
    assert login(client, "203.0.113.2").status_code == 200
    assert login(client, "203.0.113.3").status_code == 429  # all one client: 127.0.0.1
    with app.app_context():
        addresses = set(_db.session.scalars(sa.select(SecurityEvent.ip_address)))
    assert addresses == {"127.0.0.1"}
