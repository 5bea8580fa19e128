"""The approval pages: the return page's status, history, sent-back reason and buttons for each
role; the approval list with its filters, flags and bulk approval, in a fixed number of queries;
and the homes of programme staff and site leads."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from core.months import previous_month
from sites.returns import deadlines
from sites.returns.queries import return_due_date
from sites.returns.rules import add_months
from tests.query_counter import count_queries
from tests.sites.returns.approval.helpers import MONTH, fresh, moves, open_query, setting

FIGURES = {
    "referrals": "10",
    "caseload": "40",
    "new_to_service": "8",
    "first_contact_within_4_weeks": "6",
    "job_starts": "3",
    "in_work": "15",
    "sustained_13_weeks": "2",
    "employment_specialists_fte": "2",
    "discharges": "4",
    "sector_retail": "3",
}


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def test_staff_send_a_return_back_and_its_lead_sees_why(client, login_as, db, make):
    s = setting(make)
    login_as(s.admin)
    page = text(client.get(s.page))
    assert "Submitted" in page and "Approve this return" in page
    assert "Why are you sending this return back?" in page

    empty = client.post(f"{s.page}/send-back", data={"version": s.monthly_return.version})
    assert empty.status_code == 422
    assert "Enter why you are sending this return back" in text(empty)
    sent = client.post(
        f"{s.page}/send-back",
        data={"version": s.monthly_return.version, "reason": "Sectors do not add up"},
    )
    assert sent.status_code == 302
    assert fresh(db, s.monthly_return).status == "returned"

    login_as(s.lead)
    home = text(client.get("/"))
    assert "Returns sent back" in home and "Why: Sectors do not add up" in home
    page = text(client.get(s.page))
    assert "Sent back by programme staff" in page and "Sectors do not add up" in page
    assert "Submit return again" in page
    assert "Approve this return" not in page
    resubmitted = client.post(
        s.page, data={"action": "submit", "version": fresh(db, s.monthly_return).version, **FIGURES}
    )
    assert resubmitted.status_code == 302
    assert fresh(db, s.monthly_return).status == "submitted"
    history = text(client.get(s.page))
    assert "Approval history" in history and "Resubmitted" in history


def test_an_approved_return_is_locked_on_the_form(client, login_as, db, make):
    s = setting(make, status="approved")
    login_as(s.lead)
    page = text(client.get(s.page))
    assert "Approved" in page and "approved and locked" in page
    assert "Save amendment" not in page and "Ask to reopen this return" in page
    refused = client.post(
        s.page, data={"action": "submit", "version": s.monthly_return.version, **FIGURES}
    )
    assert refused.status_code == 409
    assert "This return is approved and locked. Ask programme staff to reopen it." in text(refused)
    asked = client.post(
        f"{s.page}/ask-to-reopen",
        data={"version": s.monthly_return.version, "reason": "Job starts were for June"},
    )
    assert asked.status_code == 302
    assert moves(db, s.monthly_return.id)[-1] == (
        "ask_to_reopen",
        "approved",
        "Job starts were for June",
    )

    login_as(s.admin)
    listed = text(client.get("/approval"))
    assert "Asked to reopen" in listed and "Riverside IPS" in listed
    page = text(client.get(s.page))
    assert "Job starts were for June" in page and "Reopen this return" in page
    reopened = client.post(
        f"{s.page}/reopen",
        data={"version": fresh(db, s.monthly_return).version, "reason": "As asked"},
    )
    assert reopened.status_code == 302
    assert fresh(db, s.monthly_return).status == "submitted"


def test_an_open_query_stops_approval_with_a_message(client, login_as, db, make):
    s = setting(make)
    open_query(db, s.monthly_return.id)
    login_as(s.admin)
    answer = client.post(
        f"{s.page}/approve", data={"version": s.monthly_return.version}, follow_redirects=True
    )
    assert "This return has an open query" in text(answer)
    assert fresh(db, s.monthly_return).status == "submitted"


def test_the_unusual_figures_warning_on_the_form_and_to_the_approver(client, login_as, db, make):
    s = setting(make, status="draft")
    for back in range(1, 7):
        make.monthly_return(s.site, add_months(MONTH, -back), job_starts=3, referrals=10)
    login_as(s.lead)
    odd = FIGURES | {"job_starts": "30", "sector_retail": "30"}
    data = {"action": "submit", "version": s.monthly_return.version, **odd}
    warned = client.post(s.page, data=data)
    assert warned.status_code == 422
    assert (
        "Job starts 30 is far above this site's usual range (0 to 6 over its last 6 months). "
        "Check it, or confirm it." in text(warned)
    )
    assert "I have checked these figures" in text(warned)
    assert client.post(s.page, data=data | {"confirm_warnings": "y"}).status_code == 302
    login_as(s.admin)
    page = text(client.get(s.page))
    assert "Unusual figures its sender confirmed" in page
    assert "Job starts: 30, against a usual range of 0.0 to 6.5" in page
    listed = text(client.get("/approval"))
    assert "Unusual: Job starts" in listed


def month_row(page: str, site_name: str) -> str:
    return next(row for row in page.split("<tr") if site_name in row)


def test_the_approval_list_filters_flags_and_approves_several(client, login_as, db, make):
    london = setting(make)  # Riverside IPS, in London
    north = make.site(name="Northside IPS", region="north-west")
    make.monthly_return(north, add_months(MONTH, -1), job_starts=5, status="approved")
    waiting = make.monthly_return(north, MONTH, job_starts=2)
    queried = make.monthly_return(make.site(name="Queried IPS"), MONTH)
    open_query(db, queried.id)
    programme = make.programme()
    make.participation(programme, north)
    login_as(london.admin)

    page = client.get("/approval").get_data(as_text=True)
    assert "3 returns" in page
    north_row = month_row(page, "Northside IPS")
    assert "-3 on the month before" in north_row and 'type="checkbox"' in north_row
    queried_row = month_row(page, "Queried IPS")
    assert "1 open query" in queried_row and 'type="checkbox"' not in queried_row

    by_region = text(client.get("/approval?region=north-west"))
    assert "Northside IPS" in by_region and "Riverside IPS" not in by_region
    by_programme = text(client.get(f"/approval?programme_id={programme.id}"))
    assert "Northside IPS" in by_programme and "Queried IPS" not in by_programme
    unknown = client.get("/approval?region=atlantis")
    assert "Choose a region from the list" in text(unknown)

    done = client.post(
        "/approval",
        data={
            "returns": [
                f"{waiting.id}:{waiting.version}",
                f"{london.monthly_return.id}:{london.monthly_return.version}",
                f"{queried.id}:{queried.version}",  # ticked by hand: checked again
            ]
        },
        follow_redirects=True,
    )
    assert "2 returns approved." in text(done)
    assert "has unusual figures or an open query" in text(done)
    assert fresh(db, waiting).status == "approved"
    assert fresh(db, queried).status == "submitted"


@pytest.mark.parametrize("rows", [2, 6])
def test_the_approval_list_takes_the_same_queries_whatever_its_rows(
    client, login_as, db, make, rows
):
    admin = make.user("admin")
    for n in range(rows):
        site = make.site(name=f"Site {n}")
        make.monthly_return(site, add_months(MONTH, -1), status="approved")
        found = make.monthly_return(site, MONTH, unusual_figures=[{"figure": "referrals"}])
        open_query(db, found.id)
    login_as(admin)
    client.get("/approval")  # warm up: the session's own first reads
    with count_queries(db.engine) as statements:
        answer = client.get("/approval")
    assert answer.status_code == 200
    assert len(statements) == EXPECTED_QUERIES, "\n".join(statements)


# The session with its user (1), the programmes of the filter (1), the page's count and rows (2),
# the previous months' job starts (1).
EXPECTED_QUERIES = 5


def test_staff_home_counts_the_returns_awaiting_approval(client, login_as, db, make):
    s = setting(make)
    make.monthly_return(s.site, add_months(MONTH, -1), status="approved")
    login_as(s.admin)
    home = text(client.get("/"))
    assert "1 return awaits approval" in home
    assert 'href="/approval"' in client.get("/").get_data(as_text=True)


def test_the_site_months_page_and_grid_show_the_new_states(client, login_as, db, make):
    due = deadlines.this_months_return(date.today())
    site = make.site(name="Gridside IPS")
    make.participation(make.programme(starts_on=date(2020, 1, 1), ends_on=date(2100, 1, 1)), site)
    make.monthly_return(site, previous_month(due), status="approved")
    make.monthly_return(site, due, status="returned")
    login_as(make.user("site_lead", sites=[site]))
    page = text(client.get(f"/sites/{site.id}/returns/"))
    assert "Approved" in page and "Sent back" in page
    grid = client.get("/returns/").get_data(as_text=True)
    tags = re.findall(r'class="nhsuk-tag nhsuk-tag--[\w-]+">([^<]+)<', month_row(grid, "Gridside"))
    late = date.today() > return_due_date(due)
    assert tags == ["Approved", "Late" if late else "Sent back"]


def test_an_approved_return_shows_its_figures_read_only(client, login_as, make):
    site = make.site()
    make.monthly_return(
        site, date(2026, 9, 1), status="approved", job_starts=3, sectors={"retail": 3}
    )
    login_as("site_lead", sites=[site])
    page = client.get(f"/sites/{site.id}/returns/2026-09").get_data(as_text=True)
    assert "approved and locked" in page
    assert 'name="job_starts"' not in page and 'name="sector_retail"' not in page
    assert "Retail: 3" in page
