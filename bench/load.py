"""Load: the app under gunicorn (2 workers) on 127.0.0.1, driven for a bounded time by a Python
loop of threads, each sending one request after another. Pages use a signed session cookie (as
a logged-in browser would), the API a bearer token.

The load loop runs on the same machine as the server and competes with it for the cores, so
the requests per second are a floor, not a ceiling.
"""

from __future__ import annotations

import hashlib
import http.client
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from config import ROOT

WORKERS = 2
THREADS = 4
SECRET = "bench-only-not-secret-" + hashlib.sha256(b"bench").hexdigest()[:16]
USER_AGENT = "ips-bench/1"


@dataclass(frozen=True)
class LoadResult:
    path: str
    seconds: float
    requests: int
    errors: int
    p50: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"User-Agent": USER_AGENT, **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@contextmanager
def gunicorn(database_url: str) -> Iterator[int]:
    """The app under gunicorn on a free port of 127.0.0.1; yields the port, stops it on leaving."""
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLED": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "portal:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/health", {}).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def session_cookie(app: Flask, user_id: int) -> str:
    """A session cookie for `user_id`, signed as the server signs them, holding the key of a live
    server-side session started in `app`'s database (accounts.sessions), as logging in does."""
    from accounts.models import User
    from accounts.sessions import SESSION_KEY, start_session
    from core.extensions import db

    with app.app_context():
        key = start_session(db.session.get(User, user_id), "bench")
        db.session.commit()
    signer = Flask("bench-cookie")
    signer.secret_key = SECRET
    value = (
        SecureCookieSessionInterface()
        .get_signing_serializer(signer)
        .dumps({"_user_id": str(user_id), "_fresh": True, SESSION_KEY: key})
    )
    return f"session={value}"


def drive(
    port: int, path: str, headers: dict[str, str], seconds: float, threads: int = THREADS
) -> LoadResult:
    """Send requests from `threads` threads, each one after another, for `seconds`."""
    for _ in range(WORKERS):  # warm-up: each worker loads its templates on first use
        first = _get(port, path, headers)
        if first.status != 200:
            raise RuntimeError(f"{path} answered {first.status}")
        # Keep the session the server hands back (Flask-Login marks a copied cookie not fresh
        # once), so that later answers do not set it again.
        renewed = first.getheader("Set-Cookie", "")
        if renewed.startswith("session=") and "Cookie" in headers:
            headers = {**headers, "Cookie": renewed.split(";")[0]}
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(n: int) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = _get(port, path, headers).status
            except OSError:
                status = 0
            latencies[n].append(time.perf_counter() - started)
            if status != 200:
                errors[n] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    everything = sorted(x for each in latencies for x in each)
    if not everything:
        return LoadResult(path, elapsed, 0, sum(errors), math.nan, math.nan)
    return LoadResult(
        path=path,
        seconds=elapsed,
        requests=len(everything),
        errors=sum(errors),
        p50=everything[len(everything) // 2],
        p99=everything[max(0, math.ceil(0.99 * len(everything)) - 1)],
    )
