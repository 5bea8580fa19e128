"""Each site's latest final review and the network fidelity profile: the means and below-4 counts
worked out by hand, the bands the sites list and programme pages read, the heatmap's order, the
page's filters, and a query count that does not grow with the network."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from accounts.scopes import programme_site_ids
from sites.models import Site
from tests.query_counter import count_queries
from training.fidelity import queries
from training.fidelity.charts import heatmap_chart, item_scores_chart, trajectory_chart
from training.fidelity.queries import ProfileFilters
from training.fidelity.scoring import review_total
from training.models import FidelityReview, FidelityScore

ALL_ITEMS = range(1, 26)


def scores(value: int, **by_item: int) -> dict[int, int]:
    found = dict.fromkeys(ALL_ITEMS, value)
    found.update({int(key.removeprefix("item_")): score for key, score in by_item.items()})
    return found


def add_review(db, site, reviewed_on, item_scores, status="final") -> FidelityReview:
    """A review written straight to the tables (the service is tested elsewhere)."""
    review = FidelityReview(
        site_id=site.id,
        reviewed_on=reviewed_on,
        kind="peer_review",
        lead_reviewer="Reviewer",
        status=status,
        total=review_total(item_scores) if status == "final" else None,
        scores=[FidelityScore(item=n, score=item_scores.get(n)) for n in ALL_ITEMS],
    )
    db.session.add(review)
    db.session.commit()
    return review


@pytest.fixture
def network(make, db):
    """Three sites with final reviews, and one with only a draft.

    Latest final reviews (older and draft reviews must not count):
    - Ashby (north-west, in the programme): all 4 but item 1 = 5, item 7 = 2 -> 99, fair
    - Bexley (london, in the programme): all 5 but item 7 = 3, item 12 = 1 -> 119, exemplary
    - Crewe (north-west): all 3 but item 7 = 5 -> 77, fair
    Item 1: 5, 5, 3 -> mean 4.33, 1 site below 4. Item 7: 2, 3, 5 -> 3.33, 2 below.
    Item 12: 4, 1, 3 -> 2.67, 2 below. Every other item: 4, 5, 3 -> 4.00, 1 below.
    """
    programme = make.programme()
    ashby = make.site(name="Ashby IPS", region="north-west")
    bexley = make.site(name="Bexley IPS", region="london")
    crewe = make.site(name="Crewe IPS", region="north-west")
    dover = make.site(name="Dover IPS", region="south-east")
    make.participation(programme, ashby)
    make.participation(programme, bexley)
    add_review(db, ashby, date(2020, 1, 10), scores(1))  # older: not counted
    add_review(db, ashby, date(2023, 3, 1), scores(4, item_1=5, item_7=2))
    add_review(db, bexley, date(2022, 6, 1), scores(5, item_7=3, item_12=1))
    add_review(db, bexley, date(2024, 2, 1), scores(1), status="draft")  # a draft: not counted
    add_review(db, crewe, date(2021, 1, 1), scores(3, item_7=5))
    add_review(db, dover, date(2024, 1, 1), scores(2), status="draft")
    return {
        "programme": programme,
        "ashby": ashby,
        "bexley": bexley,
        "crewe": crewe,
        "dover": dover,
    }


def by_number(profile) -> dict[int, tuple]:
    return {i.number: (i.mean, i.below_4) for i in profile.items}


# --- latest final reviews and bands -------------------------------------------------------------


def test_latest_bands_read_each_sites_latest_final_review(network, db):
    ids = [network[name].id for name in ("ashby", "bexley", "crewe", "dover")]
    with count_queries(db.engine) as statements:
        bands = queries.latest_bands(ids)
    assert len(statements) == 1
    assert bands == {
        network["ashby"].id: {"reviewed_on": date(2023, 3, 1), "total": 99, "band": "fair"},
        network["bexley"].id: {"reviewed_on": date(2022, 6, 1), "total": 119, "band": "exemplary"},
        network["crewe"].id: {"reviewed_on": date(2021, 1, 1), "total": 77, "band": "fair"},
    }
    assert queries.latest_fidelity(network["dover"].id) is None
    assert queries.latest_fidelity(network["crewe"].id)["total"] == 77


def test_two_reviews_on_one_day_the_later_recorded_counts(network, db):
    add_review(db, network["crewe"], date(2021, 1, 1), scores(2))  # 50: not IPS
    assert queries.latest_fidelity(network["crewe"].id) == {
        "reviewed_on": date(2021, 1, 1),
        "total": 50,
        "band": "not_ips",
    }


def test_the_latest_item_profile_of_a_site(network):
    detail = queries.latest_review_detail(network["ashby"].id)
    assert detail.review.reviewed_on == date(2023, 3, 1)
    assert (detail.total, detail.band, detail.change) == (99, "fair", 74)
    assert detail.scores[1] == 5 and detail.scores[7] == 2 and detail.scores[2] == 4
    assert detail.previous_scores == scores(1)
    assert queries.latest_review_detail(network["dover"].id) is None


def test_sites_in_a_band_is_a_select_of_ids(network, db):
    def ids(band):
        return set(db.session.scalars(queries.site_ids_in_band(band)))

    assert ids("fair") == {network["ashby"].id, network["crewe"].id}
    assert ids("exemplary") == {network["bexley"].id}
    assert ids("good") == set()
    assert ids("not_ips") == set()
    assert ids("bronze") == set()


# --- the profile --------------------------------------------------------------------------------


def test_the_network_profile_worked_by_hand(network):
    profile = queries.fidelity_profile()
    assert profile.sites == 3
    found = by_number(profile)
    assert found[1] == (4.33, 1)
    assert found[7] == (3.33, 2)
    assert found[12] == (2.67, 2)
    assert {found[n] for n in ALL_ITEMS if n not in (1, 7, 12)} == {(4.0, 1)}
    assert [i.number for i in profile.weakest_first()][:3] == [12, 7, 2]
    assert profile.weakest_first()[-1].number == 1
    assert (profile.items[6].section, profile.items[6].name) == ("organisation", "Vocational unit")


def test_the_profile_of_a_programme_a_region_and_both(network):
    programme = programme_site_ids(network["programme"].id)
    found = by_number(queries.fidelity_profile(ProfileFilters(site_ids=programme)))
    assert (found[1], found[7], found[12], found[2]) == ((5.0, 0), (2.5, 2), (2.5, 1), (4.5, 0))

    north_west = queries.fidelity_profile(ProfileFilters(region="north-west"))
    found = by_number(north_west)
    assert north_west.sites == 2
    assert (found[1], found[7], found[12]) == ((4.0, 1), (3.5, 1), (3.5, 1))

    both = queries.fidelity_profile(ProfileFilters(site_ids=programme, region="north-west"))
    assert both.sites == 1 and by_number(both)[7] == (2.0, 1)

    nobody = queries.fidelity_profile(ProfileFilters(region="wales"))
    assert nobody.sites == 0 and set(by_number(nobody).values()) == {(None, 0)}


def test_the_heatmap_puts_the_weakest_sites_and_items_first(network):
    heatmap = queries.fidelity_heatmap()
    assert [(s.name, s.total) for s in heatmap.sites] == [
        ("Crewe IPS", 77),
        ("Ashby IPS", 99),
        ("Bexley IPS", 119),
    ]
    assert [i.number for i in heatmap.items] == [
        12,
        7,
        *(n for n in ALL_ITEMS if n not in (1, 7, 12)),
        1,
    ]
    assert heatmap.scores[network["ashby"].id][7] == 2
    assert heatmap.scores[network["bexley"].id][12] == 1
    assert network["dover"].id not in heatmap.scores

    figure = json.loads(heatmap_chart(heatmap))
    trace = figure["data"][0]
    assert trace["type"] == "heatmap"
    assert trace["x"][:2] == [
        "12. Work incentives planning (benefits advice)",
        "7. Vocational unit",
    ]
    assert figure["layout"]["xaxis"]["ticktext"][:2] == ["12", "7"]
    assert trace["y"] == ["Crewe IPS (77)", "Ashby IPS (99)", "Bexley IPS (119)"]
    assert trace["z"][0][:2] == [3, 5]  # Crewe: item 12 scores 3, item 7 scores 5
    assert trace["hovertemplate"] == "%{y}<br>%{x}<br>Score: %{z}<extra></extra>"
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"


def test_heatmap_rows_that_would_share_a_label_name_their_site(make, db):
    first, second = make.site(name="Central IPS"), make.site(name="Central IPS")
    for site in (first, second):
        add_review(db, site, date(2023, 1, 1), scores(4))
    trace = json.loads(heatmap_chart(queries.fidelity_heatmap()))["data"][0]
    assert trace["y"] == [
        f"Central IPS (100, site {first.id})",
        f"Central IPS (100, site {second.id})",
    ]


def test_the_trajectory_chart_shades_the_four_bands(network):
    figure = json.loads(trajectory_chart(queries.site_trajectory(network["ashby"].id)))
    assert figure["data"][0]["y"] == [25, 99]
    assert figure["data"][0]["x"] == ["2020-01-10", "2023-03-01"]
    shapes = [(s["y0"], s["y1"], s["fillcolor"]) for s in figure["layout"]["shapes"]]
    assert [(low, high) for low, high, _ in shapes] == [(115, 125), (100, 115), (74, 100), (25, 74)]
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "Exemplary (115-125)",
        "Good (100-114)",
        "Fair (74-99)",
        "Not IPS (25-73)",
    ]


def test_the_item_chart_sets_a_review_beside_the_previous_one():
    figure = json.loads(item_scores_chart(scores(4, item_3=2), scores(3)))
    assert [t["name"] for t in figure["data"]] == ["This review", "Previous final review"]
    assert figure["data"][0]["y"][:3] == [4, 4, 2]
    assert figure["data"][1]["y"][:3] == [3, 3, 3]
    alone = json.loads(item_scores_chart({1: 5}))
    assert len(alone["data"]) == 1 and alone["data"][0]["y"][:2] == [5, None]


# --- a bounded number of queries ----------------------------------------------------------------


def grow(make, db, count: int) -> None:
    for n in range(count):
        site = make.site(region="midlands")
        add_review(db, site, date(2023, 1, 1), scores(2 + n % 4))


def test_the_profile_and_heatmap_cost_the_same_queries_for_3_and_30_sites(make, db):
    grow(make, db, 3)
    with count_queries(db.engine) as few:
        profile = queries.fidelity_profile()
        heatmap = queries.fidelity_heatmap(profile=profile)
        queries.latest_bands(None)
    assert (profile.sites, len(heatmap.sites)) == (3, 3)
    grow(make, db, 27)
    with count_queries(db.engine) as many:
        profile = queries.fidelity_profile()
        heatmap = queries.fidelity_heatmap(profile=profile)
        queries.latest_bands(None)
    assert (profile.sites, len(heatmap.sites)) == (30, 30)
    assert len(few) == len(many) == 5


def test_the_profile_page_costs_the_same_queries_for_3_and_30_sites(client, login_as, make, db):
    login_as("trainer")
    grow(make, db, 3)
    with count_queries(db.engine) as few:
        assert "3 sites with a final review" in text(client.get("/fidelity/profile"))
    grow(make, db, 27)
    with count_queries(db.engine) as many:
        assert "30 sites with a final review" in text(client.get("/fidelity/profile"))
    assert len(few) == len(many)
    assert len(many) <= 8


# --- the page -----------------------------------------------------------------------------------


def text(response) -> str:
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    return re.sub(r" ?> ?", ">", re.sub(r" <", "<", page))


def item_rows(page: str) -> list[list[str]]:
    """The cells of the items table (the first table on the page)."""
    table = page.split("<table", 2)[1]
    body = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_the_profile_page_shows_the_items_and_the_heatmap(client, login_as, network):
    login_as("admin")
    page = text(client.get("/fidelity/profile"))
    rows = item_rows(page)
    assert len(rows) == 25
    assert rows[0] == ["1", "Staffing", "Caseload size", "4.33", "1"]
    assert rows[6] == ["7", "Organisation", "Vocational unit", "3.33", "2"]
    assert rows[11][3:] == ["2.67", "2"]
    assert 'id="fidelity-heatmap"' in page and "Heatmap of the 25 item scores of 3 sites" in page
    weakest = item_rows(text(client.get("/fidelity/profile?order=weakest")))
    assert [row[0] for row in weakest[:3]] == ["12", "7", "2"]


def test_the_profile_page_filters_and_reports_bad_filters(client, login_as, network):
    login_as("trainer")
    programme = network["programme"].id
    page = text(client.get(f"/fidelity/profile?programme_id={programme}&region=north-west"))
    assert "1 site with a final review match the filters" in page
    assert item_rows(page)[6][3:] == ["2.00", "1"]

    page = text(client.get("/fidelity/profile?programme_id=987654&region=atlantis&order=sideways"))
    assert page.count('<a href="#programme_id">Choose a programme from the list</a>') == 1
    assert '<a href="#region">Choose a region from the list</a>' in page
    assert '<a href="#order">Choose an order from the list</a>' in page
    assert "<title>Error:" in page
    assert "3 sites with a final review." in page  # the bad filters are left out
    assert item_rows(page)[0][3:] == ["4.33", "1"]


def test_the_profile_page_with_no_reviews_says_so(client, login_as, make):
    make.site()
    login_as("admin")
    page = text(client.get("/fidelity/profile"))
    assert "No site has a final review yet." in page
    assert "fidelity-heatmap" not in page


def test_site_leads_and_funders_may_not_see_the_profile(client, login_as):
    for role in ("site_lead", "funder"):
        login_as(role)
        assert client.get("/fidelity/profile").status_code == 403


def test_the_heatmap_page_for_2000_sites_answers_with_the_same_queries(client, login_as, make, db):
    """Issue 5 asks for 2,000 sites: written with bulk inserts, then the page counted."""
    login_as("trainer")
    grow(make, db, 3)
    with count_queries(db.engine) as few:
        assert client.get("/fidelity/profile").status_code == 200
    organisation = make.organisation()
    site_rows = [
        {"organisation_id": organisation.id, "name": f"Bulk site {n}", "region": "midlands"}
        for n in range(1997)
    ]
    db.session.execute(sa.insert(Site), site_rows)
    site_ids = db.session.scalars(
        sa.select(Site.id).where(Site.organisation_id == organisation.id)
    ).all()
    review_rows = [
        {
            "site_id": site_id,
            "reviewed_on": date(2024, 1, 1),
            "kind": "external_review",
            "lead_reviewer": "Reviewer",
            "status": "final",
            "total": 75 + site_id % 25,
        }
        for site_id in site_ids
    ]
    db.session.execute(sa.insert(FidelityReview), review_rows)
    reviews = db.session.execute(
        sa.select(FidelityReview.id, FidelityReview.total).where(
            FidelityReview.site_id.in_(site_ids)
        )
    ).all()
    score_rows = [
        {"review_id": review_id, "item": item, "score": 3 + (1 if item <= total - 75 else 0)}
        for review_id, total in reviews
        for item in range(1, 26)
    ]
    db.session.execute(sa.insert(FidelityScore), score_rows)
    db.session.commit()

    with count_queries(db.engine) as many:
        response = client.get("/fidelity/profile")
    assert response.status_code == 200
    assert "2,000 sites with a final review" in text(response)
    assert len(few) == len(many)
