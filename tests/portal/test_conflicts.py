"""A write the database refuses answers 409, never 500 (portal.conflicts): a second create of the
same unique value with the services' check bypassed, as a racing request gets past it. The API
names the field; an admin form shows the message at the field; other pages say what clashed.
tests/portal/test_races.py fires the real races, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

import accounts.second_factor
import portal.users
import programme.services
import sites.returns.importing.writer
import sites.returns.services
import sites.services
from accounts.models import SecondFactor, User
from programme.models import Programme
from sites.models import MonthlyReturn, Organisation, Site
from sites.returns.importing import reader
from sites.returns.rules import add_months


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def no_checks(monkeypatch):
    """The services' checks of unique values pass, as they do for both of two racing requests."""
    monkeypatch.setattr(sites.services, "_organisation_errors", lambda data, _id: {})
    monkeypatch.setattr(sites.services, "_site_errors", lambda data, _id: {})
    monkeypatch.setattr(programme.services, "_programme_errors", lambda data, _id: {})
    monkeypatch.setattr(portal.users, "_check_user", lambda **kwargs: {})


def conflict(response) -> dict:
    assert response.status_code == 409, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    return error


def organisation_body(**changes) -> dict:
    return {"name": "Tees Trust", "kind": "nhs_trust", "region": "north-west"} | changes


def test_a_second_organisation_of_the_same_name_is_409_naming_the_field(api, db, no_checks):
    caller = api("admin")
    assert caller.post("/api/v1/organisations", json=organisation_body()).status_code == 201
    error = conflict(caller.post("/api/v1/organisations", json=organisation_body()))
    assert error["fields"] == {"name": ["An organisation with this name already exists"]}
    if db.engine.dialect.name == "postgresql":  # psycopg's parameters name the value
        assert error["message"] == "An organisation named 'Tees Trust' already exists."
    assert count(db, Organisation) == 1


def test_a_second_organisation_with_the_same_ods_code_is_409(api, db, no_checks):
    caller = api("admin")
    body = organisation_body(ods_code="RXE")
    assert caller.post("/api/v1/organisations", json=body).status_code == 201
    error = conflict(caller.post("/api/v1/organisations", json=body | {"name": "Other"}))
    assert error["fields"] == {"ods_code": ["Another organisation has this ODS code"]}
    assert count(db, Organisation) == 1


def test_a_second_site_of_the_same_name_in_an_organisation_is_409(api, make, db, no_checks):
    organisation = make.organisation()
    body = {"organisation_id": organisation.id, "name": "Tees IPS", "region": "north-west"}
    caller = api("admin")
    assert caller.post("/api/v1/sites", json=body).status_code == 201
    error = conflict(caller.post("/api/v1/sites", json=body))
    assert error["fields"] == {"name": ["This organisation already has a site with this name"]}
    assert count(db, Site) == 1


def test_a_second_programme_of_the_same_name_is_409(api, db, no_checks):
    body = {
        "name": "Making IPS Work",
        "funder": "Department of Health",
        "starts_on": "2015-04-01",
        "ends_on": "2018-03-31",
        "job_start_target": 340,
    }
    caller = api("admin")
    assert caller.post("/api/v1/programmes", json=body).status_code == 201
    error = conflict(caller.post("/api/v1/programmes", json=body))
    assert error["fields"] == {"name": ["A programme with this name already exists"]}
    assert count(db, Programme) == 1


def test_the_first_return_of_a_month_created_meanwhile_is_409_stale(api, make, db, monkeypatch):
    site = make.site()
    month = add_months(date.today().replace(day=1), -2)
    make.monthly_return(site, month)
    # The racing request read no return for the month before the other committed its own.
    monkeypatch.setattr(sites.returns.services, "find_return", lambda site_id, month: None)
    body = {"referrals": 3, "submit": False}
    response = api(make.user("site_lead", sites=[site])).put(
        f"/api/v1/sites/{site.id}/returns/{month:%Y-%m}", json=body
    )
    error = conflict(response)
    assert (
        error["message"]
        == f"A return for {month:%B %Y} exists already: read it and send its version."
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(MonthlyReturn.referrals)) == 10
    assert count(db, MonthlyReturn) == 1


def test_an_admin_form_shows_the_clash_at_its_field(client, login_as, make, db, no_checks):
    make.organisation(name="Tees Trust")
    login_as("admin")
    response = client.post("/admin/organisations/new", data=organisation_body())
    assert response.status_code == 409  # the form again, its field's message
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page
    assert "An organisation with this name already exists" in page
    assert count(db, Organisation) == 1


def test_a_second_user_with_the_same_email_is_shown_at_the_field(
    client, login_as, make, db, no_checks
):
    make.user("admin", email="sam@example.org")
    login_as("admin")
    data = {"email": "sam@example.org", "name": "Sam", "role": "admin"}
    response = client.post("/admin/users/new", data=data | {"password": "long enough password"})
    assert response.status_code == 409  # the form again, its field's message
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page
    assert "A user with this email address already exists" in page
    assert count(db, User, User.email == "sam@example.org") == 1


def test_a_missing_reference_is_409_with_a_plain_message(api, db, no_checks):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce foreign keys here")
    body = {"organisation_id": 2147483000, "name": "Orphan IPS", "region": "north-west"}
    error = conflict(api("admin").post("/api/v1/sites", json=body))
    assert error["message"].startswith("Something this refers to was deleted")
    assert "fields" not in error
    assert count(db, Site) == 0


def test_the_return_form_shows_the_return_created_meanwhile(
    client, login_as, make, db, monkeypatch
):
    site = make.site()
    month = add_months(date.today().replace(day=1), -2)
    make.monthly_return(site, month, status="draft")
    monkeypatch.setattr(sites.returns.services, "find_return", lambda site_id, month: None)
    login_as(make.user("site_lead", sites=[site]))
    response = client.post(
        f"/sites/{site.id}/returns/{month:%Y-%m}", data={"action": "save", "referrals": "4"}
    )
    assert response.status_code == 409
    assert "Someone else changed this return since you opened it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(MonthlyReturn.referrals)) == 10


def test_a_page_that_is_not_a_form_says_what_clashed(client, login_as, db, monkeypatch):
    """Two windows opening the second factor's set-up at once: the second one's 409 page."""
    user = login_as("admin")
    db.session.add(SecondFactor(user_id=user.id, secret="JBSWY3DPEHPK3PXP"))
    db.session.commit()
    monkeypatch.setattr(accounts.second_factor, "factor_of", lambda user: None)
    response = client.get("/account/second-factor")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This could not be saved" in page
    assert "being set up in another window at the same time" in page
    assert count(db, SecondFactor) == 1


@pytest.mark.parametrize(
    ("refusal", "message"),
    [
        (
            "UNIQUE constraint failed: monthly_return.site_id, monthly_return.month",
            "Someone saved some of these returns during the import",
        ),
        ("FOREIGN KEY constraint failed", "Something this refers to was deleted"),
    ],
)
def test_an_import_refused_by_the_database_is_409(api, make, db, monkeypatch, refusal, message):
    """A return created meanwhile is the import's own stale answer; anything else the
    database refuses is portal.conflicts' plain one."""

    def refused(*args):
        raise sa.exc.IntegrityError("INSERT INTO monthly_return ...", {}, Exception(refusal))

    monkeypatch.setattr(sites.returns.importing.writer, "_write_batch", refused)
    site = make.site()
    month = add_months(date.today().replace(day=1), -2)
    figures = "10,40,8,6,3,15,2,2.0,4"
    text = f"{','.join(reader.HEADER)}\n{site.id},{month:%Y-%m},{figures}\n"
    response = api("admin").post(
        "/api/v1/returns/import", data=text.encode(), content_type="text/csv"
    )
    assert conflict(response)["message"].startswith(message)
    assert count(db, MonthlyReturn) == 0
