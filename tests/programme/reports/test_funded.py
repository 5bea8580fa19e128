"""The funder's pages: "Programmes you fund" (also a funder's landing page), the printable
programme report and the network map; with the links to them and their scope."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from sites.outcomes import last_12_months
from tests.query_counter import count_queries

TODAY = date.today()
PERIOD = last_12_months(TODAY)  # the report's rates and the map's job starts


def text_of(response) -> str:
    return response.get_data(as_text=True)


def navigation_items(page: str) -> list[str]:
    return re.findall(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<', page)


def figure_of(page: str, element_id: str) -> dict:
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert found, f"no figure {element_id}"
    return json.loads(found.group(1))


@pytest.fixture
def funded(make):
    """Funder A pays for Making IPS Work (Bradford, Berkshire); funder B for the Sussex pilot
    (Brighton). Bradford sent two returns in the last 12 complete months: 4 + 6 job starts,
    caseload 40 + 40 and 15 + 17 in work (employment rate 32 / 80 = 40.0%)."""
    funder_a = make.funder(name="Department of Health innovation fund")
    funder_b = make.funder(name="Sussex commissioners")
    making = make.programme(
        funder=funder_a,
        name="Making IPS Work",
        starts_on=PERIOD.first - timedelta(days=365),
        ends_on=PERIOD.last + timedelta(days=730),
        job_start_target=340,
    )
    sussex = make.programme(
        funder=funder_b,
        name="Sussex pilot",
        starts_on=date(2012, 1, 1),
        ends_on=date(2012, 12, 31),
        job_start_target=125,
    )
    bradford = make.site(
        name="Bradford IPS", region="north-east-and-yorkshire", latitude=53.79, longitude=-1.75
    )
    berkshire = make.site(name="Berkshire IPS", region="south-east")  # no location recorded
    brighton = make.site(name="Brighton IPS", region="south-east", latitude=50.82, longitude=-0.14)
    make.participation(making, bradford, joined_on=making.starts_on, site_target=200)
    make.participation(making, berkshire, joined_on=making.starts_on)
    make.participation(sussex, brighton)
    approved = {"status": "approved"}  # a funder's figures count approved returns only
    make.monthly_return(bradford, PERIOD.first, job_starts=4, caseload=40, in_work=15, **approved)
    make.monthly_return(bradford, PERIOD.last, job_starts=6, caseload=40, in_work=17, **approved)
    make.monthly_return(brighton, PERIOD.last, job_starts=9, **approved)
    make.fidelity_review(bradford, 118, PERIOD.first)
    make.fidelity_review(brighton, 80, date(2012, 9, 1))
    return {
        "funder_a": funder_a,
        "funder_b": funder_b,
        "making": making,
        "sussex": sussex,
        "bradford": bradford,
        "berkshire": berkshire,
        "brighton": brighton,
    }


# Programmes you fund --------------------------------------------------------------------------


def test_a_funder_lands_on_the_programmes_it_funds_and_nothing_of_the_network(
    client, login_as, funded
):
    login_as("funder", funder=funded["funder_a"])
    page = text_of(client.get("/"))
    assert "<h1>Programmes you fund</h1>" in page
    assert "Making IPS Work" in page and "Sussex pilot" not in page
    assert "The IPS network today" not in page  # the network's summary cards
    assert f'id="progress-chart-{funded["making"].id}"' in page
    items = navigation_items(page)
    assert "Programmes you fund" in items and "Map" in items and "Dashboard" not in items


def test_programmes_you_fund_shows_target_achieved_percent_status_and_chart(
    client, login_as, funded
):
    making = funded["making"]
    login_as("funder", funder=funded["funder_a"])
    response = client.get(f"/funded?funder_id={funded['funder_b'].id}")  # ignored for funders
    assert response.status_code == 200
    page = text_of(response)
    assert "Sussex pilot" not in page
    # Achieved: Bradford's 4 + 6 = 10 of 340, 2.9%.
    assert re.search(r"Job-start target</dt><dd[^>]*>340<", page)
    assert re.search(r"Achieved</dt><dd[^>]*>10<", page)
    assert re.search(r"Of target</dt><dd[^>]*>2\.9%<", page)
    assert "nhsuk-tag" in page
    assert re.search(r"Job starts achieved</h2>\s*<p[^>]*><span[^>]*>10</span>", page)
    assert '<a class="nhsuk-card__link" href="/returns/late">Late returns</a>' in page
    figure = figure_of(page, f"progress-chart-{making.id}-data")
    assert figure["data"][0]["name"] == "Achieved"
    assert figure["data"][0]["y"][-1] == 10
    assert f'href="/programmes/{making.id}"' in page
    assert f'href="/programmes/{making.id}/report"' in page


def test_admin_sees_every_funders_programmes_or_one_funders(client, login_as, funded):
    login_as("admin")
    page = text_of(client.get("/funded"))
    assert "Making IPS Work" in page and "Sussex pilot" in page
    assert 'name="funder_id"' in page
    one = text_of(client.get(f"/funded?funder_id={funded['funder_b'].id}"))
    assert "Programmes funded by Sussex commissioners" in one
    assert "Sussex pilot" in one and "Making IPS Work" not in one
    assert client.get("/funded?funder_id=987654").status_code == 404
    assert client.get("/funded?funder_id=abc").status_code == 404


@pytest.mark.parametrize("role", ["trainer", "site_lead"])
def test_programmes_you_fund_is_for_funders_and_admin(client, login_as, role):
    login_as(role)
    assert client.get("/funded").status_code == 403


def test_programmes_you_fund_costs_the_same_queries_for_one_programme_or_four(
    client, login_as, make, db, funded
):
    login_as("funder", funder=funded["funder_a"])

    def queries() -> int:
        with count_queries(db.engine) as statements:
            assert client.get("/funded").status_code == 200
        return len(statements)

    before = queries()
    for n in range(3):
        programme = make.programme(
            funder=funded["funder_a"], name=f"More IPS {n}", profile={date(2020, 6, 1): 10}
        )
        site = make.site(name=f"More site {n}")
        make.participation(programme, site)
        make.monthly_return(site, date(2020, 5, 1))
    assert queries() == before


# The printable report -------------------------------------------------------------------------


def test_the_programme_page_links_to_its_report_and_downloads(client, login_as, funded):
    making = funded["making"]
    login_as("funder", funder=funded["funder_a"])
    page = text_of(client.get(f"/programmes/{making.id}"))
    assert page.count(">Printable report</a>") == 1
    assert f'href="/programmes/{making.id}/report"' in page
    # The links carry the page's period (the programme is still running: the last 12 months).
    for name in ("progress", "returns", "fidelity"):
        narrow = f"programme_id={making.id}&amp;period=last-12-months"
        assert f'href="/exports/{name}.csv?{narrow}"' in page
        assert f'href="/exports/{name}.xlsx?{narrow}"' in page


def test_the_site_page_links_to_its_downloads(client, login_as, funded):
    bradford = funded["bradford"]
    login_as("admin")
    page = text_of(client.get(f"/sites/{bradford.id}"))
    assert f'href="/exports/returns.xlsx?site_id={bradford.id}"' in page
    assert f'href="/exports/fidelity.csv?site_id={bradford.id}"' in page


def test_the_report_has_headline_figures_chart_sites_bands_rates_and_date(client, login_as, funded):
    making = funded["making"]
    login_as("funder", funder=funded["funder_a"])
    response = client.get(f"/programmes/{making.id}/report")
    assert response.status_code == 200
    page = text_of(response)
    assert 'rel="stylesheet" media="print" href="/static/css/print.css"' in page
    assert f"Generated on {TODAY.day} {TODAY:%B %Y}" in page
    assert "Funded by Department of Health innovation fund" in page
    assert re.search(r"Job-start target</dt><dd[^>]*>340<", page)
    assert re.search(r"Achieved</dt><dd[^>]*>10 job starts \(2\.9% of target\)<", page)
    assert f"Approved figures as at {TODAY.day} {TODAY:%B %Y}." in page
    figure = figure_of(page, "report-progress-chart-data")
    assert figure["layout"]["width"] == 680 and figure["layout"]["autosize"] is False
    sites_table = page.split('class="portal-report__sites"', 1)[1]  # not the chart's table
    rows = re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', sites_table, re.S)
    sites = {re.search(r"<td[^>]*>([^<]+)<br>", row).group(1): row for row in rows[1:]}
    assert set(sites) == {"Berkshire IPS", "Bradford IPS"}
    bradford = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", sites["Bradford IPS"]))
    # 10 job starts of 200; Exemplary 118; employment rate (15 + 17) / (40 + 40) = 40.0%;
    # contact within 4 weeks (6 + 6) / (8 + 8) = 75.0%.
    assert " 10 " in bradford and " 200 " in bradford
    assert "Exemplary (118)" in bradford
    assert "40.0%" in bradford and "75.0%" in bradford
    berkshire = re.sub(r"<[^>]+>", " ", sites["Berkshire IPS"])
    assert "No review" in berkshire and "not available" in berkshire
    assert "Brighton" not in page


def test_the_report_is_scoped_like_the_programme_page(client, login_as, funded):
    login_as("funder", funder=funded["funder_a"])
    assert client.get(f"/programmes/{funded['sussex'].id}/report").status_code == 403
    assert client.get("/programmes/987654/report").status_code == 404
    login_as("trainer")
    assert client.get(f"/programmes/{funded['sussex'].id}/report").status_code == 200


# The map --------------------------------------------------------------------------------------


def test_the_map_shows_the_sites_a_funder_may_read_coloured_and_sized(client, login_as, funded):
    bradford = funded["bradford"]
    login_as("funder", funder=funded["funder_a"])
    response = client.get("/map")
    assert response.status_code == 200
    page = text_of(response)
    assert 'data-topojson-url="/static/vendor/topojson/"' in page
    assert "data-point-links" in page
    figure = figure_of(page, "network-map-data")
    assert figure["layout"]["geo"]["scope"] == "europe"
    assert figure["layout"]["geo"]["resolution"] == 50
    traces = figure["data"]
    assert [trace["name"] for trace in traces] == ["Exemplary"]  # Berkshire has no location
    point = traces[0]
    assert point["type"] == "scattergeo"
    assert (point["lat"], point["lon"]) == ([53.79], [-1.75])
    assert point["customdata"] == [f"/sites/{bradford.id}"]
    # 4 + 6 = 10 job starts in the last 12 months: 8 + 3 x sqrt(10) = 17.5 pixels.
    assert point["marker"]["size"] == [17.5]
    assert "Bradford IPS" in point["text"][0] and "118 of 125" in point["text"][0]
    assert "10 job starts in the last 12 months" in point["text"][0]
    # The table below lists the same sites, the one without a location too.
    assert f'href="/sites/{bradford.id}"' in page
    assert "Berkshire IPS" in page and "No location recorded" in page
    assert "Brighton" not in page


def test_the_map_leaves_out_closed_sites_and_shows_admin_every_site(client, login_as, make, funded):
    make.site(name="Closed IPS", closed_on=TODAY - timedelta(days=1), latitude=51.5, longitude=0)
    login_as("admin")
    page = text_of(client.get("/map"))
    traces = figure_of(page, "network-map-data")["data"]
    assert sorted(trace["name"] for trace in traces) == ["Exemplary", "Fair"]
    assert "Brighton IPS" in page and "Closed IPS" not in page


def test_the_map_costs_the_same_queries_for_few_sites_or_many(client, login_as, make, db, funded):
    login_as("admin")

    def queries() -> int:
        with count_queries(db.engine) as statements:
            assert client.get("/map").status_code == 200
        return len(statements)

    before = queries()
    for n in range(4):
        site = make.site(name=f"Extra {n}", latitude=52 + n / 10, longitude=-1.0)
        make.monthly_return(site, PERIOD.last)
        make.fidelity_review(site, 100 + n, PERIOD.first)
    assert queries() == before


@pytest.mark.parametrize("role", ["admin", "trainer", "site_lead", "funder"])
def test_every_role_has_the_map_in_its_navigation(client, login_as, role):
    login_as(role)
    assert client.get("/map").status_code == 200
    assert "Map" in navigation_items(text_of(client.get("/programmes/")))
