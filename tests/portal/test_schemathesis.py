"""The API keeps to its OpenAPI document: schemathesis generates requests for every operation
of the document (valid and invalid data, boundary values, methods it does not declare) and
checks every answer: no server error, a declared status, content type and headers, a body of the
declared shape, invalid data refused, valid data accepted, a 405 that names what is allowed, and
no answer without a token.

Each request is sent with a token of each role (admin, trainer, site_lead, funder) on the demo
network (portal.demo), in the app itself (WSGI, each request in its own app context, as in
production), on both databases: an answer's types (times with their zone, decimals, ids) can
differ between SQLite and PostgreSQL, and the document must hold for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from accounts.models import User
from accounts.services import create_token
from core.extensions import db as _db
from portal import demo
from tests.conftest import empty_database

COMMITTED = Path(__file__).resolve().parents[1] / "fixtures" / "openapi.json"
ROLES = ("admin", "trainer", "site_lead", "funder")
EXAMPLES = 20  # per operation, in each of schemathesis's phases that draw at random


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def in_fresh_context(app: Any) -> Callable:
    """The app, each request in an app context of its own (the fixture holds one open, and Flask
    would reuse it: the user Flask-Login loaded for one request would answer the next)."""

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        with app.app_context():
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                getattr(body, "close", lambda: None)()

    return wsgi


@pytest.fixture(scope="module")
def network(app) -> Iterator[tuple[Callable, dict[str, str]]]:
    """The demo network, committed (the generated writes commit too), and a token of each of its
    logins; emptied after the module. Yields the app to call and the tokens by role."""
    with app.app_context():
        empty_database()
        demo.load()
        _db.session.commit()
        tokens = {}
        for role, email, _ in demo.LOGINS:
            user = _db.session.scalar(sa.select(User).where(User.email == email))
            tokens[role] = create_token(user, "schemathesis")[1]
        _db.session.commit()
        yield in_fresh_context(app), tokens
        empty_database()
        _db.session.remove()


# Every check runs. Two settings say what the contract is:
# - a request valid by the document may still break a rule it cannot state (dates from 1990 to
#   2100, a name already taken, a participation overlapping another, a return's warnings): 422
#   with a message per field is the answer API.md promises, not a refusal of valid data;
# - the API reads the query parameters an operation names and ignores any other, so none are
#   made up; and the token is ours to send (each role's), not one schemathesis generates.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-extra-parameters": False, "with-security-parameters": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)
# The committed document, which tests/portal/test_openapi_document.py holds to the served one:
# schemathesis makes its tests as this module is collected, before there is an app to ask.
schema = schemathesis.openapi.from_path(COMMITTED, config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_to_the_document(case, network) -> None:
    wsgi, tokens = network
    case.operation.schema.app = wsgi  # for the checks that send requests of their own too
    for role in ROLES:
        case.call_and_validate(app=wsgi, headers=bearer(tokens[role]))
