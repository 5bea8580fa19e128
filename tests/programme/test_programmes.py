"""Programme pages and API: progress from SQL aggregates inside participation, scoping, writes."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from programme.late_returns import last_due_month
from programme.models import Participation, Programme
from tests.query_counter import count_queries


def months(first: date, n: int) -> list[date]:
    out, month = [], first
    for _ in range(n):
        out.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


@pytest.fixture
def sussex(make):
    """A closed 12-month programme whose two sites found 286 jobs against 125."""
    programme = make.programme(
        name="Sussex pilot",
        starts_on=date(2012, 1, 1),
        ends_on=date(2012, 12, 31),
        job_start_target=125,
    )
    a, b = make.site(name="Brighton"), make.site(name="Hastings")
    make.participation(programme, a, site_target=70)
    make.participation(programme, b, joined_on=date(2012, 4, 15))
    for month in months(date(2011, 10, 1), 18):  # returns before, during and after
        make.monthly_return(a, month, job_starts=12)
        make.monthly_return(b, month, job_starts=10)
    return programme, a, b


def test_progress_counts_only_months_inside_programme_and_participation(api, sussex):
    programme, a, b = sussex
    response = api("admin").get(f"/api/v1/programmes/{programme.id}/progress?on=2013-06-01")
    assert response.status_code == 200
    body = response.get_json()
    # Brighton: 12 months x 12; Hastings joined mid-April, so April to December: 9 x 10.
    assert body["achieved"] == 144 + 90
    assert body["target"] == 125
    assert body["status"] == "met"
    assert body["percent"] == pytest.approx(187.2)
    assert [s["job_starts"] for s in body["sites"]] == [144, 90]
    assert body["sites"][0] == {
        "site_id": a.id,
        "name": "Brighton",
        "job_starts": 144,
        "site_target": 70,
        "late_returns": 0,
    }
    assert body["by_month"][0] == {
        "month": "2012-01",
        "job_starts": 12,
        "cumulative": 12,
        "expected": pytest.approx(10.6, abs=0.1),
    }
    assert len(body["by_month"]) == 12


def test_draft_returns_do_not_count(api, make):
    programme = make.programme(starts_on=date(2021, 1, 1), ends_on=date(2021, 12, 31))
    site = make.site()
    make.participation(programme, site)
    make.monthly_return(site, date(2021, 1, 1), job_starts=5)
    make.monthly_return(site, date(2021, 2, 1), job_starts=7, status="draft")
    body = api("admin").get(f"/api/v1/programmes/{programme.id}/progress?on=2021-06-30").get_json()
    assert body["achieved"] == 5


def test_progress_on_a_date_before_the_start_is_not_started(api, sussex):
    programme, *_ = sussex
    body = api("admin").get(f"/api/v1/programmes/{programme.id}/progress?on=2011-12-01").get_json()
    assert body["status"] == "not_started"
    assert body["achieved"] == 0
    assert body["by_month"] == []


def test_a_live_programme_behind_its_profile_is_off_track(api, make):
    today = date.today()
    start = date(today.year - 1, today.month, 1)
    programme = make.programme(
        starts_on=start, ends_on=start + timedelta(days=730), job_start_target=1000
    )
    site = make.site()
    make.participation(programme, site)
    for month in months(start, 6):
        make.monthly_return(site, month, job_starts=1)
    body = api("admin").get(f"/api/v1/programmes/{programme.id}/progress").get_json()
    assert body["status"] == "off_track"
    assert body["achieved"] == 6


def test_late_returns_are_months_without_a_submitted_return(api, make):
    today = date.today()
    start = date(today.year - 1, 1, 1)
    programme = make.programme(starts_on=start, ends_on=date(today.year + 1, 12, 31))
    on_time, behind = make.site(name="On time"), make.site(name="Behind")
    make.participation(programme, on_time)
    make.participation(programme, behind)
    owed = [m for m in months(start, 40) if m <= last_due_month(date.today())]
    for month in owed:
        make.monthly_return(on_time, month)
    for month in owed[:-2]:
        make.monthly_return(behind, month)
    make.monthly_return(behind, owed[-1], status="draft")
    body = api("admin").get(f"/api/v1/programmes/{programme.id}/progress").get_json()
    late = {s["name"]: s["late_returns"] for s in body["sites"]}
    assert late == {"Behind": 2, "On time": 0}
    summary = api("funder").get("/api/v1/network/summary").get_json()
    assert summary["late_returns"] == 2
    assert summary["sites_with_late_returns"] == 1


def test_programme_page_shows_figures_chart_and_sites(client, login_as, sussex):
    programme, a, b = sussex
    login_as("admin")
    page = client.get(f"/programmes/{programme.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sussex pilot" in html and "Target met" in html
    assert 'data-figure-id="progress-chart-data"' in html
    assert '<script type="application/json" id="progress-chart-data">' in html
    assert "Brighton" in html and "Hastings" in html


def test_funders_see_only_programmes_they_fund(client, login_as, make, api):
    mine = make.programme(name="Mine")
    theirs = make.programme(name="Theirs")
    funder_user = login_as("funder", funder=mine.funder)
    listing = client.get("/programmes/").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/programmes/{theirs.id}").status_code == 403
    assert client.get(f"/programmes/{mine.id}").status_code == 200
    caller = api(funder_user)
    assert caller.get(f"/api/v1/programmes/{theirs.id}/progress").status_code == 403
    items = caller.get("/api/v1/programmes").get_json()["items"]
    assert [p["name"] for p in items] == ["Mine"]


def test_programme_list_and_page_use_a_fixed_number_of_queries(client, login_as, make, db):
    login_as("admin")

    def grow(n):
        for _ in range(n):
            programme = make.programme()
            for _ in range(3):
                site = make.site()
                make.participation(programme, site)
                make.monthly_return(site, date(2020, 3, 1))
        return programme

    last = grow(2)
    with count_queries(db.engine) as small_list:
        client.get("/programmes/")
    with count_queries(db.engine) as small_page:
        client.get(f"/programmes/{last.id}")
    last = grow(8)
    with count_queries(db.engine) as large_list:
        client.get("/programmes/")
    with count_queries(db.engine) as large_page:
        client.get(f"/programmes/{last.id}")
    assert len(large_list) == len(small_list)
    assert len(large_page) == len(small_page)


def test_admin_creates_programme_with_profile_and_participation(api, make, db):
    site = make.site()
    admin = api("admin")
    response = admin.post(
        "/api/v1/programmes",
        json={
            "name": "Improve 3",
            "funder": "West Midlands Combined Authority",
            "starts_on": "2026-04-01",
            "ends_on": "2027-03-31",
            "job_start_target": 120,
            "target_profile": [
                {"month": "2026-06", "cumulative": 20},
                {"month": "2027-03", "cumulative": 120},
            ],
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["funder"] == "West Midlands Combined Authority"
    assert body["target_profile"][0] == {"month": "2026-06", "cumulative": 20}
    assert body["version"] == 1
    joined = admin.post(
        f"/api/v1/programmes/{body['id']}/participations",
        json={"site_id": site.id, "joined_on": "2026-04-01", "site_target": 40},
    )
    assert joined.status_code == 201
    assert joined.get_json()["site_target"] == 40
    audited = db.session.scalars(sa.select(AuditEvent.table_name)).all()
    assert {"programme", "target_month", "participation", "funder"} <= set(audited)


def test_patch_needs_the_current_version(api, make, db):
    programme = make.programme(job_start_target=100)
    admin = api("admin")
    first = admin.patch(
        f"/api/v1/programmes/{programme.id}", json={"job_start_target": 150, "version": 1}
    )
    assert first.status_code == 200
    assert first.get_json()["version"] == 2
    stale = admin.patch(
        f"/api/v1/programmes/{programme.id}", json={"job_start_target": 999, "version": 1}
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).job_start_target == 150


@pytest.mark.parametrize(
    "body, field",
    [
        (
            {
                "name": "",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "job_start_target": 1,
            },
            "name",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2025-12-31",
                "job_start_target": 1,
            },
            "ends_on",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "job_start_target": -1,
            },
            "job_start_target",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "job_start_target": 1.5,
            },
            "job_start_target",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "not a date",
                "ends_on": "2026-12-31",
                "job_start_target": 1,
            },
            "starts_on",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "job_start_target": 10,
                "target_profile": [
                    {"month": "2026-05", "cumulative": 5},
                    {"month": "2026-06", "cumulative": 2},
                ],
            },
            "target_profile",
        ),
        (
            {
                "name": "X",
                "funder": "F",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "job_start_target": 10,
                "target_profile": [{"month": "2026-13", "cumulative": 5}],
            },
            "target_profile.0.month",
        ),
    ],
)
def test_bad_programmes_get_a_message_per_field_and_nothing_is_written(api, db, body, field):
    response = api("admin").post("/api/v1/programmes", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert db.session.scalar(sa.select(sa.func.count(Programme.id))) == 0


def test_participation_rules(api, make, db):
    programme = make.programme()
    site = make.site()
    admin = api("admin")
    url = f"/api/v1/programmes/{programme.id}/participations"
    assert admin.post(url, json={"site_id": 999999, "joined_on": "2020-01-01"}).status_code == 422
    bad = admin.post(
        url, json={"site_id": site.id, "joined_on": "2020-06-01", "left_on": "2020-01-01"}
    )
    assert "left_on" in bad.get_json()["error"]["fields"]
    assert admin.post(url, json={"site_id": site.id, "joined_on": "2020-01-01"}).status_code == 201
    again = admin.post(url, json={"site_id": site.id, "joined_on": "2020-03-01"})
    assert again.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 1
    trainer_answer = api("trainer").post(url, json={"site_id": site.id, "joined_on": "2020-01-01"})
    assert trainer_answer.status_code == 403, trainer_answer.get_json()
    assert (
        api("trainer").post(url, json={"site_id": site.id, "joined_on": "2020-01-01"}).status_code
        == 403
    )


def test_dashboard_and_summary(client, login_as, make, api):
    site = make.site(closed_on=date(2020, 1, 1))
    make.site()
    make.designation(site)
    make.monthly_return(site, date(2019, 6, 1), job_starts=4)
    login_as("site_lead", sites=[site])
    html = client.get("/network").get_data(as_text=True)
    assert "Active sites" in html and "Late returns" in html
    summary = api("trainer").get("/api/v1/network/summary").get_json()
    assert summary["sites"] == 2
    assert summary["active_sites"] == 1 and summary["closed_sites"] == 1
    assert summary["job_starts_total"] == 4
    assert set(summary["programmes_by_status"]) == {
        "not_started",
        "on_track",
        "at_risk",
        "off_track",
        "met",
        "missed",
    }


def test_the_programme_page_shows_each_sites_latest_fidelity_band(client, login_as, make, db):
    programme = make.programme(name="Improve")
    reviewed, unreviewed = make.site(name="Walsall IPS"), make.site(name="Dudley IPS")
    for site in (reviewed, unreviewed):
        make.participation(programme, site)
    make.fidelity_review(reviewed, 80, date(2018, 1, 1))
    make.fidelity_review(reviewed, 103, date(2024, 5, 15))
    login_as("admin")
    html = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Good (103)" in html
    assert "No review" in html
