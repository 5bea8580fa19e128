"""Two identical creates fired at once: one is created, the other is refused (409 when it raced
past the services' checks, 422 when it came a moment late and the check saw the first), never a
500, and never two records (API.md, "Errors and limits").

PostgreSQL only: that is where requests run side by side (SQLite takes one writer at a time).
Each request runs on its own test client in its own thread, so on its own app context, session
and connection; `commits` because each must see what the other committed. A Barrier releases the
two at once; ROUNDS pairs per kind of record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from accounts.models import User
from programme.models import Funder, Programme
from sites.models import MonthlyReturn, Organisation, Site, UserSite
from sites.returns.rules import add_months
from tests.conftest import sign_in
from training.models import Assignment

pytestmark = pytest.mark.commits

ROUNDS = 20
MONTH = add_months(date.today().replace(day=1), -2)
REFUSED = {409, 422}


@pytest.fixture(autouse=True)
def on_postgres(app):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("requests race on PostgreSQL; SQLite takes one writer at a time")


def count(db, model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def race(clients: list[FlaskClient], send: Callable[[FlaskClient], Any]) -> list[int]:
    """The statuses of `send` run on each client at the same moment, sorted."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def run(client: FlaskClient) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(send(client).status_code)
        except BaseException as error:  # noqa: BLE001  (reported in the test's thread)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if failures:
        raise failures[0]
    return sorted(statuses)


class Pair:
    """Two clients of one person: API calls with their token, or pages signed in twice."""

    def __init__(self, app, headers: dict[str, str] | None = None, user: User | None = None):
        self.clients = [app.test_client(), app.test_client()]
        self.headers = headers or {}
        if user is not None:
            for client in self.clients:
                sign_in(client, user)

    def race(self, method: str, path: str, **kwargs: Any) -> list[int]:
        def send(client: FlaskClient) -> Any:
            return getattr(client, method)(path, headers=self.headers, **kwargs)

        return race(self.clients, send)


def assert_one_created(statuses: list[int], created: int) -> None:
    assert 500 not in statuses
    assert statuses[0] in {200, 201, 302} and statuses[1] in REFUSED, statuses
    assert created == 1


@pytest.fixture
def api_pair(app, api) -> Pair:
    return Pair(app, headers=api("admin").headers)


@pytest.fixture
def page_pair(app, make) -> Pair:
    return Pair(app, user=make.user("admin"))


def test_racing_organisations_of_one_name(api_pair, db):
    for n in range(ROUNDS):
        body = {"name": f"Race Trust {n}", "kind": "nhs_trust", "region": "london"}
        statuses = api_pair.race("post", "/api/v1/organisations", json=body)
        assert_one_created(statuses, count(db, Organisation, Organisation.name == body["name"]))


def test_racing_organisations_of_one_ods_code(api_pair, db):
    for n in range(ROUNDS):
        code = f"RC{n}"

        def send(client: FlaskClient, code: str = code) -> Any:
            body = {"name": f"Trust {code} {id(client)}", "kind": "other", "region": "london"}
            return client.post(
                "/api/v1/organisations", json=body | {"ods_code": code}, headers=api_pair.headers
            )

        statuses = race(api_pair.clients, send)
        assert_one_created(statuses, count(db, Organisation, Organisation.ods_code == code))


def test_racing_sites_of_one_name(api_pair, make, db):
    organisation = make.organisation()
    for n in range(ROUNDS):
        body = {"organisation_id": organisation.id, "name": f"Race IPS {n}", "region": "london"}
        statuses = api_pair.race("post", "/api/v1/sites", json=body)
        assert_one_created(statuses, count(db, Site, Site.name == body["name"]))


def programme_body(name: str, funder: str) -> dict:
    return {
        "name": name,
        "funder": funder,
        "starts_on": "2024-04-01",
        "ends_on": "2027-03-31",
        "job_start_target": 100,
    }


def test_racing_programmes_of_one_name(api_pair, make, db):
    funder = make.funder()
    for n in range(ROUNDS):
        body = programme_body(f"Race programme {n}", funder.name)
        statuses = api_pair.race("post", "/api/v1/programmes", json=body)
        assert_one_created(statuses, count(db, Programme, Programme.name == body["name"]))


def test_racing_programmes_naming_one_new_funder_share_it(api_pair, db):
    """A programme names its funder, made when new: two programmes naming the same new funder
    at once are both created, with one funder between them."""
    for n in range(ROUNDS):
        funder = f"Race funder {n}"

        def send(client: FlaskClient, funder: str = funder) -> Any:
            body = programme_body(f"{funder} programme {id(client)}", funder)
            return client.post("/api/v1/programmes", json=body, headers=api_pair.headers)

        assert race(api_pair.clients, send) == [201, 201]
        assert count(db, Funder, Funder.name == funder) == 1
        assert count(db, Programme, Programme.name.startswith(f"{funder} ")) == 2


def test_racing_programmes_of_one_name_and_one_new_funder(api_pair, db):
    for n in range(ROUNDS):
        body = programme_body(f"Race programme {n}", f"Race funder {n}")
        statuses = api_pair.race("post", "/api/v1/programmes", json=body)
        assert_one_created(statuses, count(db, Programme, Programme.name == body["name"]))
        assert count(db, Funder, Funder.name == body["funder"]) == 1


def test_racing_first_returns_of_a_site_month(api_pair, make, db):
    organisation = make.organisation()
    for _ in range(ROUNDS):
        site = make.site(organisation=organisation)
        path = f"/api/v1/sites/{site.id}/returns/{MONTH:%Y-%m}"
        statuses = api_pair.race("put", path, json={"referrals": 10, "caseload": 40})
        assert statuses == [201, 409], statuses  # the loser is stale, raced or not
        assert count(db, MonthlyReturn, MonthlyReturn.site_id == site.id) == 1


def test_racing_trainer_assignments_to_a_site(api_pair, make, db):
    trainer = make.user("trainer")
    for _ in range(ROUNDS):
        site = make.site()
        body = {"user_id": trainer.id, "starts_on": "2024-04-01"}
        statuses = api_pair.race("post", f"/api/v1/sites/{site.id}/assignments", json=body)
        assert_one_created(statuses, count(db, Assignment, Assignment.site_id == site.id))


def test_racing_funders_of_one_name_on_the_admin_page(page_pair, db):
    for n in range(ROUNDS):
        name = f"Race funder {n}"
        statuses = page_pair.race("post", "/admin/funders/new", data={"name": name})
        assert_one_created(statuses, count(db, Funder, Funder.name == name))


def user_data(email: str, site: Site) -> dict:
    return {
        "email": email,
        "name": "Race Lead",
        "role": "site_lead",
        "password": "long enough password",
        "funder_id": "",
        "site_ids": [str(site.id)],
    }


def test_racing_users_of_one_email_on_the_admin_page(page_pair, make, db):
    site = make.site()
    for n in range(ROUNDS):
        email = f"race{n}@example.org"
        statuses = page_pair.race("post", "/admin/users/new", data=user_data(email, site))
        assert_one_created(statuses, count(db, User, User.email == email))


def test_racing_invitations_of_one_email_on_the_admin_page(page_pair, make, db, mailbox):
    site = make.site()
    for n in range(ROUNDS):
        email = f"invited{n}@example.org"
        data = user_data(email, site)
        del data["password"]
        statuses = page_pair.race("post", "/admin/users/invite", data=data)
        assert_one_created(statuses, count(db, User, User.email == email))
    assert len(mailbox.messages) == ROUNDS


def test_racing_edits_giving_a_site_lead_one_site(page_pair, make, db):
    first = make.site()
    for _ in range(ROUNDS):
        lead, site = make.user("site_lead", sites=[first]), make.site()
        data = {
            "name": lead.name,
            "role": "site_lead",
            "active": "y",
            "funder_id": "",
            "password": "",
            "site_ids": [str(first.id), str(site.id)],
            "version": str(lead.version),
        }
        statuses = page_pair.race("post", f"/admin/users/{lead.id}/edit", data=data)
        # Both may succeed (the second finds the site given and the user unchanged: its version
        # still holds); never a 500, and never the site twice.
        assert set(statuses) <= {302, 409}, statuses
        assert count(db, UserSite, UserSite.user_id == lead.id, UserSite.site_id == site.id) == 1
