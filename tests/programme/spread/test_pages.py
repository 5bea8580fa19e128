"""How IPS spread through the pages and the API: the spread by year, the lineage of mentoring
and the map's year control, on both databases, with their query counts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from programme.models import ProgrammePartner
from sites.models import Mentoring
from tests.query_counter import count_queries

TODAY = date.today()
NOTE = "Staff only: weekly calls with the team leader"


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def network(make, db):
    """Ashby launched 2022, a Centre from 2023, mentors Bexley (2023, in the programme), which
    mentors Crewe in turn (2024). Ashby was Good by the end of 2022; Bexley Fair. Crewe is in
    the south-west, the others in the north-west. The charity leads the programme, in which
    Bexley is a pilot."""
    charity = make.organisation(name="The charity", kind="voluntary", region="london")
    ashby = make.site(name="Ashby IPS", launched_on=date(2022, 3, 1), latitude=53.5, longitude=-2.2)
    bexley = make.site(
        name="Bexley IPS", launched_on=date(2023, 6, 1), latitude=53.6, longitude=-2.1
    )
    crewe = make.site(
        name="Crewe IPS", launched_on=date(2024, 2, 1), region="south-west", latitude=50.7,
        longitude=-3.5,
    )  # fmt: skip
    make.designation(ashby, awarded_on=date(2023, 5, 1))
    make.fidelity_review(ashby, 104, date(2022, 9, 1))
    make.fidelity_review(bexley, 90, date(2024, 1, 1))
    programme = make.programme(name="Seeding", lead_organisation_id=charity.id)
    make.participation(programme, bexley, joined_on=date(2023, 6, 1), role="pilot")
    db.session.add_all(
        [
            Mentoring(
                mentor_site_id=ashby.id,
                mentee_site_id=bexley.id,
                starts_on=date(2023, 6, 1),
                programme_id=programme.id,
                note=NOTE,
            ),
            Mentoring(
                mentor_site_id=bexley.id, mentee_site_id=crewe.id, starts_on=date(2024, 2, 1)
            ),
            ProgrammePartner(programme_id=programme.id, organisation_id=ashby.organisation_id),
        ]
    )
    db.session.commit()
    return {"ashby": ashby, "bexley": bexley, "crewe": crewe, "programme": programme}


def test_the_api_counts_each_year(network, api):
    response = api("funder").get("/api/v1/network/spread")
    assert response.status_code == 200
    years = response.get_json()["years"]
    assert [y["year"] for y in years] == list(range(2022, TODAY.year + 1))
    assert years[:3] == [
        {"year": 2022, "sites_launched": 1, "active_sites": 1, "good_or_better": 1, "centres": 0},
        {"year": 2023, "sites_launched": 1, "active_sites": 2, "good_or_better": 1, "centres": 1},
        {"year": 2024, "sites_launched": 1, "active_sites": 3, "good_or_better": 1, "centres": 1},
    ]


def test_the_api_with_no_sites_answers_no_years(db, api):
    assert api("trainer").get("/api/v1/network/spread").get_json() == {"years": []}


def test_the_spread_page_has_its_chart_and_table_for_a_funder(network, login_as, client):
    login_as("funder")
    html = page(client, "/network/spread")
    assert 'data-figure-id="network-spread-chart-data"' in html
    figures = text(html)
    assert "2023 1 2 1 1" in figures  # the table: launched, active, good or better, Centres
    assert f"{TODAY.year} (so far)" in figures
    assert 'href="/network/lineage"' in html


def test_the_network_page_links_the_spread(db, login_as, client):
    login_as("site_lead")
    html = page(client, "/network")
    assert 'href="/network/spread"' in html and 'href="/network/lineage"' in html


def test_the_lineage_shows_who_seeded_whom(network, login_as, client):
    login_as("admin")
    html = page(client, "/network/lineage")
    shown = text(html)
    # The Centre, its mentee, and the mentee's own mentee nested under it.
    centres = shown[shown.index("Centres of Excellence Ashby IPS") :]
    assert re.search(r"Bexley IPS .*: mentored from June 2023, still going \(Seeding\)", centres)
    assert centres.index("Bexley IPS") < centres.index("Crewe IPS")
    assert html.count("<ul") >= 3  # nested lists
    # The lead organisation, its programme and the pilot site, with whom it mentored.
    leads = shown[shown.index("Lead organisations") : shown.index("Centres of Excellence Ashby")]
    assert "The charity Leads Seeding" in leads and "pilot, from June 2023" in leads
    assert "Crewe IPS" in leads
    assert NOTE not in html


def test_the_lineage_filters_by_programme_and_region(network, login_as, client):
    login_as("admin")
    in_programme = text(page(client, f"/network/lineage?programme_id={network['programme'].id}"))
    assert "Bexley IPS" in in_programme and "Crewe IPS" not in in_programme  # not in Seeding
    south_west = text(page(client, "/network/lineage?region=south-west"))
    # Crewe and the path that led to it: Ashby, then Bexley.
    assert "Ashby IPS" in south_west and "Bexley IPS" in south_west and "Crewe IPS" in south_west
    london = text(page(client, "/network/lineage?region=london"))
    assert "No lead organisation or Centre of Excellence matches the filters" in london


def test_the_lineage_refuses_an_unknown_filter_with_a_message(network, login_as, client):
    login_as("funder")  # the programme is not its funder's
    shown = text(page(client, f"/network/lineage?programme_id={network['programme'].id}&region=x"))
    assert "Choose a programme from the list" in shown
    assert "Choose a region from the list" in shown
    assert "Seeding" not in shown  # nor is the programme it may not read named
    assert NOTE not in shown


def test_the_lineage_survives_a_cycle(network, login_as, client, db):
    db.session.add(
        Mentoring(
            mentor_site_id=network["crewe"].id,
            mentee_site_id=network["ashby"].id,
            starts_on=date(2025, 1, 1),
        )
    )
    db.session.commit()
    login_as("admin")
    assert "already shown above" in page(client, "/network/lineage")


def more_sites(make, db, n: int) -> None:
    """`n` more sites, each reviewed, every third a Centre mentoring the next."""
    charity = make.organisation(region="london")
    programme = make.programme(lead_organisation_id=charity.id)
    previous = None
    for i in range(n):
        site = make.site(launched_on=date(2016 + i % 8, 1, 1), latitude=52.0, longitude=-1.0)
        make.fidelity_review(site, 100 + i, date(2024, 1, 1))
        make.participation(programme, site)
        if i % 3 == 0:
            make.designation(site, awarded_on=date(2020, 1, 1))
        if previous is not None:
            db.session.add(
                Mentoring(
                    mentor_site_id=previous.id, mentee_site_id=site.id, starts_on=date(2024, 1, 1)
                )
            )
        previous = site
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    ["/network/spread", "/network/lineage", "/network/lineage?region=midlands", "/map?year=2020"],
)
def test_the_pages_cost_the_same_queries_for_2_sites_as_for_12(path, make, db, client, login_as):
    login_as("funder")
    more_sites(make, db, 2)
    with count_queries(db.engine) as few:
        page(client, path)
    more_sites(make, db, 10)
    with count_queries(db.engine) as many:
        page(client, path)
    assert len(few) == len(many), "\n".join(many)


def test_the_api_costs_the_same_queries_for_2_sites_as_for_12(make, db, api):
    caller = api("admin")
    more_sites(make, db, 2)
    with count_queries(db.engine) as few:
        caller.get("/api/v1/network/spread")
    more_sites(make, db, 10)
    with count_queries(db.engine) as many:
        caller.get("/api/v1/network/spread")
    assert len(few) == len(many)


# The map's year control -------------------------------------------------------------------


def test_the_map_shows_the_network_at_a_years_end(network, login_as, client):
    login_as("admin")
    html = page(client, "/map?year=2022")
    shown = text(html)
    assert "Map of the network at the end of 2022" in shown
    assert "Ashby IPS" in shown and "Bexley IPS" not in shown  # launched in 2023
    assert "Good (104)" in shown  # its latest review by then
    assert re.search(r"<option value=\"2022\"\s+selected", html), re.findall(
        r"<option[^>]*2022[^>]*>", html
    )
    later = text(page(client, "/map?year=2023"))
    assert "Bexley IPS" in later and "No final review" in later  # Bexley's review came in 2024


def test_the_map_for_this_year_is_todays_and_a_bad_year_gets_a_message(network, login_as, client):
    login_as("admin")
    today = text(page(client, f"/map?year={TODAY.year}"))
    assert "Map of the network " in today and "at the end of" not in today.split("Show")[0]
    for bad in ("abc", "1999", str(TODAY.year + 1), "02022", "２０２２"):
        shown = text(page(client, f"/map?year={bad}"))
        assert f"Choose a year from 2022 to {TODAY.year}" in shown, bad
        assert "Crewe IPS" in shown  # today's map instead
