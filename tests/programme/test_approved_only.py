"""Who counts what (issue 16, point 2): programme staff, trainers and site leads count submitted
and approved returns and are told how much awaits approval; funders, their pages, exports and
report, and every open-data export count approved returns only, "Approved figures as at" a date.
Late returns take a submitted or approved return as received; a draft or a returned one is not.

Returns are approved here by setting their status (sites.returns.workflow decides who may)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest

from core.months import add_months, month_start
from programme.late_returns import last_due_month, late_returns
from programme.progress import programme_progress
from sites.returns.deadlines import ReturnState, return_state
from sites.returns.workflow import COUNTED, COUNTED_FOR_FUNDERS, counted_statuses
from tests.query_counter import count_queries

TODAY = date.today()
THIS_MONTH = month_start(TODAY)
LAST_MONTH = add_months(THIS_MONTH, -1)
TWO_MONTHS_AGO = add_months(THIS_MONTH, -2)


def approve(db, monthly_return) -> None:
    monthly_return.status = "approved"
    monthly_return.approved_at = datetime.now(UTC)
    db.session.commit()


def submit(db, monthly_return) -> None:
    monthly_return.status = "submitted"
    db.session.commit()


@pytest.fixture
def running(make):
    """A programme running from two years ago to two years ahead, funded by `funder`, with one
    site: an approved return of 5 job starts two months ago, and a draft of 3 last month."""
    funder = make.funder(name="Innovation fund")
    programme = make.programme(
        funder=funder,
        name="Improve",
        starts_on=date(TODAY.year - 2, 4, 1),
        ends_on=date(TODAY.year + 2, 3, 31),
        job_start_target=200,
    )
    site = make.site(name="Bradford IPS")
    make.participation(programme, site, joined_on=programme.starts_on, site_target=50)
    approved = make.monthly_return(site, TWO_MONTHS_AGO, job_starts=5, status="approved")
    draft = make.monthly_return(site, LAST_MONTH, job_starts=3, status="draft")
    return {
        "funder": funder,
        "programme": programme,
        "site": site,
        "approved": approved,
        "draft": draft,
    }


# The rule, pure -------------------------------------------------------------------------------


def test_funders_count_approved_returns_only_and_everyone_else_submitted_too():
    assert counted_statuses("funder") == COUNTED_FOR_FUNDERS == ("approved",)
    for role in ("admin", "trainer", "site_lead"):
        assert counted_statuses(role) == COUNTED == ("submitted", "approved")


def test_awaiting_approval_sums_the_counted_months_only():
    progress = programme_progress(
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        target=120,
        monthly_job_starts={date(2024, 2, 1): 10, date(2024, 3, 1): 6, date(2024, 5, 1): 4},
        monthly_awaiting={date(2023, 12, 1): 9, date(2024, 3, 1): 6, date(2024, 5, 1): 1},
        on=date(2024, 4, 15),
    )
    assert progress.achieved == 16
    assert progress.awaiting_approval == 6  # December 2023 is before, May after `on`
    assert [(p.month.month, p.awaiting_approval) for p in progress.by_month] == [
        (1, 0),
        (2, 0),
        (3, 6),
        (4, 0),
    ]
    without = programme_progress(
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        target=120,
        monthly_job_starts={date(2024, 2, 1): 10},
        on=date(2024, 4, 15),
    )
    assert without.awaiting_approval == 0


def test_a_return_sent_back_or_left_as_a_draft_can_be_late_and_an_approved_one_is_received():
    due_on, after = date(2025, 2, 14), date(2025, 3, 1)
    received = {ReturnState.SUBMITTED, ReturnState.APPROVED}
    assert return_state("approved", True, due_on, after) in received
    assert return_state("submitted", True, due_on, after) in received
    assert return_state("returned", True, due_on, after) == ReturnState.LATE
    assert return_state("draft", True, due_on, after) == ReturnState.LATE
    assert return_state("returned", True, due_on, date(2025, 2, 1)) != ReturnState.LATE


# Progress: the API and the pages --------------------------------------------------------------


def progress_of(caller, programme) -> dict:
    response = caller.get(f"/api/v1/programmes/{programme.id}/progress")
    assert response.status_code == 200
    return response.get_json()


def test_a_funders_progress_changes_only_when_a_return_is_approved(api, db, running):
    programme, draft = running["programme"], running["draft"]
    funder = api("funder", funder=running["funder"])
    admin = api("admin")
    trainer = api("trainer")

    before = progress_of(funder, programme)
    assert (before["achieved"], before["awaiting_approval"]) == (5, 0)
    assert progress_of(admin, programme)["achieved"] == 5

    submit(db, draft)
    submitted = progress_of(funder, programme)
    # A submitted return changes none of a funder's figures (only the late returns, which
    # count it as received whoever reads).
    assert {k: v for k, v in submitted.items() if k != "sites"} == {
        k: v for k, v in before.items() if k != "sites"
    }
    assert submitted["sites"][0]["job_starts"] == before["sites"][0]["job_starts"] == 5
    assert submitted["sites"][0]["late_returns"] == before["sites"][0]["late_returns"] - 1
    for staff in (admin, trainer):
        body = progress_of(staff, programme)
        assert (body["achieved"], body["awaiting_approval"]) == (8, 3)
        assert body["by_month"][-2]["job_starts"] == 3  # last month's, awaiting approval
        assert body["sites"][0]["job_starts"] == 8

    approve(db, draft)
    after = progress_of(funder, programme)
    assert (after["achieved"], after["awaiting_approval"]) == (8, 0)
    assert after["sites"][0]["job_starts"] == 8
    assert after["projected"] > before["projected"]  # derived figures follow achieved
    assert progress_of(admin, programme)["awaiting_approval"] == 0


def test_staff_see_how_much_awaits_approval_and_a_funder_sees_approved_figures(
    client, login_as, db, running
):
    programme = running["programme"]
    submit(db, running["draft"])
    login_as("admin")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert re.search(r"Achieved</dt><dd[^>]*>8 job starts, 3 awaiting approval \(", page)
    assert "Approved figures as at" not in page
    network = client.get("/network").get_data(as_text=True)
    assert "3 awaiting approval" in network
    listing = client.get("/programmes/").get_data(as_text=True)
    assert "3 awaiting approval" in listing
    home = client.get("/").get_data(as_text=True)  # staff's home: programmes at risk
    assert "awaiting approval" in home

    login_as("funder", funder=running["funder"])
    day = f"{TODAY.day} {TODAY:%B %Y}"
    for path in (f"/programmes/{programme.id}", f"/programmes/{programme.id}/report", "/"):
        page = client.get(path).get_data(as_text=True)
        assert f"Approved figures as at {day}." in page, path
        assert "awaiting approval" not in page, path
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert re.search(r"Achieved</dt><dd[^>]*>5 job starts \(", page)
    funded = client.get("/").get_data(as_text=True)
    assert re.search(r"Achieved</dt><dd[^>]*>5<", funded)


def test_the_site_page_says_which_outcomes_await_approval(client, login_as, db, running):
    site = running["site"]
    submit(db, running["draft"])
    login_as("site_lead", sites=[site])
    page = client.get(f"/sites/{site.id}?period=last-12-months").get_data(as_text=True)
    assert "Job starts: 8, 3 awaiting approval." in page
    assert "Awaiting approval" in page  # the outcomes chart's table marks last month

    login_as("funder", funder=running["funder"])
    page = client.get(f"/sites/{site.id}?period=last-12-months").get_data(as_text=True)
    assert "Approved figures as at" in page
    assert "Job starts: 5." in page


def test_a_staff_report_can_be_printed_as_the_funder_reads_it(client, login_as, db, running):
    programme = running["programme"]
    submit(db, running["draft"])
    login_as("admin")
    staff = client.get(f"/programmes/{programme.id}/report").get_data(as_text=True)
    assert re.search(r"Achieved</dt><dd[^>]*>8 job starts, 3 awaiting approval", staff)
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    link = f"/programmes/{programme.id}/report?figures=approved"
    assert link in page
    for_funder = client.get(link).get_data(as_text=True)
    assert re.search(r"Achieved</dt><dd[^>]*>5 job starts \(", for_funder)
    assert "Approved figures as at" in for_funder


# Exports and open data ------------------------------------------------------------------------


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def programme_row(caller, programme, open_form: str = "") -> dict[str, str]:
    rows = csv_rows(
        caller.get(f"/api/v1/exports/progress.csv?programme_id={programme.id}{open_form}")
    )
    return next(row for row in rows if row["level"] == "programme")


def summary_of(caller, programme, open_form: str = "") -> dict:
    response = caller.get(f"/api/v1/exports/progress.xlsx?programme_id={programme.id}{open_form}")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Summary"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    about = [row[0] for row in workbook["About"].iter_rows(values_only=True) if row and row[0]]
    return row | {"about": about}


def test_a_funders_exports_and_open_data_change_only_when_a_return_is_approved(
    api, db, make, running
):
    programme, draft = running["programme"], running["draft"]
    # Bring the approved job starts to 10, so open data (which hides 1 to 4) shows them.
    make.monthly_return(
        running["site"], add_months(THIS_MONTH, -3), job_starts=5, status="approved"
    )
    funder = api("funder", funder=running["funder"])
    admin = api("admin")

    def funders_figures() -> tuple:
        row = programme_row(funder, programme)
        returns = csv_rows(funder.get(f"/api/v1/exports/returns.csv?site_id={running['site'].id}"))
        published = programme_row(admin, programme, "&open=1")
        return (
            row["achieved"],
            row["awaiting_approval"],
            row["basis"],
            summary_of(funder, programme)["Job starts achieved"],
            sorted((r["month"], r["job_starts"], r["status"]) for r in returns),
            published["achieved"],
            published["basis"],
        )

    before = funders_figures()
    assert before[:4] == ("10", "0", "approved", 10)
    assert before[5:] == ("10", "approved")
    summary = summary_of(funder, programme)
    assert "Of which awaiting approval" not in summary
    assert any(line.startswith("Approved figures as at") for line in summary["about"])

    submit(db, draft)
    assert funders_figures() == before
    staff = programme_row(admin, programme)
    assert (staff["achieved"], staff["awaiting_approval"]) == ("13", "3")
    assert staff["basis"] == "submitted_and_approved"
    staff_summary = summary_of(admin, programme)
    assert (staff_summary["Job starts achieved"], staff_summary["Of which awaiting approval"]) == (
        13,
        3,
    )
    assert any(line.startswith("Submitted and approved figures") for line in staff_summary["about"])
    staff_returns = csv_rows(admin.get(f"/api/v1/exports/returns.csv?site_id={running['site'].id}"))
    assert {r["status"] for r in staff_returns} == {"submitted", "approved"}

    approve(db, draft)
    after = funders_figures()
    assert after[:4] == ("13", "0", "approved", 13)
    assert (LAST_MONTH.strftime("%Y-%m"), "3", "approved") in after[4]
    assert after[5] == "15"  # 13 rounded to the nearest 5


def test_open_data_counts_approved_returns_whoever_downloads_it(api, db, running):
    programme = running["programme"]
    submit(db, running["draft"])
    for role in ("admin", "site_lead"):
        caller = api(role, sites=[running["site"]]) if role == "site_lead" else api(role)
        row = programme_row(caller, programme, "&open=1")
        assert (row["achieved"], row["awaiting_approval"], row["basis"]) == ("5", "0", "approved")
        returns = csv_rows(
            caller.get(f"/api/v1/exports/returns.csv?site_id={running['site'].id}&open=1")
        )
        assert [r["status"] for r in returns] == ["approved"]


# Late returns ---------------------------------------------------------------------------------


def test_late_returns_take_submitted_and_approved_as_received_not_returned(make, db):
    due = last_due_month(TODAY)
    programme = make.programme(
        starts_on=add_months(due, -2), ends_on=date(TODAY.year + 2, 3, 31), job_start_target=10
    )
    site = make.site()
    make.participation(programme, site, joined_on=add_months(due, -2))
    # The three months up to the last one due: one approved, one submitted, one sent back.
    make.monthly_return(site, add_months(due, -2), status="approved")
    make.monthly_return(site, add_months(due, -1), status="submitted")
    sent_back = make.monthly_return(site, due, status="returned")
    assert late_returns(TODAY, site_ids=[site.id]) == {site.id: 1}
    submit(db, sent_back)
    assert late_returns(TODAY, site_ids=[site.id]) == {}


# Query counts ---------------------------------------------------------------------------------


def test_programme_page_and_homes_keep_their_query_counts_flat_in_the_sites(
    client, login_as, make, db
):
    funder = make.funder()
    programme = make.programme(
        funder=funder,
        starts_on=date(TODAY.year - 1, 1, 1),
        ends_on=date(TODAY.year + 1, 12, 31),
        job_start_target=100,
    )

    def grow(n: int) -> None:
        for _ in range(n):
            site = make.site()
            make.participation(programme, site, joined_on=programme.starts_on)
            make.monthly_return(site, TWO_MONTHS_AGO, status="approved")
            make.monthly_return(site, LAST_MONTH, status="submitted")

    def counts() -> list[int]:
        found = []
        for user in (admin, funder_user):
            login_as(user)
            for path in (f"/programmes/{programme.id}", "/", "/network", "/programmes/"):
                with count_queries(db.engine) as statements:
                    assert client.get(path).status_code == 200, path
                found.append(len(statements))
        return found

    admin = make.user("admin")
    funder_user = make.user("funder", funder=funder)
    grow(2)
    few = counts()
    grow(6)
    assert counts() == few
