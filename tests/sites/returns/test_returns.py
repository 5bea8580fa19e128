"""Monthly returns through the form and the API: every rule, warnings confirmed, drafts, amendments
kept as history, the conflict of two people amending at once, and who may send what."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from sites.models import MonthlyReturn, ReturnSector, ReturnVersion
from sites.returns.rules import add_months

MONTH = add_months(date.today().replace(day=1), -2)
SLUG = f"{MONTH:%Y-%m}"
FIGURES = {
    "referrals": "10",
    "caseload": "40",
    "new_to_service": "8",
    "first_contact_within_4_weeks": "6",
    "job_starts": "3",
    "in_work": "15",
    "sustained_13_weeks": "2",
    "employment_specialists_fte": "2.5",
    "discharges": "4",
}
SECTORS = {"sector_retail": "2", "sector_hospitality": "1"}


@pytest.fixture
def site(make):
    return make.site(name="Riverside IPS")


@pytest.fixture
def lead(make, site):
    return make.user("site_lead", sites=[site])


def form_path(site, slug=SLUG):
    return f"/sites/{site.id}/returns/{slug}"


def post(client, site, data, action="submit", slug=SLUG):
    # Tests run with CSRF off (TestConfig); the view still validates the form.
    return client.post(form_path(site, slug), data={"action": action, **data})


def returns(db):
    return db.session.scalars(sa.select(MonthlyReturn)).all()


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- the form -------------------------------------------------------------------------------


def test_the_form_shows_every_figure_with_hints_and_the_sectors(client, login_as, lead, site):
    login_as(lead)
    page = text(client.get(form_path(site)))
    assert f"Monthly return for {MONTH:%B %Y}" in page
    for label in (
        "Referrals",
        "Caseload",
        "New to the service",
        "First contact within 4 weeks",
        "Job starts",
        "In work",
        "Jobs sustained 13 weeks",
        "Employment specialists (full-time equivalent)",
        "Discharges",
        "Construction",
        "Health and social care",
        "Animal care",
    ):
        assert f">{label}" in page or f"> {label}" in page, label
    assert "details of an individual do not belong in this return" in page
    assert f"job started in {add_months(MONTH, -3):%B %Y}" in page
    assert "Not started" in page


def test_submitting_a_good_return_saves_it_with_its_sectors_and_a_version(
    client, login_as, lead, site, db
):
    login_as(lead)
    response = post(client, site, FIGURES | SECTORS)
    assert response.status_code == 302
    [saved] = returns(db)
    assert (saved.status, saved.job_starts, saved.caseload) == ("submitted", 3, 40)
    assert saved.employment_specialists_fte == Decimal("2.50")
    assert saved.sector_counts() == {"hospitality": 1, "retail": 2}
    assert saved.submitted_by_id == lead.id
    [version] = saved.versions
    assert (version.number, version.saved_by_id, version.source) == (1, lead.id, "form")
    audited = db.session.scalars(
        sa.select(AuditEvent.table_name).where(AuditEvent.user_id == lead.id)
    ).all()
    assert {"monthly_return", "return_sector", "return_version"} <= set(audited)
    page = text(client.get(response.headers["Location"]))
    assert "is submitted" in page and "Submitted" in page and "First submitted" in page


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"job_starts": "-1"}, "job_starts", "Job starts must be a whole number, 0 or more"),
        ({"caseload": "4.5"}, "caseload", "Caseload must be a whole number, 0 or more"),
        ({"in_work": "41"}, "in_work", "In work must be no more than the caseload (40)"),
        (
            {"first_contact_within_4_weeks": "9"},
            "first_contact_within_4_weeks",
            "First contact within 4 weeks must be no more than the number new to the service (8)",
        ),
        (
            {"sector_retail": "1"},
            "sectors",
            "Job starts by sector add up to 2; they must add up to the job starts (3)",
        ),
        (
            {"sector_retail": "x"},
            "sector_retail",
            "Retail job starts must be a whole number, 0 or more",
        ),
        (
            {"employment_specialists_fte": "-1"},
            "employment_specialists_fte",
            "Employment specialists (full-time equivalent) must be a number, 0 or more",
        ),
        ({"referrals": ""}, "referrals", "Referrals is needed to submit"),
    ],
)
def test_each_error_shows_in_the_summary_and_at_its_field_and_nothing_is_saved(
    client, login_as, lead, site, db, change, field_id, message
):
    login_as(lead)
    response = post(client, site, FIGURES | SECTORS | change)
    assert response.status_code == 422
    page = text(response)
    assert "There is a problem" in page
    assert f'href="#{field_id}"' in page
    assert page.count(message) == 2, "once in the summary, once at the field"
    assert "<title>Error:" in page
    assert returns(db) == []


def test_sustained_jobs_are_checked_against_the_return_three_months_before(
    client, login_as, make, lead, site, db
):
    make.monthly_return(site, add_months(MONTH, -3), job_starts=1, sectors={"retail": 1})
    login_as(lead)
    response = post(client, site, FIGURES | SECTORS)
    assert response.status_code == 422
    expected = f"must be no more than the job starts of {add_months(MONTH, -3):%B %Y} (1)"
    assert f"Jobs sustained 13 weeks {expected}" in text(response)
    assert len(returns(db)) == 1


def test_a_future_month_has_no_form(client, login_as, lead, site):
    login_as(lead)
    future = add_months(date.today().replace(day=1), 1)
    assert client.get(form_path(site, f"{future:%Y-%m}")).status_code == 404
    assert client.get(form_path(site, "2024-13")).status_code == 404


def test_warnings_are_confirmed_before_the_return_is_saved(client, login_as, lead, site, db):
    login_as(lead)
    unusual = FIGURES | SECTORS | {"caseload": "60", "employment_specialists_fte": "2"}
    response = post(client, site, unusual)
    assert response.status_code == 422
    page = text(response)
    assert "Check these figures before you save them" in page
    assert "Caseload per specialist is 30.0, above 25" in page
    assert "I have checked these figures and they are right" in page
    assert returns(db) == []

    response = post(client, site, unusual | {"confirm_warnings": "y"})
    assert response.status_code == 302
    assert returns(db)[0].caseload == 60


def test_a_draft_may_be_incomplete_and_is_finished_later(client, login_as, lead, site, db):
    login_as(lead)
    response = post(client, site, {"caseload": "40", "referrals": ""}, action="draft")
    assert response.status_code == 302
    [draft] = returns(db)
    assert (draft.status, draft.caseload, draft.referrals) == ("draft", 40, None)
    assert draft.versions == []
    page = text(client.get(form_path(site)))
    assert "Draft" in page and 'value="40"' in page

    response = post(client, site, {"caseload": "40", "version": str(draft.version)})
    assert response.status_code == 422
    assert "Referrals is needed to submit" in text(response)

    response = post(client, site, FIGURES | SECTORS | {"version": str(draft.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert returns(db)[0].status == "submitted"


def test_an_amendment_keeps_the_previous_version_as_history(client, login_as, make, lead, site, db):
    login_as(lead)
    post(client, site, FIGURES | SECTORS)
    [saved] = returns(db)
    response = post(
        client,
        site,
        FIGURES
        | {"job_starts": "4", "sector_retail": "3", "sector_hospitality": "1"}
        | {"version": str(saved.version)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = returns(db)[0]
    assert (saved.status, saved.job_starts) == ("submitted", 4)
    versions = db.session.scalars(sa.select(ReturnVersion).order_by(ReturnVersion.number)).all()
    assert [v.figures["job_starts"] for v in versions] == [3, 4]
    assert versions[0].figures["sectors"] == {"hospitality": 1, "retail": 2}
    page = text(client.get(form_path(site)))
    assert "History of this return" in page
    assert "Job starts: 3 to 4" in page
    assert "Job starts in retail: 2 to 3" in page
    assert lead.name in page
    assert "Save amendment" in page and "Save as draft" not in page


def test_a_return_submitted_before_versions_were_kept_gets_its_first_version_on_amendment(
    client, login_as, make, lead, site, db
):
    old = make.monthly_return(site, MONTH, sectors={"retail": 3})
    login_as(lead)
    response = post(client, site, FIGURES | SECTORS | {"version": str(old.version)})
    assert response.status_code == 302
    versions = db.session.scalars(sa.select(ReturnVersion).order_by(ReturnVersion.number)).all()
    assert [(v.number, v.source) for v in versions] == [(1, "earlier"), (2, "form")]
    assert versions[0].figures["sectors"] == {"retail": 3}


def test_two_people_amending_at_once_the_second_gets_a_conflict(client, login_as, make, site, db):
    first, second = (make.user("site_lead", sites=[site]) for _ in range(2))
    original = make.monthly_return(site, MONTH, sectors={"retail": 3})
    read_version = str(original.version)

    login_as(first)
    response = post(client, site, FIGURES | SECTORS | {"version": read_version})
    assert response.status_code == 302

    login_as(second)
    clash = FIGURES | {"job_starts": "5", "sector_retail": "5"} | {"version": read_version}
    response = post(client, site, clash)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this return since you opened it" in page
    db.session.expire_all()
    saved = returns(db)[0]
    assert saved.job_starts == 3, "the first amendment stands"
    assert f'value="{saved.version}"' in page, "the form now carries the current version"


def test_another_sites_lead_cannot_open_or_post_the_form(client, login_as, make, site, db):
    login_as(make.user("site_lead", sites=[make.site()]))
    assert client.get(form_path(site)).status_code == 403
    assert post(client, site, FIGURES | SECTORS).status_code == 403
    assert returns(db) == []


@pytest.mark.parametrize("role", ["trainer", "funder"])
def test_trainers_and_funders_do_not_send_returns(client, login_as, make, site, role):
    login_as(make.user(role, sites=[site]) if role == "trainer" else make.user(role))
    assert client.get(form_path(site)).status_code == 403
    assert client.get("/returns/").status_code == 403


def test_the_returns_page_lists_a_leads_sites_with_their_recent_months(
    client, login_as, make, lead, site
):
    make.site(name="Someone else's service")
    make.monthly_return(site, MONTH)
    login_as(lead)
    page = text(client.get("/returns/"))
    assert "Riverside IPS" in page
    assert "Someone else" not in page
    assert f"{MONTH:%B %Y}" in page
    months_page = text(client.get(f"/sites/{site.id}/returns/"))
    assert f"/sites/{site.id}/returns/{SLUG}" in months_page
    assert "Submitted" in months_page


# --- the API: PUT /sites/{id}/returns/{YYYY-MM} ------------------------------------------------

BODY = {
    "referrals": 10,
    "caseload": 40,
    "new_to_service": 8,
    "first_contact_within_4_weeks": 6,
    "job_starts": 3,
    "in_work": 15,
    "sustained_13_weeks": 2,
    "employment_specialists_fte": 2.5,
    "discharges": 4,
    "sectors": {"retail": 2, "hospitality": 1},
    "submit": True,
}


def api_path(site, slug=SLUG):
    return f"/api/v1/sites/{site.id}/returns/{slug}"


def test_put_creates_then_amends(api, lead, site, db):
    caller = api(lead)
    response = caller.put(api_path(site), json=BODY)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["month"] == SLUG
    assert body["status"] == "submitted"
    assert body["job_starts"] == 3
    assert body["employment_specialists_fte"] == 2.5
    assert body["sectors"] == {"hospitality": 1, "retail": 2}
    assert body["warnings"] == []
    assert {"id", "version", "site_id"} <= set(body)

    amended = BODY | {"job_starts": 4, "sectors": {"retail": 4}, "version": body["version"]}
    response = caller.put(api_path(site), json=amended)
    assert response.status_code == 200, response.json
    assert response.json["job_starts"] == 4
    assert response.json["version"] > body["version"]
    assert len(returns(db)[0].versions) == 2


def test_put_a_draft_then_submit(api, lead, site, db):
    caller = api(lead)
    response = caller.put(api_path(site), json={"caseload": 40})
    assert response.status_code == 201
    assert response.json["status"] == "draft"
    assert response.json["referrals"] is None
    version = response.json["version"]
    response = caller.put(api_path(site), json=BODY | {"version": version})
    assert response.status_code == 200
    assert response.json["status"] == "submitted"


def test_put_answers_422_with_a_message_per_field_and_writes_nothing(api, lead, site, db):
    caller = api(lead)  # its token is audited too: count after it
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    bad = BODY | {"job_starts": -1, "in_work": 41, "caseload": 40, "sectors": {"mining": 1}}
    response = caller.put(api_path(site), json=bad)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["job_starts"] == ["must be a whole number, 0 or more"]
    assert error["fields"]["in_work"] == ["must be no more than the caseload (40)"]
    assert "unknown sector 'mining'" in error["fields"]["sectors"][0]
    assert returns(db) == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"caseload": "many"}, "caseload", "must be a whole number, 0 or more"),
        ({"caseload": True}, "caseload", "must be a whole number, 0 or more"),
        ({"job_starts": 2.5}, "job_starts", "must be a whole number, 0 or more"),
        (
            {"first_contact_within_4_weeks": 9},
            "first_contact_within_4_weeks",
            "must be no more than the number new to the service (8)",
        ),
        (
            {"sectors": {"retail": 1}},
            "sectors",
            "add up to 1; they must add up to the job starts (3)",
        ),
        ({"referrals": None}, "referrals", "is needed to submit: enter 0 if there were none"),
        ({"employment_specialists_fte": 1.234}, "employment_specialists_fte", "must have no more"),
        ({"submit": "perhaps"}, "submit", "Not a valid boolean."),
        ({"surprise": 1}, "surprise", "Unknown field."),
    ],
)
def test_put_rules_one_by_one(api, lead, site, db, change, field, message):
    response = api(lead).put(api_path(site), json=BODY | change)
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"][field][0].startswith(message)
    assert returns(db) == []


def test_put_checks_the_month(api, lead, site):
    future = add_months(date.today().replace(day=1), 1)
    response = api(lead).put(api_path(site, f"{future:%Y-%m}"), json=BODY)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["month"] == ["must not be in the future"]
    response = api(lead).put(api_path(site, "2024-13"), json=BODY)
    assert response.status_code == 422
    assert "month" in response.json["error"]["fields"]


def test_put_with_warnings_needs_confirm_warnings(api, lead, site, db):
    unusual = BODY | {"caseload": 60, "employment_specialists_fte": 2}
    response = api(lead).put(api_path(site), json=unusual)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert "confirm_warnings" in error["fields"]
    assert "Caseload per specialist is 30.0" in error["warnings"][0]
    assert returns(db) == []

    response = api(lead).put(api_path(site), json=unusual | {"confirm_warnings": True})
    assert response.status_code == 201
    assert "Caseload per specialist is 30.0" in response.json["warnings"][0]


def test_put_on_an_existing_return_needs_the_current_version(api, make, lead, site, db):
    existing = make.monthly_return(site, MONTH, sectors={"retail": 3})
    caller = api(lead)
    response = caller.put(api_path(site), json=BODY)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    response = caller.put(api_path(site), json=BODY | {"version": existing.version + 5})
    assert response.status_code == 409
    db.session.expire_all()
    assert returns(db)[0].sector_counts() == {"retail": 3}


def test_two_api_clients_amending_at_once_the_second_gets_409(api, make, site, db):
    existing = make.monthly_return(site, MONTH, sectors={"retail": 3})
    first = api(make.user("site_lead", sites=[site]))
    second = api(make.user("admin"))
    read = existing.version
    assert first.put(api_path(site), json=BODY | {"version": read}).status_code == 200
    response = second.put(api_path(site), json=BODY | {"job_starts": 5, "version": read})
    assert response.status_code == 409
    db.session.expire_all()
    assert returns(db)[0].job_starts == 3


def test_put_for_another_site_is_forbidden(api, make, site, db):
    other_lead = make.user("site_lead", sites=[make.site()])
    assert api(other_lead).put(api_path(site), json=BODY).status_code == 403
    assert api(make.user("trainer", sites=[site])).put(api_path(site), json=BODY).status_code == 403
    assert api(make.user("funder")).put(api_path(site), json=BODY).status_code == 403
    assert returns(db) == []
    assert api(make.user("admin")).put(api_path(site), json=BODY).status_code == 201


def test_put_to_an_unknown_site_is_404(api, lead):
    response = api(lead).put(f"/api/v1/sites/987654/returns/{SLUG}", json=BODY)
    assert response.status_code == 404


def test_sector_rows_follow_the_latest_figures(api, lead, site, db):
    caller = api(lead)
    created = caller.put(api_path(site), json=BODY).json
    caller.put(
        api_path(site),
        json=BODY | {"sectors": {"other": 3}, "version": created["version"]},
    )
    sectors = db.session.execute(sa.select(ReturnSector.sector, ReturnSector.job_starts)).all()
    assert sectors == [("other", 3)]


# --- where a site lead finds the return ---------------------------------------------------------


def test_the_site_page_flags_late_returns_and_links_senders_to_the_form(
    client, login_as, make, lead, site
):
    today = date.today()
    programme = make.programme(
        starts_on=add_months(today.replace(day=1), -6),
        ends_on=add_months(today.replace(day=1), 12),
    )
    make.participation(programme, site)
    oldest = add_months(today.replace(day=1), -6)
    make.monthly_return(site, add_months(oldest, 1))  # one month sent, the rest owed

    login_as(lead)
    page = text(client.get(f"/sites/{site.id}"))
    assert "Late returns" in page
    assert f"{oldest:%B %Y}, {add_months(oldest, 2):%B %Y}" in page
    assert "This month's return" in page

    login_as(make.user("trainer", sites=[site]))
    page = text(client.get(f"/sites/{site.id}"))
    assert "Late returns" in page
    assert "This month's return" not in page
