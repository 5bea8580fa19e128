"""GET /api/v1/centres (any user) and GET /api/v1/centres/eligible (admin, trainer)."""

from __future__ import annotations

from datetime import date

import pytest

from core.months import add_months


@pytest.mark.parametrize("role", ["admin", "trainer", "site_lead", "funder"])
def test_every_user_reads_the_centres_now(api, centres, role):
    today = centres["today"]
    response = api(role).get("/api/v1/centres")
    assert response.status_code == 200
    assert response.json == {
        "items": [
            {
                "site_id": centres["bradford"].id,
                "name": "Bradford IPS",
                "organisation": centres["bradford"].organisation.name,
                "awarded_on": "2016-05-01",
                "next_review_due": "2020-03-01",
                "re_review_overdue": True,
                "mentees": [],
            },
            {
                "site_id": centres["sussex"].id,
                "name": "Sussex IPS",
                "organisation": "Sussex Partnership NHS FT",
                "awarded_on": "2012-06-01",
                "next_review_due": add_months(today, 24).isoformat(),
                "re_review_overdue": False,
                "mentees": [
                    {
                        "site_id": centres["hastings"].id,
                        "name": "Hastings IPS",
                        "starts_on": "2013-01-01",
                        "ends_on": None,
                    }
                ],
            },
        ]
    }


def test_no_centres_is_an_empty_list(api, db):
    assert api("funder").get("/api/v1/centres").json == {"items": []}


@pytest.mark.parametrize("role", ["admin", "trainer"])
def test_staff_and_trainers_read_the_sites_eligible(api, centres, role):
    response = api(role).get("/api/v1/centres/eligible")
    assert response.status_code == 200
    assert response.json["total"] == 3
    assert response.json["items"] == [
        {
            "site_id": centres["worcester"].id,
            "name": "Worcester IPS",
            "organisation": centres["worcester"].organisation.name,
            "region": "midlands",
            "reviewed_on": "2023-05-01",
            "total": 118,
            "band": "exemplary",
        },
        {
            "site_id": centres["lapsed"].id,
            "name": "Lapsed IPS",
            "organisation": centres["lapsed"].organisation.name,
            "region": "north-west",
            "reviewed_on": "2020-01-01",
            "total": 115,
            "band": "exemplary",
        },
        {
            "site_id": centres["good"].id,
            "name": "Edge Good IPS",
            "organisation": centres["good"].organisation.name,
            "region": "north-west",
            "reviewed_on": "2023-05-01",
            "total": 100,
            "band": "good",
        },
    ]


def test_eligible_pages(api, centres):
    response = api("admin").get("/api/v1/centres/eligible?per_page=2&page=2")
    assert response.json["page"] == 2 and response.json["per_page"] == 2
    assert [item["name"] for item in response.json["items"]] == ["Edge Good IPS"]
    bad = api("admin").get("/api/v1/centres/eligible?per_page=501")
    assert bad.status_code == 422
    assert "per_page" in bad.json["error"]["fields"]


@pytest.mark.parametrize("role", ["site_lead", "funder"])
def test_site_leads_and_funders_may_not_read_the_sites_eligible(api, centres, role):
    response = api(role).get("/api/v1/centres/eligible")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_a_centre_awarded_again_counts_from_its_new_award(api, make, db):
    site = make.site(name="Again IPS")
    make.designation(site, awarded_on=date(2010, 1, 1), ended_on=date(2012, 1, 1))
    make.designation(site, awarded_on=date(2024, 2, 1))
    make.fidelity_review(site, 117, date(2011, 6, 1))  # before the award held now
    (item,) = api("admin").get("/api/v1/centres").json["items"]
    assert item["awarded_on"] == "2024-02-01"
    assert item["next_review_due"] == "2027-02-01"
