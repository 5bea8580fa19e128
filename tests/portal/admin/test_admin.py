"""The admin pages: who may use them, each create and edit, each kind of bad input, stale edits
and the audit log."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent
from programme.models import Funder, Participation, Programme, TargetMonth
from sites.models import Designation, Organisation, Site, UserSite
from tests.dates import posted
from tests.factories import PASSWORD
from training.models import Assignment

# -- helpers -------------------------------------------------------------------------------


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audits(db, table: str, action: str | None = None) -> list[AuditEvent]:
    statement = sa.select(AuditEvent).where(AuditEvent.table_name == table)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return db.session.scalars(statement.order_by(AuditEvent.id)).all()


def text(response) -> str:
    return response.get_data(as_text=True)


def table(response) -> str:
    """The body of the page's first table (not the flashed messages above it)."""
    body = text(response)
    return body[body.find("<tbody") : body.find("</tbody>")]


def field_error(response, field_id: str) -> str | None:
    """The error message shown at a field, as the user reads it."""
    match = re.search(
        rf'id="{field_id}-error"[^>]*>\s*<span class="nhsuk-u-visually-hidden">Error: </span>'
        r"(.*?)\s*</span>",
        text(response),
        re.DOTALL,
    )
    return html.unescape(match.group(1)).strip() if match else None


def summary(response) -> list[str]:
    """The messages of the error summary at the top of the page."""
    body = text(response)
    start = body.find("nhsuk-error-summary__list")
    if start == -1:
        return []
    end = body.find("</ul>", start)
    items = re.findall(r"<li>(.*?)</li>", body[start:end], re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def assert_refused(response, message: str, field_id: str | None) -> None:
    assert response.status_code == 422
    assert message in summary(response)
    if field_id is not None:
        assert message in field_error(response, field_id)


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def site_data(organisation, **changes) -> dict:
    data = {
        "organisation_id": str(organisation.id),
        "name": "Bradford IPS",
        "locality": "Bradford",
        "region": "north-east-and-yorkshire",
        "launched_on": "2015-04-01",
        "closed_on": "",
        "latitude": "53.795",
        "longitude": "-1.7594",
    } | changes
    return posted(data)


def programme_data(funder, **changes) -> dict:
    data = {
        "name": "Making IPS Work",
        "funder_id": str(funder.id),
        "summary": "Six areas bringing IPS to mental health services.",
        "starts_on": "2015-04-01",
        "ends_on": "2018-03-31",
        "job_start_target": "340",
        "target_profile": "",
    } | changes
    return posted(data)


# -- who may use the admin pages -------------------------------------------------------------

SAMPLE_URLS = [
    "/admin/",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/sites",
    "/admin/funders/new",
    "/admin/programmes",
    "/admin/users",
    "/admin/users/new",
    "/admin/audit",
]


@pytest.mark.parametrize("role", ["trainer", "site_lead", "funder"])
def test_other_roles_are_refused(client, login_as, make, db, role):
    site = make.site()
    login_as(role, sites=[site] if role != "funder" else ())
    for url in SAMPLE_URLS:
        assert client.get(url).status_code == 403, url
    before = count(db, Organisation)
    response = client.post("/admin/organisations/new", data={"name": "Sneaky", "kind": "other"})
    assert response.status_code == 403
    response = client.post(f"/admin/sites/{site.id}/edit", data=site_data(site.organisation))
    assert response.status_code == 403
    assert count(db, Organisation) == before


def test_anonymous_users_are_sent_to_login(client, db):
    for url in SAMPLE_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")
    response = client.post("/admin/funders/new", data={"name": "Anonymous money"})
    assert response.status_code == 302
    assert count(db, Funder) == 0


def test_index_links_to_each_section(client, admin):
    response = client.get("/admin/")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Admin</h1>" in body
    for url in [
        "/admin/organisations",
        "/admin/sites",
        "/admin/funders",
        "/admin/programmes",
        "/admin/users",
        "/admin/audit",
    ]:
        assert f'href="{url}"' in body


# -- organisations ---------------------------------------------------------------------------


def test_create_organisation(client, admin, db):
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": " Bradford District Care NHS FT ",
            "kind": "nhs_trust",
            "ods_code": "tad",
            "region": "north-east-and-yorkshire",
        },
    )
    assert response.status_code == 302
    organisation = db.session.scalar(sa.select(Organisation))
    assert (organisation.name, organisation.ods_code) == ("Bradford District Care NHS FT", "TAD")
    [event] = audits(db, "organisation", "create")
    assert event.user_id == admin.id and event.record_id == organisation.id
    assert "added" in text(client.get(response.headers["Location"]))


def test_edit_organisation(client, admin, make, db):
    organisation = make.organisation(name="Blackpool Counci")
    page = client.get(f"/admin/organisations/{organisation.id}/edit")
    assert 'name="version"' in text(page) and "Blackpool Counci" in text(page)
    response = client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data={
            "name": "Blackpool Council",
            "kind": "local_authority",
            "ods_code": "",
            "region": "north-west",
            "version": organisation.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert (organisation.name, organisation.kind) == ("Blackpool Council", "local_authority")
    [event] = audits(db, "organisation", "update")
    assert event.before["name"] == "Blackpool Counci"
    assert event.after == {"name": "Blackpool Council", "kind": "local_authority"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("  ", "Enter the organisation's name"),
        ("TRUST one", "An organisation with this name already exists"),
    ],
)
def test_bad_organisation_is_refused(client, admin, make, db, name, message):
    make.organisation(name="Trust One")
    before = count(db, Organisation), count(db, AuditEvent)
    response = client.post(
        "/admin/organisations/new", data={"name": name, "kind": "nhs_trust", "region": "london"}
    )
    assert_refused(response, message, "name")
    assert (count(db, Organisation), count(db, AuditEvent)) == before


def test_stale_organisation_edit_is_a_conflict(client, admin, make, db):
    organisation = make.organisation(name="Trust A")
    organisation.name = "Trust B"  # someone else's edit: version 1 becomes 2
    db.session.commit()
    response = client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data={"name": "Trust C", "kind": "nhs_trust", "region": "london", "version": 1},
    )
    assert response.status_code == 409
    db.session.refresh(organisation)
    assert organisation.name == "Trust B"


def test_lists_are_paged(client, admin, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for name in ["Alpha", "Beta", "Gamma"]:
        make.organisation(name=name)
    first = text(client.get("/admin/organisations"))
    assert "Alpha" in first and "Beta" in first and "Gamma" not in first
    assert "nhsuk-pagination" in first and "Showing 1 to 2 of 3" in first
    second = text(client.get("/admin/organisations?page=2"))
    assert "Gamma" in second and "Alpha" not in second
    searched = text(client.get("/admin/organisations?q=amm"))
    assert "Gamma" in searched and "Alpha" not in searched


# -- sites and designations ------------------------------------------------------------------


def test_create_site(client, admin, make, db):
    organisation = make.organisation()
    response = client.post("/admin/sites/new", data=site_data(organisation))
    assert response.status_code == 302
    site = db.session.scalar(sa.select(Site).where(Site.name == "Bradford IPS"))
    assert site.launched_on == date(2015, 4, 1) and site.latitude == pytest.approx(53.795)
    assert response.headers["Location"] == f"/admin/sites/{site.id}/edit"
    [event] = audits(db, "site", "create")
    assert event.after["name"] == "Bradford IPS" and event.user_id == admin.id


def test_edit_site(client, admin, make, db):
    site = make.site(name="Sussex IPS")
    make.designation(site, awarded_on=date(2019, 6, 1))
    page = text(client.get(f"/admin/sites/{site.id}/edit"))
    assert "Centre of Excellence awards" in page and "1 June 2019" in page
    response = client.post(
        f"/admin/sites/{site.id}/edit",
        data=site_data(
            site.organisation, name="Sussex IPS", closed_on="2020-03-31", version=site.version
        ),
    )
    assert response.status_code == 302
    db.session.refresh(site)
    assert site.closed_on == date(2020, 3, 31)
    [event] = audits(db, "site", "update")
    assert event.after["closed_on"] == "2020-03-31"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the site's name"),
        ({"name": "existing ips"}, "name", "This organisation already has a site with this name"),
        (
            {"launched_on": "2020-01-01", "closed_on": "2019-12-31"},
            "closed_on",
            "The closing date must be on or after the launch date",
        ),
        (
            {"launched_on": "2020-02-31"},
            "launched_on",
            "Enter the launch date as a real date, for example 1 April 2015",
        ),
        ({"organisation_id": ""}, "organisation_id", "Choose the organisation that runs this site"),
        ({"longitude": ""}, "longitude", "Give both latitude and longitude, or neither"),
    ],
)
def test_bad_site_is_refused(client, admin, make, db, changes, field, message):
    organisation = make.organisation()
    make.site(organisation=organisation, name="Existing IPS")
    before = count(db, Site), count(db, AuditEvent)
    response = client.post("/admin/sites/new", data=site_data(organisation, **changes))
    assert_refused(response, message, field)
    assert (count(db, Site), count(db, AuditEvent)) == before


def test_stale_site_edit_is_a_conflict(client, admin, make, db):
    site = make.site(name="Old name")
    site.locality = "Elsewhere"
    db.session.commit()
    response = client.post(
        f"/admin/sites/{site.id}/edit", data=site_data(site.organisation, version=1)
    )
    assert response.status_code == 409
    db.session.refresh(site)
    assert site.name == "Old name"


def test_add_designation(client, admin, make, db):
    site = make.site()
    response = client.post(
        f"/admin/sites/{site.id}/designations/new", data=posted({"awarded_on": "2019-01-15"})
    )
    assert response.status_code == 302
    [designation] = db.session.scalars(sa.select(Designation)).all()
    assert (designation.site_id, designation.awarded_on) == (site.id, date(2019, 1, 15))
    assert len(audits(db, "designation", "create")) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"awarded_on": "2019-01-15", "ended_on": "2018-01-01"},
            "ended_on",
            "The end date must be on or after the award date",
        ),
        (
            {"awarded_on": ""},
            "awarded_on",
            "Enter the date the site was named a Centre of Excellence",
        ),
    ],
)
def test_bad_designation_is_refused(client, admin, make, db, data, field, message):
    site = make.site()
    response = client.post(f"/admin/sites/{site.id}/designations/new", data=posted(data))
    assert_refused(response, message, field)
    assert count(db, Designation) == 0


# -- funders ---------------------------------------------------------------------------------


def test_create_and_edit_funder(client, admin, db):
    response = client.post("/admin/funders/new", data={"name": "Department of Health"})
    assert response.status_code == 302
    funder = db.session.scalar(sa.select(Funder))
    assert len(audits(db, "funder", "create")) == 1
    response = client.post(
        f"/admin/funders/{funder.id}/edit",
        data={"name": "Department of Health and Social Care", "version": funder.version},
    )
    assert response.status_code == 302
    db.session.refresh(funder)
    assert funder.name == "Department of Health and Social Care"
    [event] = audits(db, "funder", "update")
    assert event.before == {"name": "Department of Health"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the funder's name"),
        ("health foundation", "A funder with this name already exists"),
    ],
)
def test_bad_funder_is_refused(client, admin, make, db, name, message):
    make.funder(name="Health Foundation")
    other = make.funder(name="Other funder")
    response = client.post("/admin/funders/new", data={"name": name})
    assert_refused(response, message, "name")
    assert count(db, Funder) == 2
    response = client.post(
        f"/admin/funders/{other.id}/edit", data={"name": name, "version": other.version}
    )
    assert_refused(response, message, "name")
    db.session.refresh(other)
    assert other.name == "Other funder"


def test_stale_funder_edit_is_a_conflict(client, admin, make, db):
    funder = make.funder(name="First")
    funder.name = "Second"
    db.session.commit()
    response = client.post(f"/admin/funders/{funder.id}/edit", data={"name": "Third", "version": 1})
    assert response.status_code == 409
    db.session.refresh(funder)
    assert funder.name == "Second"


# -- programmes and participations -----------------------------------------------------------


def test_create_programme_with_a_profile(client, admin, make, db):
    funder = make.funder()
    response = client.post(
        "/admin/programmes/new",
        data=programme_data(funder, target_profile="2015-06 10\n\n2016-03  60\r\n2018-03 340\n"),
    )
    assert response.status_code == 302
    programme = db.session.scalar(sa.select(Programme))
    assert response.headers["Location"] == f"/admin/programmes/{programme.id}/edit"
    assert [(m.month, m.cumulative) for m in programme.target_profile] == [
        (date(2015, 6, 1), 10),
        (date(2016, 3, 1), 60),
        (date(2018, 3, 1), 340),
    ]
    assert len(audits(db, "programme", "create")) == 1
    assert len(audits(db, "target_month", "create")) == 3
    page = text(client.get(response.headers["Location"]))
    assert "2015-06 10\n2016-03 60\n2018-03 340" in page


def test_create_programme_without_a_profile_is_linear(client, admin, make, db):
    response = client.post("/admin/programmes/new", data=programme_data(make.funder()))
    assert response.status_code == 302
    assert count(db, Programme) == 1 and count(db, TargetMonth) == 0


def test_edit_programme(client, admin, make, db):
    programme = make.programme(name="Improve", profile={date(2020, 6, 1): 10})
    data = programme_data(
        programme.funder,
        name="Improve 2",
        starts_on="2020-01-01",
        ends_on="2022-12-31",
        target_profile="2020-06 10",
        version=programme.version,
    )
    response = client.post(f"/admin/programmes/{programme.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(programme)
    assert (programme.name, programme.job_start_target) == ("Improve 2", 340)
    assert len(audits(db, "programme", "update")) == 1
    assert audits(db, "target_month", "delete") == []  # the untouched profile is not rewritten

    data |= {"target_profile": "", "version": programme.version}
    response = client.post(f"/admin/programmes/{programme.id}/edit", data=data)
    assert response.status_code == 302
    assert count(db, TargetMonth) == 0  # blank: back to a straight line


@pytest.mark.parametrize(
    ("changes", "field", "messages"),
    [
        ({"name": ""}, "name", ["Enter the programme's name"]),
        ({"name": "existing PROGRAMME"}, "name", ["A programme with this name already exists"]),
        ({"ends_on": "2015-03-31"}, "ends_on", ["The end date must be on or after the start date"]),
        ({"funder_id": ""}, "funder_id", ["Choose the programme's funder"]),
        (
            {"job_start_target": "lots"},
            "job_start_target",
            ["Enter the job-start target as a whole number, for example 340"],
        ),
        (
            {"target_profile": "2015-06 10\nJune 20\n2016-13 30\n2016-06 -5\n2017-01"},
            "target_profile",
            [
                "Line 2: write the month as year-month, like 2024-04, not 'June'",
                "Line 3: write the month as year-month, like 2024-04, not '2016-13'",
                "Line 4: the cumulative job starts must be a whole number, 0 or more, not '-5'",
                "Line 5: write a month and a number separated by a space, like 2024-04 10",
            ],
        ),
        (
            {"target_profile": "2015-06 50\n2015-07 40"},
            "target_profile",
            ["Cumulative targets cannot fall from one month to the next"],
        ),
        (
            {"target_profile": "2019-06 50"},
            "target_profile",
            ["Every profile month must fall inside the programme's dates"],
        ),
    ],
)
def test_bad_programme_is_refused(client, admin, make, db, changes, field, messages):
    funder = make.funder()
    make.programme(name="Existing programme", funder=funder)
    before = count(db, Programme), count(db, TargetMonth), count(db, AuditEvent)
    response = client.post("/admin/programmes/new", data=programme_data(funder, **changes))
    assert response.status_code == 422
    assert summary(response) == messages
    shown = field_error(response, field)
    for message in messages:
        assert message in shown
    assert (count(db, Programme), count(db, TargetMonth), count(db, AuditEvent)) == before


def test_bad_programme_edit_changes_nothing(client, admin, make, db):
    programme = make.programme(name="Improve", profile={date(2020, 6, 1): 10})
    data = programme_data(
        programme.funder,
        name="Renamed",
        starts_on="2020-01-01",
        ends_on="2022-12-31",
        target_profile="2020-06 30\n2020-07 20",
        version=programme.version,
    )
    response = client.post(f"/admin/programmes/{programme.id}/edit", data=data)
    assert_refused(
        response, "Cumulative targets cannot fall from one month to the next", "target_profile"
    )
    db.session.refresh(programme)
    assert programme.name == "Improve"
    assert [(m.month, m.cumulative) for m in programme.target_profile] == [(date(2020, 6, 1), 10)]


def test_stale_programme_edit_is_a_conflict(client, admin, make, db):
    programme = make.programme(name="Before")
    programme.summary = "Changed by someone else"
    db.session.commit()
    data = programme_data(programme.funder, name="After", version=1)
    response = client.post(f"/admin/programmes/{programme.id}/edit", data=data)
    assert response.status_code == 409
    db.session.refresh(programme)
    assert programme.name == "Before"


def test_add_and_edit_participation(client, admin, make, db):
    programme = make.programme()
    site = make.site(name="CNTW IPS")
    response = client.post(
        f"/admin/programmes/{programme.id}/sites/new",
        data=posted(
            {
                "site_id": str(site.id),
                "joined_on": "2020-01-01",
                "left_on": "",
                "site_target": "60",
            }
        ),
    )
    assert response.status_code == 302
    participation = db.session.scalar(sa.select(Participation))
    assert (participation.site_id, participation.site_target) == (site.id, 60)
    assert len(audits(db, "participation", "create")) == 1

    page = text(client.get(f"/admin/programmes/{programme.id}/edit"))
    assert "CNTW IPS" in page and f"/admin/participations/{participation.id}/edit" in page

    response = client.post(
        f"/admin/participations/{participation.id}/edit",
        data=posted(
            {
                "joined_on": "2020-01-01",
                "left_on": "2021-06-30",
                "site_target": "",
                "version": participation.version,
            }
        ),
    )
    assert response.status_code == 302
    db.session.refresh(participation)
    assert (participation.left_on, participation.site_target) == (date(2021, 6, 30), None)
    [event] = audits(db, "participation", "update")
    assert event.after == {"left_on": "2021-06-30", "site_target": None}


def test_bad_participation_is_refused(client, admin, make, db):
    programme = make.programme()
    site = make.site()
    data = posted({"site_id": str(site.id), "joined_on": "2020-06-01", "left_on": "2020-01-01"})
    response = client.post(f"/admin/programmes/{programme.id}/sites/new", data=data)
    assert_refused(response, "The leaving date must be on or after the joining date", "left_on")
    assert count(db, Participation) == 0

    participation = make.participation(programme, site)
    response = client.post(
        f"/admin/programmes/{programme.id}/sites/new",
        data=posted({"site_id": str(site.id), "joined_on": "2021-01-01"}),
    )
    assert_refused(
        response, "This site already takes part in the programme on these dates", "joined_on"
    )
    response = client.post(
        f"/admin/participations/{participation.id}/edit",
        data=posted(
            {"joined_on": "2020-06-01", "left_on": "2020-01-01", "version": participation.version}
        ),
    )
    assert_refused(response, "The leaving date must be on or after the joining date", "left_on")
    assert count(db, Participation) == 1


def test_stale_participation_edit_is_a_conflict(client, admin, make, db):
    participation = make.participation(make.programme(), make.site())
    participation.site_target = 10
    db.session.commit()
    response = client.post(
        f"/admin/participations/{participation.id}/edit",
        data=posted({"joined_on": "2020-01-01", "site_target": "99", "version": 1}),
    )
    assert response.status_code == 409
    db.session.refresh(participation)
    assert participation.site_target == 10


# -- users -----------------------------------------------------------------------------------


def user_data(**changes) -> dict:
    return {
        "email": "lead@example.org",
        "name": "Sam Lead",
        "role": "site_lead",
        "password": "long enough password",
        "funder_id": "",
    } | changes


def test_create_site_lead(client, admin, make, db):
    first, second = make.site(), make.site()
    response = client.post(
        "/admin/users/new", data=user_data(site_ids=[str(first.id), str(second.id)])
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "lead@example.org"))
    assert user.role == "site_lead" and user.check_password("long enough password")
    assert {s.id for s in user.sites} == {first.id, second.id}
    [event] = [e for e in audits(db, "user_account", "create") if e.record_id == user.id]
    assert event.after["password_hash"] == "(hidden)" and event.user_id == admin.id
    assert len(audits(db, "user_site", "create")) == 2


def test_create_trainer_assigns_sites(client, admin, make, db):
    site = make.site()
    response = client.post(
        "/admin/users/new",
        data=user_data(email="trainer@example.org", role="trainer", site_ids=[str(site.id)]),
    )
    assert response.status_code == 302
    [assignment] = db.session.scalars(sa.select(Assignment)).all()
    assert assignment.site_id == site.id and assignment.starts_on == date.today()
    assert count(db, UserSite) == 0


def test_create_funder_user(client, admin, make, db):
    funder = make.funder()
    response = client.post(
        "/admin/users/new",
        data=user_data(email="funder@example.org", role="funder", funder_id=str(funder.id)),
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "funder@example.org"))
    assert user.funder_id == funder.id


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, "site_ids", "Choose at least one site for a site lead"),
        (
            {"password": "short", "role": "admin"},
            "password",
            "Password must be 12 characters or more",
        ),
        (
            {"email": "ADMIN-TAKEN@example.org", "role": "admin"},
            "email",
            "A user with this email address already exists",
        ),
        (
            {"email": "not an address", "role": "admin"},
            "email",
            "Enter an email address like name@example.org",
        ),
        ({"role": "funder"}, "funder_id", "Choose the funder this user reads for"),
        ({"name": " ", "role": "admin"}, "name", "Enter the user's name"),
    ],
)
def test_bad_user_is_refused(client, admin, make, db, changes, field, message):
    make.user("admin", email="admin-taken@example.org")
    before = count(db, User), count(db, AuditEvent)
    response = client.post("/admin/users/new", data=user_data(**changes))
    assert_refused(response, message, field)
    assert (count(db, User), count(db, AuditEvent)) == before


def test_edit_user(client, admin, make, db):
    site = make.site()
    user = make.user("trainer", name="Pat Trainer")
    page = text(client.get(f"/admin/users/{user.id}/edit"))
    assert user.email in page and 'name="version"' in page
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "Pat Lead",
            "role": "site_lead",
            "site_ids": [str(site.id)],
            "password": "a brand new password",
            "version": user.version,
        },
    )  # "active" unticked: the user may no longer log in
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role, user.active) == ("Pat Lead", "site_lead", False)
    assert [s.id for s in user.sites] == [site.id]
    assert user.check_password("a brand new password")
    [event] = audits(db, "user_account", "update")
    assert event.after["role"] == "site_lead" and event.after["password_hash"] == "(hidden)"


def test_edit_user_keeps_password_when_blank(client, admin, make, db):
    user = make.user("admin")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "Renamed",
            "role": "admin",
            "active": "y",
            "password": "",
            "version": user.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Renamed" and user.check_password(PASSWORD)


def test_bad_user_edit_changes_nothing(client, admin, make, db):
    user = make.user("funder", name="Fran Funder")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "Fran",
            "role": "site_lead",
            "active": "y",
            "password": "short",
            "version": user.version,
        },
    )
    assert response.status_code == 422
    assert "Password must be 12 characters or more" in field_error(response, "password")
    assert "Choose at least one site for a site lead" in field_error(response, "site_ids")
    db.session.refresh(user)
    assert (user.name, user.role) == ("Fran Funder", "funder")


def test_admin_cannot_lock_themself_out(client, admin, db):
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"name": admin.name, "role": "trainer", "active": "y", "version": admin.version},
    )
    assert response.status_code == 422
    assert "You cannot remove your own admin role or deactivate yourself" in summary(response)
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_stale_user_edit_is_a_conflict(client, admin, make, db):
    user = make.user("trainer", name="Original")
    user.name = "Changed elsewhere"
    db.session.commit()
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "Mine", "role": "trainer", "active": "y", "version": 1},
    )
    assert response.status_code == 409
    db.session.refresh(user)
    assert user.name == "Changed elsewhere"


# -- the audit log ---------------------------------------------------------------------------


def test_audit_log_lists_changes_newest_first(client, admin, make, db):
    client.post("/admin/funders/new", data={"name": "First funder"})
    funder = db.session.scalar(sa.select(Funder))
    client.post(f"/admin/funders/{funder.id}/edit", data={"name": "Renamed funder", "version": 1})
    client.post(
        "/admin/organisations/new",
        data={"name": "Enable", "kind": "voluntary", "region": "midlands"},
    )
    body = table(client.get("/admin/audit"))
    created, renamed = "<strong>name</strong>: First funder<", "First funder to Renamed funder"
    assert body.index("Enable") < body.index(renamed) < body.index(created)
    assert admin.name in body

    only_funders = table(client.get("/admin/audit?table=funder"))
    assert "Renamed funder" in only_funders and "Enable" not in only_funders
    one_record = client.get(f"/admin/audit?table=funder&record={funder.id}")
    assert one_record.status_code == 200 and "Renamed funder" in text(one_record)
    ignored = client.get("/admin/audit?table=no_such_table")
    assert ignored.status_code == 200 and "Enable" in table(ignored)


def test_audit_log_hides_secrets_and_pages(client, admin, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    make.user("trainer")  # factories write audit events too: no user in a request
    for name in ["One", "Two", "Three"]:
        make.funder(name=name)
    first = text(client.get("/admin/audit"))
    assert "Three" in first and "Two" in first and "One" not in first
    assert "nhsuk-pagination" in first
    assert "One" in text(client.get("/admin/audit?page=2"))
    body = text(client.get("/admin/audit?table=user_account"))
    assert (
        "password_hash</strong>: (hidden)" in body and "pbkdf2" not in body and "scrypt" not in body
    )
