"""The returns grid tells a late return from one due and from a month a site need not report."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.months import previous_month
from sites.returns import deadlines
from sites.returns.deadlines import ReturnState, return_state
from sites.returns.queries import return_due_date

DUE_ON = date(2026, 11, 13)


@pytest.mark.parametrize(
    ("status", "required", "today", "state"),
    [
        ("submitted", True, DUE_ON + timedelta(days=30), ReturnState.SUBMITTED),
        ("submitted", False, DUE_ON, ReturnState.SUBMITTED),
        ("draft", True, DUE_ON + timedelta(days=1), ReturnState.LATE),
        (None, True, DUE_ON + timedelta(days=1), ReturnState.LATE),
        (None, True, DUE_ON, ReturnState.DUE),  # on the due date it is still in time
        ("draft", True, DUE_ON, ReturnState.DRAFT),
        (None, False, DUE_ON + timedelta(days=400), ReturnState.NOT_REQUIRED),
        ("draft", False, DUE_ON + timedelta(days=400), ReturnState.DRAFT),
    ],
)
def test_the_state_of_a_month(status, required, today, state):
    assert return_state(status, required, DUE_ON, today) == state


@given(st.sampled_from([None, "draft", "submitted"]), st.booleans(), st.dates())
def test_only_a_required_month_past_its_due_date_is_late(status, required, today):
    late = return_state(status, required, DUE_ON, today) == ReturnState.LATE
    assert late == (required and today > DUE_ON and status != "submitted")


def cells(page: str, name: str) -> list[str]:
    """The tags in the grid row of the site called `name`."""
    row = next(r for r in page.split("<tr") if f">{name}<" in r)
    return re.findall(r'class="nhsuk-tag nhsuk-tag--\w+">([^<]+)<', row)


def test_the_grid_shows_late_due_and_not_required_with_late_sites_first(client, login_as, make):
    today = date.today()
    due = deadlines.this_months_return(today)
    earlier = previous_month(due)
    programme = make.programme(starts_on=date(2020, 1, 1), ends_on=date(2100, 12, 31))
    ended = make.programme(starts_on=date(2015, 4, 1), ends_on=date(2018, 3, 31))
    owing = make.site(name="Alpha IPS")  # a later name than Aardvark, but late: first
    reporting = make.site(name="Beta IPS")
    finished = make.site(name="Aardvark IPS")  # took part until 2018: owes nothing now
    make.participation(programme, owing)
    make.participation(programme, reporting)
    make.participation(ended, finished)
    make.monthly_return(reporting, earlier)
    make.monthly_return(reporting, due, status="draft")
    lead = make.user("site_lead", sites=[owing, reporting, finished])
    login_as(lead)

    page = client.get("/returns/").get_data(as_text=True)

    past_due = today > return_due_date(due)
    assert cells(page, "Aardvark IPS") == ["Not required", "Not required"]
    assert cells(page, "Alpha IPS") == ["Late", "Late" if past_due else "Due"]
    assert cells(page, "Beta IPS") == ["Submitted", "Late" if past_due else "Draft"]
    order = [page.index(f">{name} IPS<") for name in ("Alpha", "Beta", "Aardvark")]
    if not past_due:  # Beta owes nothing late: it follows the late Alpha, by name
        order = [page.index(f">{name} IPS<") for name in ("Alpha", "Aardvark", "Beta")]
    assert order == sorted(order)
