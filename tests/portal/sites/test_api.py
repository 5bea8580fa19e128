"""The JSON API for organisations, sites, designations and a site's returns (API.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from sites.models import Designation, Organisation, Site

ORGANISATION_KEYS = {"id", "name", "kind", "ods_code", "region", "version"}
SITE_KEYS = {
    "id",
    "organisation_id",
    "organisation_name",
    "name",
    "locality",
    "region",
    "launched_on",
    "closed_on",
    "latitude",
    "longitude",
    "centre_of_excellence",
    "version",
}
DETAIL_KEYS = SITE_KEYS | {"latest_fidelity", "programmes", "designations"}
DETAIL_KEYS |= {"mentored_by", "mentoring"}  # issue 17: who mentors the site, whom it mentors
DETAIL_KEYS |= {"next_review_due"}  # issue 17: by the review cadence
RETURN_KEYS = {
    "id",
    "site_id",
    "month",
    "status",
    "referrals",
    "caseload",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts",
    "in_work",
    "sustained_13_weeks",
    "employment_specialists_fte",
    "discharges",
    "sectors",
    "submitted_at",
    "first_submitted_at",
    "approved_at",
    "unusual_figures",
    "version",
}
NON_ADMINS = ["trainer", "site_lead", "funder"]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_fields(response) -> dict:
    body = response.get_json()
    assert body["error"]["code"] == "validation_failed", body
    return body["error"]["fields"]


# Authentication and the error shape


def test_no_token_is_401(client, db):
    response = client.get("/api/v1/sites")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401(client, db):
    response = client.get("/api/v1/sites", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"


def test_a_non_json_body_is_400(api, db):
    response = api("admin").post(
        "/api/v1/organisations", data="name=Trust", content_type="text/plain"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert count(db, Organisation) == 0


# Organisations


def test_organisations_list_is_paged_by_name(api, make):
    make.organisation(name="Cumbria Trust")
    make.organisation(name="Avon Trust", ods_code="RVN", kind="local_authority", region="london")
    make.organisation(name="Bradford Trust")
    response = api("funder").get("/api/v1/organisations?per_page=2")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 3)
    assert [o["name"] for o in body["items"]] == ["Avon Trust", "Bradford Trust"]
    first = body["items"][0]
    assert set(first) == ORGANISATION_KEYS
    assert first["kind"] == "local_authority"
    assert first["region"] == "london"
    assert first["ods_code"] == "RVN"
    assert first["version"] == 1
    second = api("trainer").get("/api/v1/organisations?per_page=2&page=2").get_json()
    assert [o["name"] for o in second["items"]] == ["Cumbria Trust"]


def test_admin_creates_an_organisation(api, db):
    body = {
        "name": "Bradford District Care NHS FT",
        "kind": "nhs_trust",
        "ods_code": "tad",
        "region": "north-east-and-yorkshire",
    }
    response = api("admin").post("/api/v1/organisations", json=body)
    assert response.status_code == 201
    created = response.get_json()
    assert set(created) == ORGANISATION_KEYS
    assert created["ods_code"] == "TAD"
    assert created["version"] == 1
    organisation = db.session.get(Organisation, created["id"])
    assert organisation.name == body["name"]
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name == "organisation")
    ).all()
    assert [event.action for event in audit] == ["create"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_may_create_an_organisation(api, db, role):
    body = {"name": "A trust", "kind": "nhs_trust", "region": "london"}
    response = api(role).post("/api/v1/organisations", json=body)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert count(db, Organisation) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nhs_trust", "region": "london"}, "name"),
        ({"name": "  ", "kind": "nhs_trust", "region": "london"}, "name"),
        ({"name": "A trust", "kind": "nhs_trust", "region": "yorkshire"}, "region"),
        ({"name": "A trust", "kind": "hospital", "region": "london"}, "kind"),
        (
            {"name": "A trust", "kind": "nhs_trust", "region": "london", "ods_code": "R-1"},
            "ods_code",
        ),
        ({"name": "A trust", "kind": "nhs_trust", "region": "london", "colour": "red"}, "colour"),
    ],
)
def test_bad_organisation_bodies_are_422_per_field(api, db, body, field):
    response = api("admin").post("/api/v1/organisations", json=body)
    assert response.status_code == 422
    fields = error_fields(response)
    assert field in fields
    assert all(isinstance(m, str) and m for m in fields[field])
    assert count(db, Organisation) == 0


def test_a_duplicate_ods_code_is_422(api, make, db):
    make.organisation(name="First", ods_code="RXE")
    body = {"name": "Second", "kind": "nhs_trust", "region": "london", "ods_code": "rxe"}
    response = api("admin").post("/api/v1/organisations", json=body)
    assert response.status_code == 422
    assert error_fields(response) == {"ods_code": ["Another organisation has this ODS code"]}
    assert count(db, Organisation) == 1


# Sites: the list


def test_site_list_shape(api, make):
    organisation = make.organisation(name="Blackpool Council")
    site = make.site(
        organisation=organisation,
        name="Blackpool IPS",
        locality="Blackpool",
        latitude=53.8,
        longitude=-3.05,
    )
    body = api("admin").get("/api/v1/sites").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 1)
    [item] = body["items"]
    assert set(item) == SITE_KEYS
    assert item == {
        "id": site.id,
        "organisation_id": organisation.id,
        "organisation_name": "Blackpool Council",
        "name": "Blackpool IPS",
        "locality": "Blackpool",
        "region": "north-west",
        "launched_on": "2015-04-01",
        "closed_on": None,
        "latitude": 53.8,
        "longitude": -3.05,
        "centre_of_excellence": False,
        "version": 1,
    }


def test_site_list_pages_in_sql(api, make):
    organisation = make.organisation()
    for n in range(60):
        make.site(organisation=organisation, name=f"Site {n:02d}")
    caller = api("admin")
    first = caller.get("/api/v1/sites").get_json()
    assert first["total"] == 60
    assert len(first["items"]) == 50
    assert [s["name"] for s in first["items"]][:3] == ["Site 00", "Site 01", "Site 02"]
    second = caller.get("/api/v1/sites?page=2").get_json()
    assert (second["page"], second["total"], len(second["items"])) == (2, 60, 10)
    assert second["items"][-1]["name"] == "Site 59"
    small = caller.get("/api/v1/sites?per_page=7&page=9").get_json()
    assert [s["name"] for s in small["items"]] == ["Site 56", "Site 57", "Site 58", "Site 59"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=501", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("region=yorkshire", "region"),
        ("band=excellent", "band"),
        ("programme_id=abc", "programme_id"),
        ("centre_of_excellence=perhaps", "centre_of_excellence"),
    ],
)
def test_bad_list_parameters_are_422(api, db, query, field):
    response = api("admin").get(f"/api/v1/sites?{query}")
    assert response.status_code == 422
    assert field in error_fields(response)


def test_site_list_filters(api, make):
    today = date.today()
    trust = make.organisation(name="Tees Esk and Wear Valleys")
    council = make.organisation(name="Blackpool Council", kind="local_authority")
    bradford = make.site(
        organisation=trust,
        name="Bradford IPS",
        locality="Bradford",
        region="north-east-and-yorkshire",
    )
    blackpool = make.site(organisation=council, name="Employment service", locality="Fylde")
    lincoln = make.site(organisation=trust, name="Lincoln IPS", region="midlands")
    former = make.site(organisation=trust, name="Former centre", region="midlands")
    make.designation(bradford, awarded_on=today - timedelta(days=400))
    make.designation(former, awarded_on=date(2016, 1, 1), ended_on=today)
    programme = make.programme(name="Making IPS Work")
    make.participation(programme, lincoln, left_on=date(2021, 6, 30))
    make.participation(programme, blackpool)
    other = make.programme(name="Improve")
    make.participation(other, bradford)
    caller = api("admin")

    def names(query: str) -> list[str]:
        body = caller.get(f"/api/v1/sites?{query}").get_json()
        assert body["total"] == len(body["items"])
        return [item["name"] for item in body["items"]]

    assert names("region=midlands") == ["Former centre", "Lincoln IPS"]
    assert names(f"programme_id={programme.id}") == ["Employment service", "Lincoln IPS"]
    assert names("programme_id=999999") == []
    assert names("centre_of_excellence=true") == ["Bradford IPS"]
    assert names("centre_of_excellence=false") == [
        "Bradford IPS",
        "Employment service",
        "Former centre",
        "Lincoln IPS",
    ]
    assert names("q=blackpool") == ["Employment service"]  # the organisation's name
    assert names("q=FYLDE") == ["Employment service"]  # the locality
    assert names("q=ips") == ["Bradford IPS", "Lincoln IPS"]
    assert names("q=100%25") == []  # a literal %, not a wildcard
    assert names("region=midlands&programme_id=" + str(programme.id)) == ["Lincoln IPS"]
    # No fidelity reviews exist yet, so no site has a band.
    for band in ("exemplary", "good", "fair", "not_ips"):
        assert names(f"band={band}") == []
    flags = {
        i["name"]: i["centre_of_excellence"] for i in caller.get("/api/v1/sites").json["items"]
    }
    assert flags == {
        "Bradford IPS": True,
        "Employment service": False,
        "Former centre": False,
        "Lincoln IPS": False,
    }


# Sites: scope


@pytest.fixture
def network(make):
    """Four sites: two in a funded programme, one assigned to a trainer, one led by a site lead."""
    funder = make.funder(name="Department of Health")
    programme = make.programme(name="Making IPS Work", funder=funder)
    sites = [make.site(name=f"Site {n}") for n in "ABCD"]
    make.participation(programme, sites[0])
    make.participation(programme, sites[1])
    other = make.programme(name="Elsewhere")
    make.participation(other, sites[2])
    return {"funder": funder, "programme": programme, "sites": sites}


@pytest.mark.parametrize(
    ("role", "visible"),
    [("admin", "ABCD"), ("trainer", "C"), ("site_lead", "D"), ("funder", "AB")],
)
def test_sites_are_scoped_by_role(api, make, network, role, visible):
    sites = network["sites"]
    scope = {
        "admin": {},
        "trainer": {"sites": [sites[2]]},
        "site_lead": {"sites": [sites[3]]},
        "funder": {"funder": network["funder"]},
    }[role]
    caller = api(role, **scope)
    body = caller.get("/api/v1/sites").get_json()
    assert [item["name"] for item in body["items"]] == [f"Site {n}" for n in visible]
    assert body["total"] == len(visible)
    for site in sites:
        expected = 200 if site.name[-1] in visible else 403
        assert caller.get(f"/api/v1/sites/{site.id}").status_code == expected
        assert caller.get(f"/api/v1/sites/{site.id}/returns").status_code == expected
    forbidden = caller.get(f"/api/v1/sites/{sites[0].id}") if "A" not in visible else None
    if forbidden is not None:
        assert forbidden.get_json()["error"]["code"] == "forbidden"


def test_an_ended_assignment_no_longer_scopes(api, make, db):
    from training.models import Assignment

    site = make.site()
    trainer = make.user("trainer")
    db.session.add(
        Assignment(
            user_id=trainer.id,
            site_id=site.id,
            starts_on=date(2019, 1, 1),
            ends_on=date(2020, 1, 1),
        )
    )
    db.session.commit()
    caller = api(trainer)
    assert caller.get("/api/v1/sites").get_json()["total"] == 0
    assert caller.get(f"/api/v1/sites/{site.id}").status_code == 403


# Sites: one site


def test_site_detail_shape(api, make):
    today = date.today()
    organisation = make.organisation(name="Bradford District Care NHS FT")
    site = make.site(
        organisation=organisation,
        name="Bradford IPS",
        locality="Bradford",
        region="north-east-and-yorkshire",
        launched_on=date(2015, 4, 1),
    )
    award = make.designation(site, awarded_on=date(2019, 5, 1))
    old = make.programme(
        name="Making IPS Work", starts_on=date(2015, 4, 1), ends_on=date(2018, 3, 31)
    )
    new = make.programme(name="Improve")
    make.participation(
        old, site, joined_on=date(2015, 4, 1), left_on=date(2018, 3, 31), site_target=60
    )
    make.participation(new, site, joined_on=date(2020, 1, 1))
    response = api("admin").get(f"/api/v1/sites/{site.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == DETAIL_KEYS
    assert body["id"] == site.id
    assert body["name"] == "Bradford IPS"
    assert body["organisation_id"] == organisation.id
    assert body["organisation_name"] == "Bradford District Care NHS FT"
    assert body["region"] == "north-east-and-yorkshire"
    assert body["launched_on"] == "2015-04-01"
    assert body["centre_of_excellence"] is (award.awarded_on <= today)
    assert body["latest_fidelity"] is None
    assert body["version"] == 1
    assert body["programmes"] == [
        {
            "id": old.id,
            "name": "Making IPS Work",
            "joined_on": "2015-04-01",
            "left_on": "2018-03-31",
            "site_target": 60,
        },
        {
            "id": new.id,
            "name": "Improve",
            "joined_on": "2020-01-01",
            "left_on": None,
            "site_target": None,
        },
    ]
    assert body["designations"] == [
        {
            "id": award.id,
            "site_id": site.id,
            "awarded_on": "2019-05-01",
            "ended_on": None,
            "version": 1,
        },
    ]


def test_an_ended_award_is_not_a_centre_of_excellence(api, make):
    site = make.site()
    make.designation(site, awarded_on=date(2016, 1, 1), ended_on=date(2019, 1, 1))
    body = api("admin").get(f"/api/v1/sites/{site.id}").get_json()
    assert body["centre_of_excellence"] is False
    assert len(body["designations"]) == 1


@pytest.mark.parametrize("path", ["/api/v1/sites/999999", "/api/v1/sites/99999999999999999999"])
def test_an_unknown_site_is_404(api, db, path):
    response = api("admin").get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# Sites: writes


def site_body(organisation: Organisation, **fields) -> dict:
    return {
        "organisation_id": organisation.id,
        "name": "Worcestershire IPS",
        "locality": "Worcester",
        "region": "midlands",
        "launched_on": "2014-06-01",
        "latitude": 52.19,
        "longitude": -2.22,
    } | fields


def test_admin_creates_a_site(api, make, db):
    organisation = make.organisation(name="Herefordshire and Worcestershire Health and Care")
    response = api("admin").post("/api/v1/sites", json=site_body(organisation))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == DETAIL_KEYS
    assert body["id"] == db.session.scalar(sa.select(Site.id))
    assert body["version"] == 1
    assert body["name"] == "Worcestershire IPS"
    assert body["closed_on"] is None
    assert body["programmes"] == [] and body["designations"] == []
    assert body["centre_of_excellence"] is False


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_may_write_sites(api, make, db, role):
    organisation = make.organisation()
    site = make.site(organisation=organisation)
    scope = {"sites": [site]} if role in {"trainer", "site_lead"} else {}
    caller = api(role, **scope)
    assert caller.post("/api/v1/sites", json=site_body(organisation)).status_code == 403
    assert (
        caller.patch(f"/api/v1/sites/{site.id}", json={"name": "X", "version": 1}).status_code
        == 403
    )
    designation = {"awarded_on": "2020-01-01"}
    assert caller.post(f"/api/v1/sites/{site.id}/designations", json=designation).status_code == 403
    assert count(db, Site) == 1
    assert count(db, Designation) == 0
    assert db.session.get(Site, site.id).name != "X"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"region": "yorkshire"}, "region"),
        ({"launched_on": "2020-05-01", "closed_on": "2019-05-01"}, "closed_on"),
        ({"launched_on": "01/05/2020"}, "launched_on"),
        ({"organisation_id": 999999}, "organisation_id"),
        ({"organisation_id": "1"}, "organisation_id"),
        ({"latitude": 95}, "latitude"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00"}, "name"),
    ],
)
def test_bad_site_bodies_are_422_and_write_nothing(api, make, db, fields, field):
    organisation = make.organisation()
    body = {k: v for k, v in site_body(organisation, **fields).items() if v is not None}
    response = api("admin").post("/api/v1/sites", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert count(db, Site) == 0


def test_a_duplicate_site_name_in_an_organisation_is_422(api, make, db):
    organisation = make.organisation()
    make.site(organisation=organisation, name="Worcestershire IPS")
    response = api("admin").post("/api/v1/sites", json=site_body(organisation))
    assert response.status_code == 422
    assert "name" in error_fields(response)
    assert count(db, Site) == 1


def test_patch_a_site_with_its_version(api, make, db):
    site = make.site(name="Old name", launched_on=date(2015, 4, 1))
    caller = api("admin")
    response = caller.patch(
        f"/api/v1/sites/{site.id}",
        json={"name": "New name", "closed_on": "2023-03-31", "version": 1},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == DETAIL_KEYS
    assert (body["name"], body["closed_on"], body["version"]) == ("New name", "2023-03-31", 2)
    assert body["launched_on"] == "2015-04-01"  # untouched
    db.session.expire_all()
    assert db.session.get(Site, site.id).name == "New name"


def test_a_stale_patch_is_409_and_changes_nothing(api, make, db):
    site = make.site(name="Old name")
    caller = api("admin")
    assert (
        caller.patch(f"/api/v1/sites/{site.id}", json={"locality": "A", "version": 1}).status_code
        == 200
    )
    response = caller.patch(f"/api/v1/sites/{site.id}", json={"name": "Lost", "version": 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    db.session.expire_all()
    stored = db.session.get(Site, site.id)
    assert (stored.name, stored.locality, stored.version) == ("Old name", "A", 2)


def test_a_patch_needs_a_version_and_valid_dates(api, make, db):
    site = make.site(launched_on=date(2015, 4, 1))
    caller = api("admin")
    response = caller.patch(f"/api/v1/sites/{site.id}", json={"name": "New"})
    assert response.status_code == 422
    assert "version" in error_fields(response)
    response = caller.patch(
        f"/api/v1/sites/{site.id}", json={"closed_on": "2014-01-01", "version": 1}
    )
    assert response.status_code == 422
    assert "closed_on" in error_fields(response)
    db.session.expire_all()
    assert db.session.get(Site, site.id).closed_on is None


def test_patch_an_unknown_site_is_404(api, db):
    response = api("admin").patch("/api/v1/sites/999999", json={"name": "X", "version": 1})
    assert response.status_code == 404


# Designations


def test_admin_records_a_designation(api, make, db):
    site = make.site()
    response = api("admin").post(
        f"/api/v1/sites/{site.id}/designations", json={"awarded_on": "2019-05-01"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "site_id", "awarded_on", "ended_on", "version"}
    assert (body["site_id"], body["awarded_on"], body["ended_on"], body["version"]) == (
        site.id,
        "2019-05-01",
        None,
        1,
    )
    assert api("funder").get("/api/v1/sites?centre_of_excellence=true").json["total"] == 0
    assert api("admin").get("/api/v1/sites?centre_of_excellence=true").json["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "awarded_on"),
        ({"awarded_on": "2020-13-01"}, "awarded_on"),
        ({"awarded_on": "2020-01-01", "ended_on": "2019-01-01"}, "ended_on"),
        ({"awarded_on": (date.today() + timedelta(days=30)).isoformat()}, "awarded_on"),
    ],
)
def test_bad_designations_are_422(api, make, db, body, field):
    site = make.site()
    response = api("admin").post(f"/api/v1/sites/{site.id}/designations", json=body)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert count(db, Designation) == 0


def test_a_designation_for_an_unknown_site_is_404(api, db):
    response = api("admin").post(
        "/api/v1/sites/999999/designations", json={"awarded_on": "2019-05-01"}
    )
    assert response.status_code == 404
    assert count(db, Designation) == 0


# Returns


def test_returns_oldest_first_with_every_figure(api, make):
    site = make.site()
    for month in (date(2023, 3, 1), date(2023, 1, 1), date(2023, 2, 1)):
        make.monthly_return(
            site,
            month,
            job_starts=3,
            sectors={"retail": 1, "construction": 2},
            employment_specialists_fte=Decimal("2.50"),
        )
    make.monthly_return(site, date(2023, 4, 1), status="draft", job_starts=0)
    other = make.site()
    make.monthly_return(other, date(2023, 2, 1))
    body = api("admin").get(f"/api/v1/sites/{site.id}/returns").get_json()
    assert body["total"] == 4
    assert [item["month"] for item in body["items"]] == [
        "2023-01",
        "2023-02",
        "2023-03",
        "2023-04",
    ]
    first = body["items"][0]
    assert set(first) == RETURN_KEYS
    assert first == first | {
        "site_id": site.id,
        "status": "submitted",
        "referrals": 10,
        "caseload": 40,
        "new_to_service": 8,
        "first_contact_within_4_weeks": 6,
        "job_starts": 3,
        "in_work": 15,
        "sustained_13_weeks": 2,
        "employment_specialists_fte": 2.5,
        "discharges": 4,
        "sectors": {"construction": 2, "retail": 1},
        "version": 1,
    }
    assert isinstance(first["employment_specialists_fte"], float)
    assert body["items"][3]["status"] == "draft"
    assert body["items"][3]["sectors"] == {}


def test_a_funder_lists_approved_returns_only(api, make):
    funder = make.funder()
    site = make.site()
    make.participation(make.programme(funder=funder), site, joined_on=date(2022, 1, 1))
    for month, status in ((1, "approved"), (2, "submitted"), (3, "returned"), (4, "draft")):
        make.monthly_return(site, date(2023, month, 1), status=status)
    as_funder = api("funder", funder=funder).get(f"/api/v1/sites/{site.id}/returns").get_json()
    assert [(r["month"], r["status"]) for r in as_funder["items"]] == [("2023-01", "approved")]
    assert as_funder["total"] == 1
    as_admin = api("admin").get(f"/api/v1/sites/{site.id}/returns").get_json()
    assert as_admin["total"] == 4


def test_returns_between_months(api, make):
    site = make.site()
    for month in range(1, 13):
        make.monthly_return(site, date(2022, month, 1))
    caller = api("admin")
    body = caller.get(f"/api/v1/sites/{site.id}/returns?from=2022-03&to=2022-05").get_json()
    assert [item["month"] for item in body["items"]] == ["2022-03", "2022-04", "2022-05"]
    assert body["total"] == 3
    body = caller.get(f"/api/v1/sites/{site.id}/returns?from=2022-11").get_json()
    assert [item["month"] for item in body["items"]] == ["2022-11", "2022-12"]
    body = caller.get(f"/api/v1/sites/{site.id}/returns?to=2022-02&per_page=1").get_json()
    assert ([i["month"] for i in body["items"]], body["total"]) == (["2022-01"], 2)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2022-13", "from"),
        ("from=2022-1", "from"),
        ("to=2022-03-01", "to"),
        ("from=2022-05&to=2022-03", "to"),
        ("per_page=1000", "per_page"),
    ],
)
def test_bad_return_months_are_422(api, make, query, field):
    site = make.site()
    response = api("admin").get(f"/api/v1/sites/{site.id}/returns?{query}")
    assert response.status_code == 422
    assert field in error_fields(response)


def test_returns_of_an_unknown_site_are_404(api, db):
    assert api("admin").get("/api/v1/sites/999999/returns").status_code == 404


def test_the_openapi_document_lists_these_endpoints(api):
    paths = api("funder").get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/organisations"])
    assert {"get", "post"} <= set(paths["/api/v1/sites"])
    assert {"get", "patch"} <= set(paths["/api/v1/sites/{site_id}"])
    assert "post" in paths["/api/v1/sites/{site_id}/designations"]
    assert "get" in paths["/api/v1/sites/{site_id}/returns"]
