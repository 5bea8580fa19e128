"""Live fidelity indicators through the database: the API, the site page's "Between reviews",
the trainer's home, and the drifting sites read in one query for any number of sites."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.query_counter import count_queries
from training.fidelity.indicators.queries import drifting_sites, site_indicators
from training.models import FidelityScore

KEYS = {
    "months",
    "caseload_per_specialist",
    "caseload_item_score",
    "contact_within_4_weeks",
    "drift",
}


def set_item_score(db, review, item: int, score: int) -> None:
    db.session.execute(
        sa.update(FidelityScore)
        .where(FidelityScore.review_id == review.id, FidelityScore.item == item)
        .values(score=score)
    )
    db.session.commit()


def drifting_site(make, db, **site_fields):
    """A site scored 5 on caseload at its last final review, now at 30 per specialist (3)."""
    site = make.site(**site_fields)
    make.fidelity_review(site, 125, date(2024, 6, 1))
    make.monthly_return(site, date(2025, 1, 1), caseload=20)  # older than the last 3
    for month in (2, 3, 4):
        make.monthly_return(site, date(2025, month, 1), caseload=60)  # 2.0 FTE: 30 each
    return site


def url(site) -> str:
    return f"/api/v1/sites/{site.id}/fidelity-indicators"


def test_the_last_three_months_scored_and_drifting(api, make, db):
    site = drifting_site(make, db)
    answer = api("admin").get(url(site))
    assert answer.status_code == 200
    assert answer.json == {
        "months": ["2025-02", "2025-03", "2025-04"],
        "caseload_per_specialist": 30.0,
        "caseload_item_score": 3,
        "contact_within_4_weeks": 0.75,  # 6 of 8 new to the service each month
        "drift": [1],
    }


def test_no_drift_at_or_above_the_reviews_score(api, make, db):
    site = drifting_site(make, db)
    review = make.fidelity_review(site, 75, date(2024, 12, 1))  # the last final review now
    set_item_score(db, review, 1, 3)
    make.fidelity_review(site, 125, date(2025, 3, 1), status="draft")  # drafts do not count
    assert api("admin").get(url(site)).json["drift"] == []


@pytest.mark.parametrize(
    ("caseload", "score"), [(20, 5), (21, 4), (25, 4), (26, 3), (30, 3), (40, 2), (41, 1)]
)
def test_every_bound_of_the_caseload_anchors(api, make, caseload, score):
    site = make.site()
    make.monthly_return(site, date(2025, 5, 1), caseload=caseload, employment_specialists_fte=1)
    answer = api("admin").get(url(site)).json
    assert (answer["caseload_per_specialist"], answer["caseload_item_score"]) == (caseload, score)
    assert answer["drift"] == []  # no final review to drift from


def test_a_fraction_above_a_bound_scores_below_it(api, make):
    site = make.site()
    make.monthly_return(
        site, date(2025, 5, 1), caseload=41, employment_specialists_fte=Decimal("2.00")
    )
    answer = api("admin").get(url(site)).json
    assert (answer["caseload_per_specialist"], answer["caseload_item_score"]) == (20.5, 4)


def test_no_returns_give_nulls_never_a_score(api, make, db):
    site = make.site()
    make.fidelity_review(site, 125, date(2024, 6, 1))
    make.monthly_return(site, date(2025, 5, 1), status="draft", caseload=400)
    make.monthly_return(site, date(2025, 6, 1), status="returned", caseload=400)
    assert api("admin").get(url(site)).json == {
        "months": [],
        "caseload_per_specialist": None,
        "caseload_item_score": None,
        "contact_within_4_weeks": None,
        "drift": [],
    }


def test_approved_returns_count_and_no_specialist_time_gives_no_score(api, make):
    site = make.site()
    make.monthly_return(
        site,
        date(2025, 5, 1),
        status="approved",
        employment_specialists_fte=0,
        new_to_service=0,
        first_contact_within_4_weeks=0,
    )
    answer = api("admin").get(url(site)).json
    assert answer["months"] == ["2025-05"]
    assert answer["caseload_per_specialist"] is None and answer["caseload_item_score"] is None
    assert answer["contact_within_4_weeks"] is None


def test_scoped_and_not_for_funders(api, make):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site, other = make.site(), make.site()
    make.participation(programme, site)
    assert api("funder", funder=funder).get(url(site)).status_code == 403
    assert api("site_lead", sites=[site]).get(url(site)).status_code == 200
    assert api("site_lead", sites=[site]).get(url(other)).status_code == 403
    assert api("trainer", sites=[site]).get(url(site)).json.keys() == KEYS
    assert api("trainer", sites=[site]).get(url(other)).status_code == 403
    missing = api("admin").get("/api/v1/sites/987654/fidelity-indicators")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_drifting_sites_cost_one_query_for_any_number(make, db):
    def build(count: int) -> list[int]:
        ids = [drifting_site(make, db).id for _ in range(count)]
        steady = make.site()
        make.fidelity_review(steady, 125, date(2024, 6, 1))
        make.monthly_return(steady, date(2025, 4, 1))  # 20 per specialist: still 5
        never_reviewed = make.site()
        make.monthly_return(never_reviewed, date(2025, 4, 1), caseload=90)
        return [*ids, steady.id, never_reviewed.id]

    counts = []
    for count in (2, 12):
        ids = build(count)
        with count_queries(db.engine) as statements:
            found = drifting_sites(ids)
        counts.append(len(statements))
        assert {site.site_id for site in found} == set(ids[:count])
        assert [site.name for site in found] == sorted(site.name for site in found)
        assert all((s.caseload_item_score, s.review_score) == (3, 5) for s in found)
    assert counts == [1, 1]
    assert {site.site_id for site in drifting_sites(None)} >= set(ids[:12])


def test_the_site_page_shows_the_indicators_beside_the_review(client, login_as, make, db):
    site = drifting_site(make, db, name="Bradford IPS")
    site_id = site.id
    with count_queries(db.engine) as statements:
        found = site_indicators(site_id)
    assert len(statements) == 2
    assert [m.month.month for m in found.by_month] == [1, 2, 3, 4]
    assert found.review.scores == {1: 5, 15: 5}
    login_as("admin")
    page = client.get(f"/sites/{site_id}").get_data(as_text=True)
    section = page[page.index('id="between-reviews"') :]
    assert "Caseload has drifted since the last review" in section
    assert "30.0 people per full-time employment specialist scores 3" in section
    assert "February 2025 to April 2025" in section
    assert "January 2025" in section  # the table by month reads further back


def test_the_site_page_without_returns_says_so_and_funders_see_no_section(
    client, login_as, make, db
):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site = make.site()
    make.participation(programme, site)
    login_as("admin")
    page = client.get(f"/sites/{site.id}").get_data(as_text=True)
    assert "there are no live indicators" in page
    assert "has drifted" not in page
    drifted = drifting_site(make, db)
    make.participation(programme, drifted)
    login_as("funder", funder=funder)
    page = client.get(f"/sites/{drifted.id}").get_data(as_text=True)
    assert client.get(f"/sites/{drifted.id}").status_code == 200
    assert "Between reviews" not in page and "has drifted" not in page


def test_the_trainers_home_lists_their_drifting_sites(client, login_as, make, db):
    mine, steady, elsewhere = drifting_site(make, db, name="Leeds IPS"), make.site(), None
    make.fidelity_review(steady, 125, date(2024, 6, 1))
    make.monthly_return(steady, date(2025, 4, 1))
    elsewhere = drifting_site(make, db, name="Hull IPS")
    login_as("trainer", sites=[mine, steady])
    page = client.get("/").get_data(as_text=True)
    section = page[page.index("Sites drifting since their last review") :]
    assert "(1)" in section[:80]
    assert "Leeds IPS" in section and "below the 5 of the review on 1 June 2024" in section
    assert elsewhere.name not in page and steady.name not in section
