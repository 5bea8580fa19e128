"""POST /api/v1/sites/{id}/mentoring and the `mentored_by` and `mentoring` of GET /sites/{id}."""

from __future__ import annotations

import sqlalchemy as sa

from sites.models import Mentoring


def test_admin_records_a_mentoring_and_both_sites_show_it(api, make, db):
    centre, site = make.site(name="Bradford IPS"), make.site(name="Calderdale IPS")
    programme = make.programme()
    admin = api("admin")
    response = admin.post(
        f"/api/v1/sites/{centre.id}/mentoring",
        json={"mentee_site_id": site.id, "starts_on": "2016-09-01", "programme_id": programme.id},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mentor_site_id"] == centre.id
    assert body["mentee_site_id"] == site.id
    assert body["starts_on"] == "2016-09-01"
    assert body["ends_on"] is None
    assert body["programme_id"] == programme.id
    assert body["version"] == 1

    mentee = admin.get(f"/api/v1/sites/{site.id}").get_json()
    assert mentee["mentored_by"] == [
        {"site_id": centre.id, "name": "Bradford IPS", "starts_on": "2016-09-01", "ends_on": None}
    ]
    assert mentee["mentoring"] == []
    mentor = admin.get(f"/api/v1/sites/{centre.id}").get_json()
    assert mentor["mentoring"] == [
        {"site_id": site.id, "name": "Calderdale IPS", "starts_on": "2016-09-01", "ends_on": None}
    ]
    assert mentor["mentored_by"] == []


def test_only_admin_may_record_one(api, make, db):
    centre, site = make.site(), make.site()
    body = {"mentee_site_id": site.id, "starts_on": "2016-09-01"}
    for role in ("trainer", "site_lead", "funder"):
        caller = api(role, sites=[centre]) if role != "funder" else api(role)
        assert caller.post(f"/api/v1/sites/{centre.id}/mentoring", json=body).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentoring)) == 0


def test_bad_bodies_are_422_with_a_message_per_field_and_nothing_is_written(api, make, db):
    centre, site = make.site(), make.site()
    admin = api("admin")
    url = f"/api/v1/sites/{centre.id}/mentoring"
    cases = [
        ({"starts_on": "2016-09-01"}, "mentee_site_id"),
        ({"mentee_site_id": centre.id, "starts_on": "2016-09-01"}, "mentee_site_id"),
        ({"mentee_site_id": 987654, "starts_on": "2016-09-01"}, "mentee_site_id"),
        ({"mentee_site_id": 0, "starts_on": "2016-09-01"}, "mentee_site_id"),
        ({"mentee_site_id": site.id, "starts_on": "1989-12-31"}, "starts_on"),
        (
            {"mentee_site_id": site.id, "starts_on": "2016-09-01", "ends_on": "2016-08-31"},
            "ends_on",
        ),
        (
            {"mentee_site_id": site.id, "starts_on": "2016-09-01", "programme_id": 987654},
            "programme_id",
        ),
        ({"mentee_site_id": site.id, "starts_on": "2016-09-01", "note": "a\x00b"}, "note"),
    ]
    for body, field in cases:
        response = admin.post(url, json=body)
        assert response.status_code == 422, (body, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed"
        assert list(error["fields"]) == [field], body
    valid = {"mentee_site_id": site.id, "starts_on": "2016-09-01"}
    assert admin.post("/api/v1/sites/987654/mentoring", json=valid).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentoring)) == 0

    assert (
        admin.post(url, json={"mentee_site_id": site.id, "starts_on": "2016-09-01"}).status_code
        == 201
    )
    overlapping = admin.post(
        f"/api/v1/sites/{site.id}/mentoring",
        json={"mentee_site_id": centre.id, "starts_on": "2017-01-01"},
    )
    assert overlapping.status_code == 422
    assert list(overlapping.get_json()["error"]["fields"]) == ["starts_on"]
