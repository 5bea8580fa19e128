"""Reporting completeness: the counts over a period worked out by hand (a site joining mid-period,
a late submission, a returned one, an approved one, a site in two programmes counted once a
month for its region), the API, the page and its query count, the downloads and the programme
page.

Due dates (the late returns' rule, England and Wales bank holidays): October 2025's return is
due on 14 November, November's on 12 December, December's on 15 January (Christmas, Boxing Day
and New Year's Day), January 2026's on 13 February, February's on 13 March, March's on 16 April
(Good Friday and Easter Monday)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from programme.completeness import api as completeness_api
from programme.completeness import views as completeness_views
from programme.completeness.queries import (
    CompletenessFilters,
    period_months,
    reporting_completeness,
    submitted_on,
)
from sites.returns.completeness import Completeness
from tests.query_counter import count_queries

TODAY = date(2026, 4, 17)  # March 2026 is the last month that has ended
OCTOBER_TO_MARCH = {"from": "2025-10", "to": "2026-03"}


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def at(year: int, number: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, number, day, hour, tzinfo=UTC)


@pytest.fixture
def network(make):
    """Improve (funder A) from October 2025, Making IPS Work (funder B) from January 2026.

    - Ashby (North West), in Improve from October 2025: October approved, sent by 10 November
      (on time); November submitted on 15 December (late); December returned (sent back, so not
      received); January submitted on its due date, 13 February (on time); February a draft;
      no March. 6 expected, 3 received, 2 on time, 1 approved.
    - Bury (North West), in Making IPS Work from January and in Improve from 20 January (it
      joins mid-period, mid-month: January counts): January first sent 2 February (on time,
      though amended on 20 February); February
      approved, sent 20 March (late); no March; a December return from before it took part.
      3 expected (once a month, whatever its programmes), 2 received, 1 on time, 1 approved.
    - Crewe (London), in Making IPS Work, closed on 1 March 2026: January and February
      expected, nothing sent.
    """
    funder_a, funder_b = make.funder(name="Funder A"), make.funder(name="Funder B")
    improve = make.programme(
        name="Improve", funder=funder_a, starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31)
    )
    making = make.programme(
        name="Making IPS Work",
        funder=funder_b,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    ashby = make.site(name="Ashby IPS", region="north-west")
    bury = make.site(name="Bury IPS", region="north-west")
    crewe = make.site(name="Crewe IPS", region="london", closed_on=date(2026, 3, 1))
    make.participation(improve, ashby)
    make.participation(improve, bury, joined_on=date(2026, 1, 20))
    make.participation(making, bury)
    make.participation(making, crewe)

    def sent(site, when, on, status="submitted", again=None):
        make.monthly_return(
            site, when, status=status, first_submitted_at=on, submitted_at=again or on
        )

    sent(ashby, month(2025, 10), at(2025, 11, 10), "approved")
    sent(ashby, month(2025, 11), at(2025, 12, 15))
    sent(ashby, month(2025, 12), at(2026, 1, 10), "returned")
    sent(ashby, month(2026, 1), at(2026, 2, 13, 23))  # 23:00 GMT on the due date: on time
    make.monthly_return(ashby, month(2026, 2), status="draft")
    sent(bury, month(2025, 12), at(2026, 1, 5))
    sent(bury, month(2026, 1), at(2026, 2, 2), again=at(2026, 2, 20))  # amended late
    sent(bury, month(2026, 2), at(2026, 3, 20), "approved")
    return {
        "improve": improve,
        "making": making,
        "funder_a": funder_a,
        "funder_b": funder_b,
        "ashby": ashby,
        "bury": bury,
        "crewe": crewe,
    }


def report(**filters):
    return reporting_completeness(
        CompletenessFilters(month(2025, 10), month(2026, 3), **filters), TODAY
    )


def counts(expected, received, on_time, approved):
    return Completeness(expected, received, on_time, approved)


# --- the counts ------------------------------------------------------------------------------


def test_each_site_counts_its_months_by_hand(network):
    found = report()
    assert [(s.name, s.counts) for s in found.sites] == [
        ("Ashby IPS", counts(6, 3, 2, 1)),
        ("Bury IPS", counts(3, 2, 1, 1)),
        ("Crewe IPS", counts(2, 0, 0, 0)),
    ]
    assert found.total == counts(11, 5, 3, 2)
    assert (found.total.reporting_rate, found.total.on_time_rate) == (0.4545, 0.2727)


def test_a_site_in_two_programmes_counts_once_a_month_for_its_region_and_in_each_programme(
    network,
):
    found = report()
    assert [(r.region, r.counts) for r in found.regions] == [
        ("north-west", counts(9, 5, 3, 2)),
        ("london", counts(2, 0, 0, 0)),
    ]
    assert [(p.name, p.counts) for p in found.programmes] == [
        ("Improve", counts(9, 5, 3, 2)),  # Ashby's 6 months, Bury's 3 in Improve
        ("Making IPS Work", counts(5, 2, 1, 1)),  # Bury's 3, Crewe's 2
    ]
    region = report(region="north-west")
    assert region.total == counts(9, 5, 3, 2) and len(region.sites) == 2


def test_by_month(network):
    assert [(m.month, m.counts) for m in report().months] == [
        (month(2025, 10), counts(1, 1, 1, 1)),
        (month(2025, 11), counts(1, 1, 0, 0)),
        (month(2025, 12), counts(1, 0, 0, 0)),
        (month(2026, 1), counts(3, 2, 2, 0)),
        (month(2026, 2), counts(3, 1, 0, 1)),
        (month(2026, 3), counts(2, 0, 0, 0)),
    ]


def test_a_programme_counts_only_the_months_its_sites_took_part_in_it(network):
    found = report(programme_id=network["making"].id)
    assert [(s.name, s.counts) for s in found.sites] == [
        ("Bury IPS", counts(3, 2, 1, 1)),
        ("Crewe IPS", counts(2, 0, 0, 0)),
    ]
    assert found.total == counts(5, 2, 1, 1)


def test_months_not_ended_expect_nothing(network):
    on_due_day = reporting_completeness(
        CompletenessFilters(month(2026, 3), month(2026, 12)), date(2026, 4, 1)
    )
    assert on_due_day.counted_to == month(2026, 3)
    assert on_due_day.total == counts(2, 0, 0, 0)  # Ashby and Bury; Crewe has closed
    future = reporting_completeness(
        CompletenessFilters(month(2026, 5), month(2026, 6)), date(2026, 4, 1)
    )
    assert future.counted_to is None and future.total == Completeness()
    assert future.total.reporting_rate is None


def test_the_day_of_a_submission_is_the_day_in_england():
    # 23:30 UTC on 16 April 2026 is already 17 April in British Summer Time.
    assert submitted_on(datetime(2026, 4, 16, 23, 30, tzinfo=UTC)) == date(2026, 4, 17)
    assert submitted_on(datetime(2026, 4, 16, 22, 30)) == date(2026, 4, 16)  # naive: UTC
    assert submitted_on(datetime(2026, 1, 16, 23, 30, tzinfo=UTC)) == date(2026, 1, 16)
    assert submitted_on(None) is None


def test_the_default_period(make):
    assert period_months(None, None, None, TODAY) == (month(2025, 4), month(2026, 3))
    assert period_months(month(2026, 1), None, None, TODAY) == (month(2026, 1), month(2026, 3))
    assert period_months(None, month(2025, 12), None, TODAY) == (month(2025, 1), month(2025, 12))
    ended = make.programme(starts_on=date(2016, 4, 1), ends_on=date(2019, 3, 31))
    assert period_months(None, None, ended, TODAY) == (month(2016, 4), month(2019, 3))


def test_two_queries_whatever_the_number_of_sites(make, db):
    programme = make.programme(starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31))
    grow(make, programme, 2)
    with count_queries(db.engine) as few:
        assert len(report().sites) == 2
    grow(make, programme, 6)
    with count_queries(db.engine) as many:
        assert len(report().sites) == 8
    assert len(few) == len(many) == 2


def grow(make, programme, n: int) -> None:
    for _ in range(n):
        site = make.site()
        make.participation(programme, site)
        make.monthly_return(site, month(2025, 11), first_submitted_at=at(2025, 12, 1))


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr(completeness_api, "today", lambda: TODAY)
    monkeypatch.setattr(completeness_views, "today", lambda: TODAY)


def test_the_api_answers_the_totals_and_each_site(api, network, on_day):
    answer = api("admin").get("/api/v1/reporting/completeness", query_string=OCTOBER_TO_MARCH)
    assert answer.status_code == 200
    body = answer.get_json()
    totals = ("expected", "received", "on_time", "approved", "reporting_rate", "on_time_rate")
    assert [body[key] for key in totals] == [11, 5, 3, 2, 0.4545, 0.2727]
    assert (body["from"], body["to"]) == ("2025-10", "2026-03")
    ashby = {"site_id": network["ashby"].id, "name": "Ashby IPS", "expected": 6, "received": 3}
    assert body["sites"][0] == ashby | {"on_time": 2, "approved": 1} | {
        "reporting_rate": 0.5,
        "on_time_rate": 0.3333,
    }
    crewe = body["sites"][2]
    assert (crewe["name"], crewe["reporting_rate"], crewe["on_time_rate"]) == ("Crewe IPS", 0, 0)


def test_the_api_filters_and_defaults(api, network, on_day):
    admin = api("admin")
    path = "/api/v1/reporting/completeness"
    by_programme = admin.get(
        path, query_string={**OCTOBER_TO_MARCH, "programme_id": network["making"].id}
    )
    assert by_programme.get_json()["expected"] == 5
    by_region = admin.get(path, query_string={**OCTOBER_TO_MARCH, "region": "london"})
    assert [site["name"] for site in by_region.get_json()["sites"]] == ["Crewe IPS"]
    nothing = admin.get(path, query_string={**OCTOBER_TO_MARCH, "region": "wales"}).get_json()
    assert nothing["expected"] == 0 and nothing["reporting_rate"] is None
    assert nothing["on_time_rate"] is None and nothing["sites"] == []
    default = admin.get(path).get_json()  # the last 12 months that have ended
    assert (default["from"], default["to"], default["expected"]) == ("2025-04", "2026-03", 11)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-13"}, "from"),
        ({"to": "March"}, "to"),
        ({"from": "1989-12"}, "from"),
        ({"from": "2026-03", "to": "2025-10"}, "to"),
        ({"region": "atlantis"}, "region"),
        ({"programme_id": "abc"}, "programme_id"),
        ({"programme_id": "0"}, "programme_id"),
        ({"region": "lon\x00don"}, "region"),
    ],
)
def test_bad_filters_are_422(api, query, field):
    answer = api("admin").get("/api/v1/reporting/completeness", query_string=query)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed" and list(error["fields"]) == [field]


def test_the_api_is_scoped(api, network, on_day):
    path = "/api/v1/reporting/completeness"
    funder_a = api("funder", funder=network["funder_a"])
    mine = funder_a.get(path, query_string=OCTOBER_TO_MARCH).get_json()
    # Only its programme's months: Bury's January to March in Improve, not Crewe.
    assert [(s["name"], s["expected"]) for s in mine["sites"]] == [
        ("Ashby IPS", 6),
        ("Bury IPS", 3),
    ]
    other = funder_a.get(path, query_string={"programme_id": network["making"].id})
    assert other.status_code == 403
    assert api("admin").get(path, query_string={"programme_id": 987654}).status_code == 404
    lead = api("site_lead", sites=[network["crewe"]])
    assert [
        s["name"] for s in lead.get(path, query_string=OCTOBER_TO_MARCH).get_json()["sites"]
    ] == ["Crewe IPS"]
    trainer = api("trainer", sites=[network["ashby"]])
    assert trainer.get(path, query_string=OCTOBER_TO_MARCH).get_json()["expected"] == 6


# --- the page --------------------------------------------------------------------------------

HIDDEN = re.compile(
    r'<span class="(?:nhsuk-table-responsive__heading|nhsuk-u-visually-hidden)"[^>]*>.*?</span>',
    re.S,
)


def site_rows(html: str) -> list[list[str]]:
    """The cells of the table of sites, without the headings for small screens."""
    start = html.find("<h2>By site</h2>")
    if start < 0:
        return []
    body = re.search(r'<tbody class="nhsuk-table__body">(.*?)</tbody>', html[start:], re.S)
    if body is None:
        return []
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", HIDDEN.sub("", row), re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_the_page_shows_each_site_and_the_total(client, login_as, network, on_day):
    login_as("admin")
    html = client.get("/reporting/completeness?from=2025-10&to=2026-03").get_data(as_text=True)
    rows = site_rows(html)
    assert [row[2:] for row in rows] == [
        ["6", "3", "2", "1", "50.0%", "33.3%"],
        ["3", "2", "1", "1", "66.7%", "33.3%"],
        ["2", "0", "0", "0", "0.0%", "0.0%"],
        ["11", "5", "3", "2", "45.5%", "27.3%"],
    ]
    assert rows[0][0].startswith("Ashby IPS") and rows[-1][0] == "All sites"
    assert 'data-figure-id="completeness-chart-data"' in html
    assert "Show the figures in this chart as a table" in html
    assert "By programme" in html and "By region" in html
    assert 'href="/reporting/completeness.csv?from=2025-10&amp;to=2026-03"' in html


def test_the_page_says_not_available_when_nothing_is_expected(client, login_as, network, on_day):
    login_as("admin")
    html = client.get("/reporting/completeness?region=wales").get_data(as_text=True)
    assert (
        'Received</dt><dd class="nhsuk-summary-list__value">0 (reporting rate not available)'
        in html
    )
    assert "No site matching these filters was expected to send a return" in html


def test_the_page_reports_bad_filters_at_their_fields(client, login_as, network, on_day):
    login_as("admin")
    html = client.get("/reporting/completeness?from=2026-03&to=2025-10").get_data(as_text=True)
    assert "There is a problem" in html
    assert "The last month must be the same as or after the first month" in html
    html = client.get("/reporting/completeness?from=2026-3").get_data(as_text=True)
    assert "Enter a month as YYYY-MM, like 2024-03" in html


def test_the_page_is_scoped_for_a_site_lead(client, login_as, network, on_day):
    login_as("site_lead", sites=[network["ashby"]])
    html = client.get("/reporting/completeness?from=2025-10&to=2026-03").get_data(as_text=True)
    rows = site_rows(html)
    assert len(rows) == 2 and rows[0][0].startswith("Ashby IPS") and rows[1][0] == "All sites"
    assert "These figures count the sites you may see." in html


def test_the_page_uses_the_same_number_of_queries_for_2_and_8_sites(
    client, login_as, make, db, on_day
):
    programme = make.programme(starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31))
    login_as("admin")
    path = "/reporting/completeness?from=2025-10&to=2026-03"
    grow(make, programme, 2)
    with count_queries(db.engine) as few:
        assert len(site_rows(client.get(path).get_data(as_text=True))) == 3
    grow(make, programme, 6)
    with count_queries(db.engine) as many:
        assert len(site_rows(client.get(path).get_data(as_text=True))) == 9
    assert len(few) == len(many)


# --- the downloads ---------------------------------------------------------------------------


def test_the_csv_download(client, login_as, network, on_day):
    login_as("admin")
    response = client.get("/reporting/completeness.csv?from=2025-10&to=2026-03&region=north-west")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        "ips-completeness-2025-10-2026-03-north-west.csv" in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["level"], r["region"], r["programme"], r["site"], r["expected"]) for r in rows] == [
        ("total", "", "", "", "9"),
        ("region", "north-west", "", "", "9"),
        ("programme", "", "Improve", "", "9"),
        ("programme", "", "Making IPS Work", "", "3"),
        ("site", "north-west", "", "Ashby IPS", "6"),
        ("site", "north-west", "", "Bury IPS", "3"),
    ]
    assert (rows[0]["first_month"], rows[0]["last_month"]) == ("2025-10", "2026-03")
    assert (rows[0]["reporting_rate"], rows[0]["on_time_rate"]) == ("0.5556", "0.3333")


def test_the_xlsx_download(client, login_as, network, on_day):
    login_as("admin")
    response = client.get("/reporting/completeness.xlsx?from=2025-10&to=2026-03")
    workbook = load_workbook(io.BytesIO(response.data))
    values = list(workbook["Reporting completeness"].iter_rows(values_only=True))
    assert values[0][:3] == ("Level", "Region", "Programme ID")
    assert values[1][0] == "Total" and values[1][9:13] == (11, 5, 3, 2)
    assert workbook.sheetnames == ["Reporting completeness", "About"]
    assert client.get("/reporting/completeness.pdf").status_code == 404


def test_the_export_machinery_has_completeness(client, login_as, api, network):
    login_as("funder", funder=network["funder_b"])
    improve, making = network["improve"], network["making"]
    response = client.get(f"/exports/completeness.csv?programme_id={making.id}&period=2026")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["level"] == "total" and rows[0]["first_month"] == "2026-01"
    assert [r["site"] for r in rows if r["level"] == "site"] == ["Bury IPS", "Crewe IPS"]
    assert client.get(f"/exports/completeness.csv?programme_id={improve.id}").status_code == 403
    answer = api("admin").get("/api/v1/exports/completeness.xlsx")
    assert answer.status_code == 200 and answer.data[:2] == b"PK"


# --- the programme page ----------------------------------------------------------------------


def test_the_programme_page_shows_its_completeness_and_links_the_page(client, login_as, network):
    improve = network["improve"]
    login_as("admin")
    html = client.get(f"/programmes/{improve.id}?period=fy-2025-26").get_data(as_text=True)
    # April 2025 to March 2026: Ashby's 6 months and Bury's 3 in Improve.
    assert "55.6% (5 of 9 returns expected were received)" in html
    assert "33.3% (3 received by their due date)" in html
    link = f"/reporting/completeness?programme_id={improve.id}&amp;from=2025-04&amp;to=2026-03"
    assert f'href="{link}"' in html


def test_the_programme_page_keeps_its_query_count_flat(client, login_as, make, db):
    programme = make.programme(starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31))
    login_as("admin")
    path = f"/programmes/{programme.id}"
    grow(make, programme, 2)
    with count_queries(db.engine) as few:
        assert client.get(path).status_code == 200
    grow(make, programme, 6)
    with count_queries(db.engine) as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many)


def test_the_programmes_and_late_returns_pages_link_the_page(client, login_as, make):
    login_as("trainer")
    for path in ("/programmes/", "/returns/late"):
        assert 'href="/reporting/completeness"' in client.get(path).get_data(as_text=True)
