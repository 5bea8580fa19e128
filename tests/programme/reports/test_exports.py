"""GET /exports/{name}.csv|.xlsx (the API and the pages' twin): the tables' rows and totals worked
by hand, the scope (a funder's export never holds another funder's sites), the XLSX's typed cells
and frozen header, open data's small-number rule, errors and a bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from sites.models import SECTORS
from tests.query_counter import count_queries

EVERY_NAME = ("returns", "progress", "fidelity")
FORMATS = ("csv", "xlsx")
# The columns that count people or events: the ones open data must hide from 1 to 4. Written
# out here rather than read from the module under test.
RETURN_COUNTS = [
    "referrals",
    "caseload",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts",
    "in_work",
    "sustained_13_weeks",
    "discharges",
    *(f"job_starts_{sector}" for sector in SECTORS),
]
COUNT_COLUMNS = {"returns": RETURN_COUNTS, "progress": ["achieved"], "fidelity": []}
# The same in the XLSX, by heading, over every sheet (progress: Summary, By quarter and year,
# Sites and Rates).
RETURN_COUNT_HEADINGS = [
    "Referrals",
    "Caseload",
    "New to the service",
    "First contact within 4 weeks",
    "Job starts",
    "In work",
    "Jobs sustained 13 weeks",
    "Discharges",
    *(f"Job starts: {label}" for label in SECTORS.values()),
]
XLSX_COUNT_COLUMNS = {
    "returns": RETURN_COUNT_HEADINGS,
    "progress": [
        "Job starts achieved",
        "Job starts",
        "Job starts so far this financial year",
        "Job starts since the programme began",
        "Caseload, summed over the months",
        "In work, summed over the months",
        "New to the service",
        "First contact within 4 weeks",
        "Job starts three months earlier",
        "Jobs sustained 13 weeks",
    ],
    "fidelity": [],
}


@pytest.fixture
def network(make):
    """Funder A pays for Making IPS Work (Bradford and Berkshire); funder B for the Sussex pilot.

    Job starts the programme counts (2020-01 to 2020-03): Bradford 3 + 7 + 12 = 22, Berkshire
    2 + 0 = 2; 24 in all against 340. Bradford's return of December 2019 (before the programme)
    and its draft of April 2020 are not counted."""
    funder_a = make.funder(name="Department of Health innovation fund")
    funder_b = make.funder(name="Sussex commissioners")
    making = make.programme(
        funder=funder_a,
        name="Making IPS Work",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        job_start_target=340,
    )
    sussex = make.programme(
        funder=funder_b,
        name="Sussex pilot",
        starts_on=date(2012, 1, 1),
        ends_on=date(2012, 12, 31),
        job_start_target=125,
    )
    bradford_trust = make.organisation(
        name="Bradford District Care NHS Foundation Trust", region="north-east-and-yorkshire"
    )
    bradford = make.site(
        name="Bradford IPS", organisation=bradford_trust, region="north-east-and-yorkshire"
    )
    berkshire = make.site(name="Berkshire IPS", region="south-east")
    brighton = make.site(name="Brighton IPS", region="south-east")
    make.participation(making, bradford, site_target=30)
    make.participation(making, berkshire, site_target=10)
    make.participation(sussex, brighton)

    # Approved, so that funders and open data count them as staff do (tests/programme/
    # test_approved_only.py tells the two apart).
    approved = {"status": "approved"}
    make.monthly_return(bradford, date(2019, 12, 1), job_starts=5, **approved)
    make.monthly_return(bradford, date(2020, 1, 1), job_starts=3, **approved)
    make.monthly_return(
        bradford,
        date(2020, 2, 1),
        job_starts=7,
        sectors={"retail": 4, "hospitality": 3},
        **approved,
    )
    make.monthly_return(
        bradford, date(2020, 3, 1), job_starts=12, caseload=61, in_work=23, **approved
    )
    make.monthly_return(bradford, date(2020, 4, 1), job_starts=9, status="draft")
    make.monthly_return(berkshire, date(2020, 1, 1), job_starts=2, **approved)
    make.monthly_return(berkshire, date(2020, 2, 1), job_starts=0, in_work=0, **approved)
    make.monthly_return(brighton, date(2012, 3, 1), job_starts=9, **approved)

    make.fidelity_review(bradford, 100, date(2020, 6, 1), kind="peer_review")
    make.fidelity_review(bradford, 118, date(2021, 6, 1))
    make.fidelity_review(berkshire, 90, date(2021, 1, 1), status="draft")
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


# Reading the files ----------------------------------------------------------------------------


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def xlsx_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return workbook.worksheets[0]


def sheet_rows(sheet) -> list[dict[str, object]]:
    """A sheet's rows by heading, down to the first empty row (a footer may follow it)."""
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], []
    for row in rows[1:]:
        if all(value is None for value in row):
            break
        body.append(dict(zip(header, row, strict=True)))
    return body


def xlsx_rows(response) -> list[dict[str, object]]:
    return sheet_rows(xlsx_sheet(response))


def xlsx_tables(response) -> dict[str, list[dict[str, object]]]:
    """Every sheet but "About", its rows by heading."""
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: sheet_rows(sheet) for sheet in workbook if sheet.title != "About"}


def rows_of(response, format: str) -> list[dict[str, object]]:
    """CSV rows by column name; XLSX rows of every sheet by heading."""
    if format == "csv":
        return csv_rows(response)
    return [row for rows in xlsx_tables(response).values() for row in rows]


def ids(rows, column: str) -> set[int]:
    return {int(row[column]) for row in rows if row.get(column) not in (None, "")}


SITE_ID = {"csv": "site_id", "xlsx": "Site ID"}
PROGRAMME_ID = {"csv": "programme_id", "xlsx": "Programme ID"}


# The tables, worked by hand -------------------------------------------------------------------


def test_returns_export_has_one_row_per_submitted_return_with_every_figure(api, network):
    bradford, berkshire, brighton = network["bradford"], network["berkshire"], network["brighton"]
    response = api("admin").get("/api/v1/exports/returns.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.is_streamed
    rows = csv_rows(response)
    # A to Z by site, then by month; the draft is left out.
    assert [(row["site"], row["month"]) for row in rows] == [
        ("Berkshire IPS", "2020-01"),
        ("Berkshire IPS", "2020-02"),
        ("Bradford IPS", "2019-12"),
        ("Bradford IPS", "2020-01"),
        ("Bradford IPS", "2020-02"),
        ("Bradford IPS", "2020-03"),
        ("Brighton IPS", "2012-03"),
    ]
    march = rows[5]
    assert march == {
        "site_id": str(bradford.id),
        "site": "Bradford IPS",
        "organisation": "Bradford District Care NHS Foundation Trust",
        "region": "north-east-and-yorkshire",
        "month": "2020-03",
        "referrals": "10",
        "caseload": "61",
        "new_to_service": "8",
        "first_contact_within_4_weeks": "6",
        "job_starts": "12",
        "in_work": "23",
        "sustained_13_weeks": "2",
        "discharges": "4",
        "employment_specialists_fte": "2.00",
        **{f"job_starts_{sector}": "" for sector in SECTORS},  # no sectors recorded
        "status": "approved",
    }
    february = rows[4]
    assert february["job_starts_retail"] == "4"
    assert february["job_starts_hospitality"] == "3"
    assert february["job_starts_construction"] == "0"
    assert sum(int(row["job_starts"]) for row in rows) == 2 + 0 + 5 + 3 + 7 + 12 + 9
    assert ids(rows, "site_id") == {bradford.id, berkshire.id, brighton.id}


def test_a_programmes_returns_are_the_months_it_counts_and_add_up_to_its_achieved(api, network):
    making = network["making"]
    caller = api("admin")
    rows = csv_rows(caller.get(f"/api/v1/exports/returns.csv?programme_id={making.id}"))
    assert [(row["site"], row["month"]) for row in rows] == [
        ("Berkshire IPS", "2020-01"),
        ("Berkshire IPS", "2020-02"),
        ("Bradford IPS", "2020-01"),
        ("Bradford IPS", "2020-02"),
        ("Bradford IPS", "2020-03"),
    ]
    assert sum(int(row["job_starts"]) for row in rows) == 24
    progress = caller.get(f"/api/v1/programmes/{making.id}/progress").get_json()
    assert progress["achieved"] == 24


def test_progress_export_has_each_programme_then_its_sites(api, network):
    making, sussex = network["making"], network["sussex"]
    rows = csv_rows(api("admin").get("/api/v1/exports/progress.csv"))
    assert [(row["level"], row["programme"], row["site"]) for row in rows] == [
        ("programme", "Making IPS Work", ""),
        ("site", "Making IPS Work", "Berkshire IPS"),
        ("site", "Making IPS Work", "Bradford IPS"),
        ("programme", "Sussex pilot", ""),
        ("site", "Sussex pilot", "Brighton IPS"),
    ]
    programme, berkshire, bradford = rows[0], rows[1], rows[2]
    assert programme["programme_id"] == str(making.id)
    assert programme["funder"] == "Department of Health innovation fund"
    assert programme["starts_on"] == "2020-01-01"
    assert programme["ends_on"] == "2022-12-31"
    assert programme["target"] == "340"
    assert programme["achieved"] == "24"
    assert programme["percent"] == "7.1"  # 24 / 340 = 7.06%
    assert programme["status"] in {"on_track", "at_risk", "off_track", "met", "missed"}
    assert float(programme["expected"]) == pytest.approx(340.0, abs=0.05)  # ended: the target
    assert (bradford["achieved"], bradford["target"], bradford["percent"]) == ("22", "30", "73.3")
    assert (berkshire["achieved"], berkshire["target"], berkshire["percent"]) == ("2", "10", "20.0")
    # The programme ended on 31 December 2022, and the sites stayed to its end.
    assert bradford["joined_on"] == "2020-01-01" and bradford["left_on"] == "2022-12-31"
    assert bradford["expected"] == "" and bradford["status"] == ""
    assert int(bradford["achieved"]) + int(berkshire["achieved"]) == int(programme["achieved"])
    assert rows[3]["programme_id"] == str(sussex.id)
    assert rows[3]["achieved"] == "9" and rows[3]["status"] == "missed"


def test_fidelity_export_lists_final_reviews_with_item_scores_for_staff(api, network):
    bradford = network["bradford"]
    rows = csv_rows(api("admin").get("/api/v1/exports/fidelity.csv"))
    assert [(row["site"], row["reviewed_on"], row["total"], row["band"]) for row in rows] == [
        ("Bradford IPS", "2020-06-01", "100", "good"),
        ("Bradford IPS", "2021-06-01", "118", "exemplary"),
        ("Brighton IPS", "2012-09-01", "80", "fair"),
    ]
    latest = rows[1]
    assert latest["site_id"] == str(bradford.id)
    assert latest["kind"] == "external_review"
    # 118 over 25 items: 4 each and 18 more, so items 1 to 18 score 5 and 19 to 25 score 4.
    assert [latest[f"item_{n}"] for n in range(1, 26)] == ["5"] * 18 + ["4"] * 7
    assert rows[0]["kind"] == "peer_review"


def test_funders_fidelity_export_has_totals_and_bands_but_no_item_scores(api, make, network):
    funder = make.user("funder", funder=network["funder_a"])
    rows = csv_rows(api(funder).get("/api/v1/exports/fidelity.csv"))
    assert [(row["site"], row["total"], row["band"]) for row in rows] == [
        ("Bradford IPS", "100", "good"),
        ("Bradford IPS", "118", "exemplary"),
    ]
    assert not any(name.startswith("item_") for name in rows[0])


# Scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("open_form", ["", "&open=1"])
@pytest.mark.parametrize("format", FORMATS)
def test_a_funders_export_never_holds_another_funders_sites(api, make, network, format, open_form):
    funder = make.user("funder", funder=network["funder_a"])
    caller = api(funder)
    mine = {network["bradford"].id, network["berkshire"].id}
    making = network["making"].id
    for name in EVERY_NAME:
        for narrow in ("", f"programme_id={making}"):
            path = f"/api/v1/exports/{name}.{format}?{narrow}{open_form}"
            response = caller.get(path)
            assert response.status_code == 200, path
            rows = rows_of(response, format)
            assert rows, path
            assert ids(rows, SITE_ID[format]) <= mine, path
            text = str(rows)
            assert "Brighton" not in text and "Sussex" not in text, path
            if name == "progress":
                assert ids(rows, PROGRAMME_ID[format]) == {making}, path


def test_a_funder_may_not_narrow_to_another_funders_programme_or_site(api, make, network):
    funder = make.user("funder", funder=network["funder_a"])
    caller = api(funder)
    sussex, brighton = network["sussex"].id, network["brighton"].id
    assert caller.get(f"/api/v1/exports/returns.csv?programme_id={sussex}").status_code == 403
    assert caller.get(f"/api/v1/exports/returns.csv?site_id={brighton}").status_code == 403
    missing = caller.get("/api/v1/exports/returns.csv?programme_id=987654")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_site_leads_and_trainers_export_only_their_sites_returns(api, make, network):
    bradford, berkshire = network["bradford"], network["berkshire"]
    lead = api("site_lead", sites=[berkshire])
    rows = csv_rows(lead.get("/api/v1/exports/returns.csv"))
    assert ids(rows, "site_id") == {berkshire.id}
    trainer = api("trainer", sites=[bradford])
    rows = csv_rows(trainer.get("/api/v1/exports/fidelity.csv"))
    assert ids(rows, "site_id") == {bradford.id}
    assert trainer.get(f"/api/v1/exports/returns.csv?site_id={berkshire.id}").status_code == 403


def test_the_pages_download_links_use_the_session_with_the_same_scope(client, login_as, network):
    login_as("funder", funder=network["funder_a"])
    response = client.get(f"/exports/returns.xlsx?programme_id={network['making'].id}")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert sum(row["Job starts"] for row in rows) == 24
    assert client.get(f"/exports/returns.csv?programme_id={network['sussex'].id}").status_code == (
        403
    )
    assert client.get("/exports/returns.csv?programme_id=abc").status_code == 404
    assert client.get("/exports/nothing.csv").status_code == 404


def test_the_site_page_narrows_to_its_site(api, network):
    bradford = network["bradford"]
    rows = csv_rows(api("admin").get(f"/api/v1/exports/returns.csv?site_id={bradford.id}"))
    assert ids(rows, "site_id") == {bradford.id}
    assert len(rows) == 4


# The XLSX file --------------------------------------------------------------------------------


def test_xlsx_has_a_bold_frozen_header_typed_cells_widths_and_a_filename(api, network):
    making = network["making"]
    response = api("admin").get(f"/api/v1/exports/returns.xlsx?programme_id={making.id}")
    assert response.status_code == 200
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename=ips-returns-programme-{making.id}-{date.today().isoformat()}.xlsx" in (
        disposition.replace('"', "")
    )
    sheet = xlsx_sheet(response)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["Site ID", "Site", "Organisation", "Region", "Month", "Referrals"]
    assert all(cell.font.b for cell in sheet[1])
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert first["Month"].is_date and first["Month"].value == datetime(2020, 1, 1)
    assert first["Month"].number_format == "mmm yyyy"
    assert first["Job starts"].data_type == "n" and first["Job starts"].value == 2
    assert first["Site ID"].value == network["berkshire"].id
    fte = first["Employment specialists (full-time equivalent)"]
    assert fte.value == pytest.approx(2.0)
    assert first["Site"].data_type == "s"
    assert sheet.column_dimensions["B"].width == 32
    assert openpyxl.load_workbook(io.BytesIO(response.get_data())).sheetnames == [
        "Monthly returns",
        "About",
    ]


def test_text_that_looks_like_a_formula_stays_text(api, make, network):
    site = make.site(name="=HYPERLINK(1)")
    make.monthly_return(site, date(2020, 1, 1))
    caller = api("admin")
    sheet = xlsx_sheet(caller.get(f"/api/v1/exports/returns.xlsx?site_id={site.id}"))
    assert sheet["B2"].value == "=HYPERLINK(1)" and sheet["B2"].data_type == "s"
    rows = csv_rows(caller.get(f"/api/v1/exports/returns.csv?site_id={site.id}"))
    assert rows[0]["site"] == "'=HYPERLINK(1)"


# Open data ------------------------------------------------------------------------------------


def small_counts(
    name: str, rows: list[dict[str, object]], format: str = "csv"
) -> list[tuple[str, object]]:
    """Every count cell that shows a number from 1 to 4."""
    found = []
    columns = COUNT_COLUMNS[name] if format == "csv" else XLSX_COUNT_COLUMNS[name]
    for row in rows:
        for column in columns:
            value = row.get(column)
            if value in (None, "", "*"):
                continue
            number = Decimal(str(value))
            if 1 <= number <= 4:
                found.append((column, value))
    return found


@pytest.mark.parametrize("format", FORMATS)
def test_no_count_from_1_to_4_survives_in_any_open_export(api, network, format):
    caller = api("admin")
    for name in EVERY_NAME:
        exact = rows_of(caller.get(f"/api/v1/exports/{name}.{format}"), format)
        # There are some to hide.
        assert small_counts(name, exact, format) or not COUNT_COLUMNS[name]
        published = rows_of(caller.get(f"/api/v1/exports/{name}.{format}?open=1"), format)
        assert len(published) == len(exact)
        assert small_counts(name, published, format) == [], name


def test_open_data_rounds_counts_and_totals_and_recomputes_percentages(api, network):
    caller = api("admin")
    rows = csv_rows(caller.get("/api/v1/exports/progress.csv?open=1"))
    programme, berkshire, bradford = rows[0], rows[1], rows[2]
    assert (programme["achieved"], programme["target"]) == ("25", "340")  # 24 rounds to 25
    assert programme["percent"] == "7.4"  # 25 / 340, not the exact 7.1
    assert (bradford["achieved"], bradford["percent"]) == ("20", "66.7")  # 22 -> 20, of 30
    assert (berkshire["achieved"], berkshire["percent"]) == ("*", "")  # 2 hidden, so no rate
    assert rows[4]["achieved"] == "10"  # Brighton's 9
    returns = csv_rows(caller.get("/api/v1/exports/returns.csv?open=1"))
    march = next(r for r in returns if r["site"] == "Bradford IPS" and r["month"] == "2020-03")
    assert [march[name] for name in RETURN_COUNTS[:8]] == [
        "10",  # referrals 10
        "60",  # caseload 61
        "10",  # new to service 8
        "5",  # first contact 6
        "10",  # job starts 12
        "25",  # in work 23
        "*",  # sustained 2
        "*",  # discharges 4
    ]
    assert march["employment_specialists_fte"] == "2.00"  # staff, not people served
    assert march["site_id"] == str(network["bradford"].id)
    fidelity = csv_rows(caller.get("/api/v1/exports/fidelity.csv?open=1"))
    assert [row["total"] for row in fidelity] == ["100", "118", "80"]  # scores are not counts
    assert not any(name.startswith("item_") for name in fidelity[0])


def test_open_data_xlsx_says_so_and_names_the_file(api, network):
    response = api("admin").get("/api/v1/exports/returns.xlsx?open=1")
    assert "open-data" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    notes = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert any(note and "counts from 1 to 4 are shown as *" in note for note in notes)


# Errors and queries ---------------------------------------------------------------------------


def test_unknown_names_and_formats_answer_404_in_the_contracts_shape(api, network):
    caller = api("admin")
    for path in ("/api/v1/exports/people.csv", "/api/v1/exports/returns.pdf"):
        response = caller.get(path)
        assert response.status_code == 404, path
        error = response.get_json()["error"]
        assert error["code"] == "not_found" and error["message"], path
    bad = caller.get("/api/v1/exports/returns.csv?programme_id=abc")
    assert bad.status_code == 422
    assert "programme_id" in bad.get_json()["error"]["fields"]


def test_anonymous_callers_get_401(client, network):
    assert client.get("/api/v1/exports/returns.csv").status_code == 401


@pytest.mark.parametrize("name", EVERY_NAME)
def test_each_export_costs_the_same_queries_for_one_programme_or_three(
    api, make, db, network, name
):
    caller = api("admin")

    def queries() -> int:
        with count_queries(db.engine) as statements:
            response = caller.get(f"/api/v1/exports/{name}.xlsx")
            assert response.status_code == 200
        return len(statements)

    before = queries()
    for n in range(2):
        programme = make.programme(name=f"Extra programme {n}")
        for m in range(3):
            site = make.site(name=f"Extra site {n}-{m}")
            make.participation(programme, site)
            make.monthly_return(site, date(2020, 5, 1), sectors={"other": 3})
            make.fidelity_review(site, 110, date(2021, 2, 1))
    assert queries() == before
