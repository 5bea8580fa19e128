"""The XLSX downloads are for people: plain headings, names for codes, months and dates shown as
such, percentages; the progress export a sheet per table (Summary, By quarter and year, Sites,
Rates). An ended programme's exports default to its own run and fill `left_on`; the pages'
download links carry the page's period; `?period=` narrows the months."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import pytest

from tests.programme.reports.test_exports import csv_rows, sheet_rows

PROGRESS_SHEETS = ["Summary", "By quarter and year", "Sites", "Rates", "About"]
ESTIMATES = {
    "Run rate (job starts a month)",
    "Projected by the end",
    "Ahead of expected (behind if negative)",
}


def book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def cells_by_heading(sheet, row: int) -> dict[str, object]:
    """The cells (not values) of a row, by heading."""
    return {
        heading.value: cell
        for heading, cell in zip(sheet[1], sheet[row], strict=True)
        if heading.value is not None
    }


def about_lines(workbook) -> list[str]:
    return [row[0] for row in workbook["About"].iter_rows(values_only=True) if row[0]]


# left_on and the default period of a programme that has ended ---------------------------------


def test_an_ended_programmes_sites_left_on_its_last_day_or_their_own(api, ended):
    making, improve = ended["making"], ended["improve"]
    rows = csv_rows(api("admin").get("/api/v1/exports/progress.csv"))
    sites = {(row["programme"], row["site"]): row for row in rows if row["level"] == "site"}
    # Bradford stayed to the end of Making IPS Work: it took part to 31 March 2018.
    assert sites["Making IPS Work", "Bradford IPS"]["left_on"] == "2018-03-31"
    assert sites["Making IPS Work", "Berkshire IPS"]["left_on"] == "2016-09-30"  # its own
    assert sites["Improve", "Bradford IPS"]["left_on"] == ""  # still taking part
    assert {row["programme_id"] for row in rows} == {str(making.id), str(improve.id)}


def test_an_ended_programmes_exports_default_to_its_own_run(api, ended):
    making, bradford = ended["making"], ended["bradford"]
    caller = api("admin")
    narrowed = f"programme_id={making.id}"
    reviews = csv_rows(caller.get(f"/api/v1/exports/fidelity.csv?{narrowed}"))
    # Bradford's review of June 2020 came after the programme: its run leaves it out.
    assert [(row["site"], row["reviewed_on"]) for row in reviews] == [
        ("Berkshire IPS", "2015-12-02"),
        ("Bradford IPS", "2016-06-15"),
    ]
    # The same as asking for the programme's run; without the programme, every review.
    assert csv_rows(caller.get(f"/api/v1/exports/fidelity.csv?{narrowed}&period=programme")) == (
        reviews
    )
    assert len(csv_rows(caller.get("/api/v1/exports/fidelity.csv"))) == 3
    for name in ("returns", "progress", "fidelity"):
        workbook = book(caller.get(f"/api/v1/exports/{name}.xlsx?{narrowed}"))
        lines = about_lines(workbook)
        assert "Programme: Making IPS Work, 1 April 2015 to 31 March 2018." in lines, name
        assert "Period: The programme's run, April 2015 to March 2018." in lines, name
    site_only = book(caller.get(f"/api/v1/exports/returns.xlsx?site_id={bradford.id}"))
    assert "Period: every month." in about_lines(site_only)


def test_a_running_programmes_exports_hold_every_month_it_counts_by_default(api, ended):
    improve = ended["improve"]
    caller = api("admin")
    rows = csv_rows(caller.get(f"/api/v1/exports/returns.csv?programme_id={improve.id}"))
    assert [(row["site"], row["month"]) for row in rows] == [("Bradford IPS", "2025-06")]
    workbook = book(caller.get(f"/api/v1/exports/returns.xlsx?programme_id={improve.id}"))
    assert "Period: every month." in about_lines(workbook)


def test_a_period_keeps_its_months_and_an_unknown_one_is_refused(api, client, login_as, ended):
    making = ended["making"]
    caller = api("admin")
    year = csv_rows(
        caller.get(f"/api/v1/exports/returns.csv?programme_id={making.id}&period=fy-2015-16")
    )
    assert [row["month"] for row in year] == [
        "2015-04",
        "2015-04",
        "2015-05",
        "2015-06",
        "2015-07",
        "2016-01",
    ]
    every_site = csv_rows(caller.get("/api/v1/exports/returns.csv?period=fy-2016-17"))
    assert [(row["site"], row["month"]) for row in every_site] == [
        ("Berkshire IPS", "2016-10"),
        ("Bradford IPS", "2016-04"),
    ]
    calendar = csv_rows(caller.get("/api/v1/exports/fidelity.csv?period=2020"))
    assert [row["reviewed_on"] for row in calendar] == ["2020-06-10"]
    for query in ("period=someday", "period=programme", f"programme_id={making.id}&period=1066"):
        response = caller.get(f"/api/v1/exports/returns.csv?{query}")
        assert response.status_code == 422, query
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and "period" in error["fields"], query
    login_as("admin")
    assert client.get("/exports/returns.xlsx?period=someday").status_code == 422


def test_the_pages_download_links_carry_the_pages_period(client, login_as, ended):
    making, improve = ended["making"], ended["improve"]
    login_as("funder", funder=making.funder)

    def periods_of_links(url: str) -> set[str]:
        page = client.get(url).get_data(as_text=True)
        links = re.findall(r'href="(/exports/[^"]+)"', page)
        # CSV, XLSX and open data of three tables, and of completeness on the programme's page
        assert len(links) == (9 if url.endswith("/report") else 12), url
        return {re.search(r"period=([^&]*)", link.replace("&amp;", "&"))[1] for link in links}

    # An ended programme's page and report read its own run, and so do their downloads.
    assert periods_of_links(f"/programmes/{making.id}") == {"programme"}
    assert periods_of_links(f"/programmes/{making.id}/report") == {"programme"}
    assert periods_of_links(f"/programmes/{making.id}?period=fy-2016-17") == {"fy-2016-17"}
    assert periods_of_links(f"/programmes/{improve.id}") == {"last-12-months"}
    page = client.get(f"/programmes/{making.id}?period=fy-2016-17").get_data(as_text=True)
    assert "The files follow the period chosen on this page (financial year 2016-17)" in page


# The XLSX for people --------------------------------------------------------------------------


def test_returns_xlsx_has_plain_headings_region_names_and_months_shown_as_months(api, ended):
    making = ended["making"]
    workbook = book(api("admin").get(f"/api/v1/exports/returns.xlsx?programme_id={making.id}"))
    assert workbook.sheetnames == ["Monthly returns", "About"]
    sheet = workbook["Monthly returns"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[:13] == [
        "Site ID",
        "Site",
        "Organisation",
        "Region",
        "Month",
        "Referrals",
        "Caseload",
        "New to the service",
        "First contact within 4 weeks",
        "Job starts",
        "In work",
        "Jobs sustained 13 weeks",
        "Discharges",
    ]
    assert "Employment specialists (full-time equivalent)" in headings
    assert "Job starts: Retail" in headings
    assert not [heading for heading in headings if "_" in heading]  # no code names
    row = cells_by_heading(sheet, 3)  # Bradford, April 2015 (after Berkshire's one month)
    assert row["Site"].value == "Bradford IPS"
    assert row["Region"].value == "North East and Yorkshire"
    assert row["Month"].value == datetime(2015, 4, 1)
    assert row["Month"].number_format == "mmm yyyy"
    assert row["Caseload"].value == 1202 and row["Caseload"].number_format == "#,##0"
    assert row["Job starts: Retail"].value == 2


def test_progress_xlsx_has_a_sheet_per_table_and_says_the_period_in_its_summary(api, ended):
    making = ended["making"]
    workbook = book(api("admin").get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}"))
    assert workbook.sheetnames == PROGRESS_SHEETS
    summary = workbook["Summary"]
    assert summary.freeze_panes == "A2"
    row = cells_by_heading(summary, 2)
    assert row["Programme"].value == "Making IPS Work"
    assert row["Status"].value == "Target missed"  # 23 of 340: not "missed"
    assert row["Starts"].value == datetime(2015, 4, 1)
    assert row["Ends"].value == datetime(2018, 3, 31)
    assert row["Ends"].number_format == "d mmm yyyy"
    assert row["Job starts achieved"].value == 23
    assert row["Percent of target"].value == pytest.approx(0.068)  # 6.8%
    assert row["Percent of target"].number_format == "0.0%"
    assert row["Job-start target"].value == 340 and row["Sites"].value == 2
    footer = [r[0] for r in summary.iter_rows(min_row=3, values_only=True) if r[0]]
    assert any("Period: The programme's run, April 2015 to March 2018" in line for line in footer)
    for name in PROGRESS_SHEETS[:-1]:
        assert workbook[name].freeze_panes == "A2", name


def test_progress_by_quarter_and_financial_year_against_the_target_profile(api, ended):
    making = ended["making"]
    workbook = book(api("admin").get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}"))
    rows = sheet_rows(workbook["By quarter and year"])
    shown = [
        (
            row["Financial year"],
            row["Quarter"],
            row["From"],
            row["To"],
            row["Job starts"],
            row["Job starts so far this financial year"],
            row["Job starts since the programme began"],
            row["Expected by then"],
            row["Ahead of expected (behind if negative)"],
        )
        for row in rows
    ]
    month = datetime
    assert shown[:6] == [
        ("2015-16", "Q1", month(2015, 4, 1), month(2015, 6, 1), 7, 7, 7, 0, 7),
        ("2015-16", "Q2", month(2015, 7, 1), month(2015, 9, 1), 4, 11, 11, 0, 11),
        ("2015-16", "Q3", month(2015, 10, 1), month(2015, 12, 1), 0, 11, 11, 0, 11),
        ("2015-16", "Q4", month(2016, 1, 1), month(2016, 3, 1), 5, 16, 16, 100, -84),
        ("2015-16", "Year", month(2015, 4, 1), month(2016, 3, 1), 16, 16, 16, 100, -84),
        # A month the profile leaves out carries its last figure forward.
        ("2016-17", "Q1", month(2016, 4, 1), month(2016, 6, 1), 7, 7, 23, 100, -77),
    ]
    assert len(rows) == 3 * 5  # three years of four quarters and the year
    assert shown[-1] == (
        "2017-18",
        "Year",
        month(2017, 4, 1),
        month(2018, 3, 1),
        0,
        0,
        23,
        340,
        -317,
    )
    first = cells_by_heading(workbook["By quarter and year"], 2)
    assert first["From"].number_format == "mmm yyyy"
    assert first["Percent of target"].value == pytest.approx(7 / 340, abs=0.0005)


def test_progress_sites_sheet_says_who_took_part_until_when(api, ended):
    making = ended["making"]
    workbook = book(api("admin").get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}"))
    sheet = workbook["Sites"]
    rows = sheet_rows(sheet)
    assert [
        (r["Site"], r["Region"], r["Took part until"], r["Job starts"], r["Site target"])
        for r in rows
    ] == [
        ("Berkshire IPS", "South East", datetime(2016, 9, 30), 1, 40),
        ("Bradford IPS", "North East and Yorkshire", datetime(2018, 3, 31), 22, 60),
    ]
    assert cells_by_heading(sheet, 3)["Took part until"].number_format == "d mmm yyyy"
    assert rows[1]["Percent of site target"] == pytest.approx(22 / 60, abs=0.0005)


def test_progress_rates_sheet_matches_each_sites_outcomes_over_the_period(api, ended):
    making, bradford = ended["making"], ended["bradford"]
    caller = api("admin")
    workbook = book(caller.get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}"))
    rows = {row["Site"]: row for row in sheet_rows(workbook["Rates"])}
    assert set(rows) == {"Berkshire IPS", "Bradford IPS"}
    outcomes = caller.get(f"/api/v1/sites/{bradford.id}/outcomes?from=2015-04&to=2018-03")
    rates = outcomes.get_json()
    row = rows["Bradford IPS"]
    assert (row["From"], row["To"]) == (datetime(2015, 4, 1), datetime(2018, 3, 1))
    assert row["Months reported"] == 6
    for heading, name in (
        ("Employment rate", "employment_rate"),
        ("Job-start rate", "job_start_rate"),
        ("Sustained 13 weeks", "sustainment_13_weeks"),
        ("Contact within 4 weeks", "contact_within_4_weeks"),
        ("Caseload per full-time specialist", "caseload_per_specialist"),
    ):
        assert row[heading] == pytest.approx(rates[name]), heading
    cells = cells_by_heading(workbook["Rates"], 3)
    assert cells["Employment rate"].number_format == "0.0%"


def test_fidelity_xlsx_names_the_items_the_kinds_and_the_bands(api, ended):
    workbook = book(api("admin").get("/api/v1/exports/fidelity.xlsx"))
    sheet = workbook["Fidelity reviews"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[4:10] == [
        "Reviewed on",
        "Kind of review",
        "Total (25 to 125)",
        "Band",
        "1. Caseload size",
        "2. Employment services staff",
    ]
    assert "15. Rapid search for competitive job" in headings
    assert headings[-1].startswith("25. Assertive engagement and outreach")
    assert len(headings) == 8 + 25
    rows = sheet_rows(sheet)
    assert [(r["Site"], r["Kind of review"], r["Band"]) for r in rows] == [
        ("Berkshire IPS", "Peer review", "Fair"),
        ("Bradford IPS", "External review", "Good"),
        ("Bradford IPS", "External review", "Exemplary"),
    ]
    assert cells_by_heading(sheet, 2)["Reviewed on"].number_format == "d mmm yyyy"


def test_open_data_xlsx_publishes_no_estimates_made_from_counts(api, ended):
    making = ended["making"]
    caller = api("admin")
    exact = book(caller.get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}"))
    published = book(caller.get(f"/api/v1/exports/progress.xlsx?programme_id={making.id}&open=1"))
    assert published.sheetnames == PROGRESS_SHEETS

    def headings(workbook) -> set[str]:
        return {cell.value for name in PROGRESS_SHEETS[:-1] for cell in workbook[name][1]}

    assert headings(exact) >= ESTIMATES
    assert not ESTIMATES & headings(published)
    summary = sheet_rows(published["Summary"])[0]
    assert summary["Job starts achieved"] == 25  # 23 rounded to the nearest 5
    assert summary["Percent of target"] == pytest.approx(25 / 340, abs=0.0005)
    sites = {row["Site"]: row for row in sheet_rows(published["Sites"])}
    assert sites["Berkshire IPS"]["Job starts"] == "*"  # 1 is hidden...
    assert sites["Berkshire IPS"]["Percent of site target"] is None  # ...and so is its percent


def test_csv_columns_stay_as_they_were(api, ended):
    """The CSV is for machines: other teams read these columns by name. (New columns come last:
    progress's awaiting_approval and basis, returns' status, since issue 16.)"""
    caller = api("admin")
    expected = {
        "progress": "level,programme_id,programme,funder,starts_on,ends_on,site_id,site,"
        "organisation,region,joined_on,left_on,target,achieved,expected,percent,status,"
        "awaiting_approval,basis",
        "fidelity": "site_id,site,organisation,region,reviewed_on,kind,total,band,"
        + ",".join(f"item_{n}" for n in range(1, 26)),
    }
    for name, header in expected.items():
        text = caller.get(f"/api/v1/exports/{name}.csv").get_data(as_text=True)
        assert next(csv.reader(io.StringIO(text))) == header.split(","), name
    returns = caller.get("/api/v1/exports/returns.csv").get_data(as_text=True)
    assert next(csv.reader(io.StringIO(returns)))[:5] == [
        "site_id",
        "site",
        "organisation",
        "region",
        "month",
    ]
    assert ",north-east-and-yorkshire,2015-04," in returns  # slugs and "YYYY-MM" months
