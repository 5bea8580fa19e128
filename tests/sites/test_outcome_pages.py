"""Outcome rates over a period through the site page, the programme page and the API, with
figures worked out by hand; scope; zero denominators; bad periods; a fixed number of queries."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from sites.models import MonthlyReturn
from sites.outcomes import add_months, last_12_months
from sites.queries import (
    monthly_rates,
    network_rate_medians,
    outcome_totals,
    site_outcome_totals,
)
from tests.query_counter import count_queries

NOT_AVAILABLE = "not available"
PERIOD_ERROR = "Choose a period from the list"


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


def rates_table(html: str) -> dict[str, str]:
    """The site page's rates table: measure -> (site's figure, benchmark)."""
    start = html.index(
        '<table class="nhsuk-table">\n  <caption class="nhsuk-table__caption">Outcome'
    )
    table = html[start : html.index("</table>", start)]
    rows = re.findall(
        r'<th scope="row" class="nhsuk-table__header">([^<]+)<br>.*?'
        r'<td class="[^"]*">([^<]*)</td>\s*<td class="nhsuk-table__cell">([^<]*)</td>',
        table,
        re.S,
    )
    return {name: (figure, benchmark) for name, figure, benchmark in rows}


@pytest.fixture
def network(make):
    """Bradford's 2024 returns, worked by hand, and two other sites for the network medians.

    Bradford, calendar year 2024 (two submitted months, January and February; March is a draft):
      caseload 40 + 44 = 84; in work 16 + 18 = 34; job starts 3 + 5 = 8; sustained 3 + 1 = 4;
      new to the service 8 + 6 = 14, contacted within 4 weeks 6 + 3 = 9; FTE 2.0 + 2.5 = 4.5.
      Job starts three months earlier, October 2023 to September 2024: 4 + 2 + 3 + 5 = 14.
      employment 34/84 = 0.4048; job starts 8/84 = 0.0952; sustained 4/14 = 0.2857;
      contact 9/14 = 0.6429; caseload per specialist 84/4.5 = 18.7.
    Leeds, 2024: sustained 3 against 6 job starts in December 2023 = 0.5; contact 10/10 = 1.0.
    Wakefield, 2024: nothing to divide by for either, so it has no rate and no say in the medians.
    Medians: sustained (0.2857 + 0.5) / 2 = 0.3929; contact (0.6429 + 1.0) / 2 = 0.8214.
    """
    bradford = make.site(name="Bradford IPS")
    leeds = make.site(name="Leeds IPS")
    wakefield = make.site(name="Wakefield IPS")
    make.monthly_return(bradford, date(2023, 10, 1), job_starts=4)
    make.monthly_return(bradford, date(2023, 11, 1), job_starts=2)
    make.monthly_return(
        bradford,
        date(2024, 1, 1),
        caseload=40,
        in_work=16,
        job_starts=3,
        sustained_13_weeks=3,
        new_to_service=8,
        first_contact_within_4_weeks=6,
        employment_specialists_fte=Decimal("2.0"),
        referrals=11,
        discharges=4,
    )
    make.monthly_return(
        bradford,
        date(2024, 2, 1),
        caseload=44,
        in_work=18,
        job_starts=5,
        sustained_13_weeks=1,
        new_to_service=6,
        first_contact_within_4_weeks=3,
        employment_specialists_fte=Decimal("2.5"),
        referrals=9,
        discharges=2,
    )
    make.monthly_return(
        bradford, date(2024, 3, 1), caseload=100, in_work=100, job_starts=50, status="draft"
    )
    make.monthly_return(bradford, date(2025, 1, 1), job_starts=7)
    make.monthly_return(leeds, date(2023, 12, 1), job_starts=6)
    make.monthly_return(
        leeds,
        date(2024, 3, 1),
        job_starts=0,
        sustained_13_weeks=3,
        new_to_service=10,
        first_contact_within_4_weeks=10,
    )
    make.monthly_return(
        wakefield,
        date(2024, 5, 1),
        job_starts=0,
        sustained_13_weeks=0,
        new_to_service=0,
        first_contact_within_4_weeks=0,
    )
    return bradford, leeds, wakefield


# The queries


def test_outcome_totals_sum_submitted_returns_in_one_query(network, db):
    ids = [site.id for site in network]
    with count_queries(db.engine) as statements:
        totals = outcome_totals(ids[:2], date(2024, 1, 1), date(2024, 12, 1))
    assert len(statements) == 1
    bradford, leeds, wakefield = ids
    assert set(totals) == {bradford, leeds}
    brad = totals[bradford]
    assert (brad.caseload, brad.in_work, brad.job_starts, brad.sustained_13_weeks) == (84, 34, 8, 4)
    assert (brad.new_to_service, brad.first_contact_within_4_weeks) == (14, 9)
    assert (brad.referrals, brad.discharges) == (20, 6)
    assert brad.employment_specialists_fte == Decimal("4.50")
    assert (brad.months_reported, brad.job_starts_three_months_earlier) == (2, 14)
    assert totals[leeds].job_starts_three_months_earlier == 6
    assert site_outcome_totals(wakefield, date(2020, 1, 1), date(2020, 12, 1)).caseload == 0


def test_network_medians_count_only_sites_with_the_rate(network, db):
    medians = network_rate_medians(date(2024, 1, 1), date(2024, 12, 1))
    assert medians["sustainment_13_weeks"] == pytest.approx((4 / 14 + 0.5) / 2)
    assert medians["contact_within_4_weeks"] == pytest.approx((9 / 14 + 1.0) / 2)
    assert network_rate_medians(date(2010, 1, 1), date(2010, 12, 1)) == {
        "sustainment_13_weeks": None,
        "contact_within_4_weeks": None,
    }


def test_monthly_rates_for_the_chart(network, db):
    bradford, *_ = network
    rows = monthly_rates(bradford.id, date(2024, 1, 1), date(2024, 12, 1))
    assert [row.month for row in rows] == [date(2024, 1, 1), date(2024, 2, 1)]
    assert [row.employment_rate for row in rows] == pytest.approx([16 / 40, 18 / 44])
    assert [row.job_start_rate for row in rows] == pytest.approx([3 / 40, 5 / 44])


# The site page


def test_site_page_shows_the_rates_of_the_chosen_year_with_benchmarks(client, login_as, network):
    bradford, *_ = network
    login_as("admin")
    html = page(client, f"/sites/{bradford.id}?period=2024")
    assert '<h2 id="outcome-rates">Outcome rates</h2>' in html
    assert '<option value="2024" selected' in html
    rates = rates_table(html)
    assert rates == {
        "Employment rate": (
            "40.5%",
            "41% average, 50% excellent (US IPS learning community, people working of people "
            "served)",
        ),
        "Job-start rate": ("9.5%", "No benchmark"),
        "Jobs sustained 13 weeks": ("28.6%", "Network median 39.3%"),
        "First contact within 4 weeks": ("64.3%", "Network median 82.1%"),
        "Caseload per employment specialist": ("18.7", "20 or fewer (IPS fidelity scale)"),
    }
    assert "40%" not in html  # the UK benchmark measures something else
    assert "2 of 12" in html  # months with a submitted return
    assert "Error:" not in html and PERIOD_ERROR not in html
    figure = json.loads(
        re.search(
            r'<script type="application/json" id="site-rates-chart-data">(.*?)</script>', html, re.S
        ).group(1)
    )
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert traces["Employment rate"]["x"] == ["2024-01-01", "2024-02-01"]
    assert traces["Employment rate"]["y"] == pytest.approx([0.4, 18 / 44])
    assert traces["Job-start rate"]["y"] == pytest.approx([0.075, 5 / 44])
    assert 'id="site-outcomes-chart"' in html  # the existing outcomes chart stays
    assert "<script>" not in html and "style=" not in html


def test_site_page_reads_an_nhs_financial_year(client, login_as, network):
    # April 2024 to March 2025: only January 2025 (40 caseload, 15 in work, 7 job starts,
    # 2 sustained, 6 of 8 contacted, 2.0 FTE); job starts three months earlier: January to
    # December 2024, 3 + 5 = 8 (March's draft does not count).
    bradford, *_ = network
    login_as("admin")
    rates = rates_table(page(client, f"/sites/{bradford.id}?period=fy-2024-25"))
    assert rates["Employment rate"][0] == "37.5%"
    assert rates["Job-start rate"][0] == "17.5%"
    assert rates["Jobs sustained 13 weeks"][0] == "25.0%"
    assert rates["First contact within 4 weeks"][0] == "75.0%"
    assert rates["Caseload per employment specialist"][0] == "20.0"


def test_site_page_defaults_to_the_last_12_complete_months(client, login_as, make):
    site = make.site()
    this_month = date.today().replace(day=1)
    last_month = add_months(this_month, -1)
    make.monthly_return(site, last_month, caseload=50, in_work=20)
    make.monthly_return(site, this_month, caseload=50, in_work=50)  # not complete yet
    make.monthly_return(site, add_months(this_month, -13), caseload=50, in_work=0)  # too old
    login_as("site_lead", sites=[site])
    html = page(client, f"/sites/{site.id}")
    assert '<option value="last-12-months" selected' in html
    assert last_12_months(date.today()).label in html
    assert rates_table(html)["Employment rate"][0] == "40.0%"


def test_a_zero_denominator_is_not_available(client, login_as, make):
    site = make.site()
    make.monthly_return(
        site,
        date(2024, 6, 1),
        caseload=0,
        in_work=0,
        job_starts=0,
        sustained_13_weeks=0,
        new_to_service=0,
        first_contact_within_4_weeks=0,
        employment_specialists_fte=Decimal(0),
    )
    login_as("admin")
    html = page(client, f"/sites/{site.id}?period=2024")
    rates = rates_table(html)
    assert [figure for figure, _ in rates.values()] == [NOT_AVAILABLE] * 5
    assert rates["Jobs sustained 13 weeks"][1] == "Network median not available"
    assert "0.0%" not in html


@pytest.mark.parametrize(
    "period",
    [
        "banana",
        "2024-26",
        "fy-2024-2025",
        "1989",
        "3000",
        "99999999999999999999",
        "%00",
        "２０２４",
    ],
)
def test_a_bad_period_shows_an_error_and_the_default(client, login_as, network, period):
    bradford, *_ = network
    login_as("admin")
    html = page(client, f"/sites/{bradford.id}?period={period}")
    assert "<title>Error: Bradford IPS" in html
    assert PERIOD_ERROR in html
    assert 'href="#period"' in html  # the error summary links to the chooser
    assert '<option value="last-12-months" selected' in html


def test_an_empty_period_is_the_default_without_an_error(client, login_as, network):
    bradford, *_ = network
    login_as("admin")
    html = page(client, f"/sites/{bradford.id}?period=")
    assert PERIOD_ERROR not in html
    assert '<option value="last-12-months" selected' in html


def test_a_period_before_the_sites_first_return_is_still_offered(client, login_as, network):
    bradford, *_ = network
    login_as("admin")
    html = page(client, f"/sites/{bradford.id}?period=2001")
    assert '<option value="2001" selected' in html
    assert '<option value="fy-2022-23"' in html  # holds January 2023: the first return's year
    assert '<option value="fy-2021-22"' not in html
    assert "No submitted and approved monthly returns in this period." in html


def test_a_funder_outside_scope_is_refused(client, login_as, api, make, network):
    bradford, *_ = network
    login_as("funder")
    page(client, f"/sites/{bradford.id}?period=2024", 403)
    response = api("funder").get(f"/api/v1/sites/{bradford.id}/outcomes")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


# The programme page


@pytest.fixture
def programme(make, network):
    bradford, leeds, _ = network
    programme = make.programme(
        name="Yorkshire", starts_on=date(2023, 4, 1), ends_on=date(2026, 3, 31)
    )
    make.participation(programme, bradford)
    make.participation(programme, leeds, joined_on=date(2024, 6, 1))
    return programme


def programme_rows(html: str) -> dict[str, list[str]]:
    """Site name -> the three rate cells of the programme page's site table."""
    rows = {}
    for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', html, re.S):
        name = re.search(r'<a href="/sites/\d+">([^<]+)</a>', row)
        cells = re.findall(
            r'aria-hidden="true">(?:Employment rate|Sustained 13 weeks|Contact within 4 weeks) '
            r"</span>([^<]*)</td>",
            row,
        )
        if name:
            rows[name.group(1)] = cells
    return rows


def test_programme_page_shows_each_sites_rates_for_the_period(client, login_as, programme, db):
    # A funder reads approved returns only: approve every submitted one.
    db.session.execute(
        sa.update(MonthlyReturn)
        .where(MonthlyReturn.status == "submitted")
        .values(status="approved")
    )
    db.session.commit()
    login_as("funder", funder=programme.funder)
    html = page(client, f"/programmes/{programme.id}?period=2024")
    assert programme_rows(html) == {
        "Bradford IPS": ["40.5%", "28.6%", "64.3%"],
        # Leeds: one month, caseload 40 and 15 in work (the factory's); sustained 3 of 6;
        # contact 10 of 10.
        "Leeds IPS": ["37.5%", "50.0%", "100.0%"],
    }
    assert '<option value="2024" selected' in html
    assert '<option value="fy-2023-24"' in html  # from the programme's first year
    assert "Rates: Calendar year 2024." in html


def test_programme_page_defaults_and_reports_a_bad_period(client, login_as, programme):
    # The programme ended on 31 March 2026: it reads over its own run unless asked otherwise.
    login_as("admin")
    default = page(client, f"/programmes/{programme.id}")
    assert '<option value="programme" selected' in default
    assert PERIOD_ERROR not in default
    chosen = page(client, f"/programmes/{programme.id}?period=programme")
    assert programme_rows(default) == programme_rows(chosen)
    bad = page(client, f"/programmes/{programme.id}?period=fy-2024-26")
    assert PERIOD_ERROR in bad
    assert '<option value="programme" selected' in bad
    assert programme_rows(bad) == programme_rows(default)
    assert programme_rows(bad) != programme_rows(
        page(client, f"/programmes/{programme.id}?period=2024")
    )


def test_programme_page_costs_the_same_queries_for_3_and_30_sites(client, login_as, make, db):
    login_as("admin")

    def programme_of(n):
        programme = make.programme(starts_on=date(2023, 4, 1), ends_on=date(2026, 3, 31))
        for _ in range(n):
            site = make.site()
            make.participation(programme, site)
            for month in (date(2024, 1, 1), date(2024, 5, 1)):
                make.monthly_return(site, month)
        return programme

    small, large = programme_of(3), programme_of(30)
    with count_queries(db.engine) as few:
        html = page(client, f"/programmes/{small.id}?period=2024")
    with count_queries(db.engine) as many:
        page(client, f"/programmes/{large.id}?period=2024")
    assert len(many) == len(few)
    # Every site: 2 x 15 in work of 2 x 40; sustained 2 x 2 of the 3 + 3 job starts of October
    # 2023 to September 2024 (January and May); contact 2 x 6 of 2 x 8.
    assert set(map(tuple, programme_rows(html).values())) == {("37.5%", "66.7%", "75.0%")}


# The API


def test_api_answers_totals_rates_and_benchmarks(api, network):
    bradford, *_ = network
    response = api("admin").get(f"/api/v1/sites/{bradford.id}/outcomes?from=2024-01&to=2024-12")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "site_id": bradford.id,
        "from": "2024-01",
        "to": "2024-12",
        "totals": {
            "referrals": 20,
            "caseload": 84,
            "new_to_service": 14,
            "first_contact_within_4_weeks": 9,
            "job_starts": 8,
            "in_work": 34,
            "sustained_13_weeks": 4,
            "discharges": 6,
            "employment_specialists_fte": 4.5,
            "months_reported": 2,
            "job_starts_three_months_earlier": 14,
        },
        "employment_rate": 0.4048,
        "job_start_rate": 0.0952,
        "sustainment_13_weeks": 0.2857,
        "contact_within_4_weeks": 0.6429,
        "caseload_per_specialist": 18.7,
        "benchmarks": {
            "employment_rate": {"average": 0.41, "excellent": 0.5},
            "sustainment_13_weeks": {"network_median": 0.3929},
            "contact_within_4_weeks": {"network_median": 0.8214},
            "caseload_per_specialist": {"at_most": 20},
        },
    }


def test_api_defaults_to_the_last_12_complete_months(api, make):
    site = make.site()
    this_month = date.today().replace(day=1)
    make.monthly_return(site, add_months(this_month, -1), caseload=50, in_work=20)
    make.monthly_return(site, this_month, caseload=50, in_work=50)
    body = api("site_lead", sites=[site]).get(f"/api/v1/sites/{site.id}/outcomes").get_json()
    period = last_12_months(date.today())
    assert (body["from"], body["to"]) == (f"{period.first:%Y-%m}", f"{period.last:%Y-%m}")
    assert body["employment_rate"] == 0.4


def test_api_zero_denominators_are_null(api, make):
    site = make.site()
    make.monthly_return(
        site,
        date(2024, 6, 1),
        caseload=0,
        in_work=0,
        job_starts=0,
        sustained_13_weeks=0,
        new_to_service=0,
        first_contact_within_4_weeks=0,
        employment_specialists_fte=Decimal(0),
    )
    body = api("admin").get(f"/api/v1/sites/{site.id}/outcomes?from=2024-06&to=2024-06").get_json()
    for name in (
        "employment_rate",
        "job_start_rate",
        "sustainment_13_weeks",
        "contact_within_4_weeks",
        "caseload_per_specialist",
    ):
        assert body[name] is None, name
    assert body["totals"]["months_reported"] == 1
    assert body["benchmarks"]["contact_within_4_weeks"] == {"network_median": None}


def test_api_rates_above_one_are_clamped(api, make):
    site = make.site()
    make.monthly_return(site, date(2024, 3, 1), job_starts=2)
    make.monthly_return(site, date(2024, 6, 1), sustained_13_weeks=5)
    body = api("admin").get(f"/api/v1/sites/{site.id}/outcomes?from=2024-06&to=2024-06").get_json()
    assert body["totals"]["job_starts_three_months_earlier"] == 2
    assert body["sustainment_13_weeks"] == 1.0


def test_api_scope_follows_the_site(api, make, network):
    bradford, *_ = network
    programme = make.programme()
    make.participation(programme, bradford)
    funder = api("funder", funder=programme.funder)
    assert funder.get(f"/api/v1/sites/{bradford.id}/outcomes").status_code == 200
    lead = api("site_lead", sites=[make.site()])
    assert lead.get(f"/api/v1/sites/{bradford.id}/outcomes").status_code == 403
    assert api("admin").get("/api/v1/sites/999999/outcomes").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2024-13", "from"),
        ("from=2024-1", "from"),
        ("from=banana&to=2024-05", "from"),
        ("to=2024-05-01", "to"),
        ("to=", "to"),
        ("from=2024-05&to=2024-03", "to"),
    ],
)
def test_api_bad_months_are_422(api, network, query, field):
    bradford, *_ = network
    response = api("admin").get(f"/api/v1/sites/{bradford.id}/outcomes?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"]["code"] == "validation_failed"
    assert field in body["error"]["fields"]


def test_api_months_at_the_edges_of_the_years_recorded_are_no_error(api, network):
    bradford, *_ = network
    caller = api("admin")
    early = caller.get(f"/api/v1/sites/{bradford.id}/outcomes?from=1990-01&to=1990-02")
    assert early.status_code == 200
    assert early.get_json()["totals"]["job_starts_three_months_earlier"] == 0
    late = caller.get(f"/api/v1/sites/{bradford.id}/outcomes?to=1990-05")
    assert late.status_code == 200
    assert late.get_json()["totals"]["months_reported"] == 0
    whole = caller.get(f"/api/v1/sites/{bradford.id}/outcomes?from=1990-01&to=2100-12")
    assert whole.get_json()["totals"]["caseload"] == 5 * 40 + 4  # every submitted month


@pytest.mark.parametrize("query", ["from=0001-01&to=0001-02", "to=9999-12", "from=1989-12"])
def test_api_months_outside_the_years_recorded_are_refused_by_name(api, network, query):
    bradford, *_ = network
    response = api("admin").get(f"/api/v1/sites/{bradford.id}/outcomes?{query}")
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) <= {"from", "to"} and fields


def test_the_openapi_document_lists_the_outcomes_endpoint(api):
    paths = api("funder").get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/sites/{site_id}/outcomes"]) >= {"get"}
