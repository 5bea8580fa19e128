"""Does mentoring work: the mentored sites before and after, the funnel plot and its table, who
may see the page, and a fixed number of queries however many sites."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from core.months import add_months, month_start
from sites.models import Mentoring
from sites.outcomes import last_12_months
from tests.query_counter import count_queries
from training.mentoring_effect.queries import employment_funnel, mentored_sites

PAGE = "/network/mentoring"
THIS_MONTH = month_start(date.today())
LAST_MONTH = add_months(THIS_MONTH, -1)


def mentor(db, mentor_site, mentee_site, starts_on: date, **fields) -> Mentoring:
    record = Mentoring(
        mentor_site_id=mentor_site.id, mentee_site_id=mentee_site.id, starts_on=starts_on, **fields
    )
    db.session.add(record)
    db.session.commit()
    return record


@pytest.fixture
def mentored(make, db):
    """Bradford mentors Leeds from 17 March 2024: Leeds scored 80 before and 104 after, and
    employed 10 of 40 each month before and 20 of 40 after."""
    bradford = make.site(name="Bradford IPS")
    leeds = make.site(name="Leeds IPS")
    make.fidelity_review(leeds, 70, date(2023, 1, 10))
    make.fidelity_review(leeds, 80, date(2024, 3, 17))  # on the day: before
    make.fidelity_review(leeds, 104, date(2024, 9, 2))
    make.fidelity_review(leeds, 110, date(2025, 9, 2))
    for month in range(9, 13):  # September 2023 to February 2024: 4 of the 6 months before
        make.monthly_return(leeds, date(2023, month, 1), in_work=10)
    make.monthly_return(leeds, date(2023, 8, 1), in_work=40)  # 7 months before: not read
    for month in range(3, 9):  # March to August 2024
        make.monthly_return(leeds, date(2024, month, 1), in_work=20)
    make.monthly_return(leeds, date(2024, 9, 1), in_work=0)  # the 7th month: not read
    make.monthly_return(leeds, date(2022, 5, 1), in_work=0)  # long before: not read
    mentor(db, bradford, leeds, date(2024, 3, 17), note="Staff only: weekly calls")
    mentor(db, bradford, make.site(name="Later IPS"), add_months(THIS_MONTH, 2))  # not yet
    return {"bradford": bradford, "leeds": leeds}


def test_before_and_after_mentoring(mentored, db):
    [row] = mentored_sites(date.today())
    assert (row.mentee, row.mentor, row.starts_on) == (
        "Leeds IPS",
        "Bradford IPS",
        date(2024, 3, 17),
    )
    assert (row.review_before.total, row.review_after.total, row.fidelity_change) == (80, 104, 24)
    assert (row.before.in_work, row.before.caseload, row.before.months_reported) == (40, 160, 4)
    assert (row.after.in_work, row.after.caseload, row.after.months_reported) == (120, 240, 6)
    assert (row.before.rate, row.after.rate) == (0.25, 0.5)
    assert row.rate_change == pytest.approx(0.25)


def test_the_page_shows_the_mentored_sites_to_staff_not_the_note(mentored, client, login_as):
    login_as("admin")
    page = client.get(PAGE).get_data(as_text=True)
    table = page[page.index("Mentored sites, the latest mentoring first") :]
    start = table.index("Leeds IPS")
    row = table[start : table.index("</tr>", start)]
    assert "Bradford IPS" in row and "17 March 2024" in row
    for shown in ("80 (Fair)", "104 (Good)", "+24", "25.0%", "50.0%", "+25.0 points"):
        assert shown in row, shown
    assert "4 of 6 months reported (September 2023 to February 2024)" in row
    assert "Later IPS" not in page  # its mentoring has not begun
    assert "weekly calls" not in page


def test_who_may_see_the_page(client, login_as, make):
    login_as("trainer")
    assert client.get(PAGE).status_code == 200
    for role in ("site_lead", "funder"):
        login_as(role)
        assert client.get(PAGE).status_code == 403


def test_the_funnel_plot_and_its_table(client, login_as, make, db):
    months = [add_months(LAST_MONTH, -n) for n in range(12)]
    big, small, low = make.site(name="Big IPS"), make.site(name="Small IPS"), make.site(name="Low")
    for month in months:
        make.monthly_return(big, month, caseload=400, in_work=160)  # 40%
        make.monthly_return(low, month, caseload=400, in_work=100)  # 25%: far below
    make.monthly_return(small, months[0], caseload=10, in_work=2)  # 20%, but tiny
    make.monthly_return(small, THIS_MONTH, caseload=900, in_work=900)  # this month: not read
    make.monthly_return(big, add_months(LAST_MONTH, -12), caseload=900, in_work=0)  # too old
    funnel = employment_funnel(last_12_months(date.today()))
    assert [(s.name, s.in_work, s.caseload) for s in funnel.sites] == [
        ("Big IPS", 1920, 4800),
        ("Low", 1200, 4800),
        ("Small IPS", 2, 10),
    ]
    assert funnel.network_rate == pytest.approx(3122 / 9610)
    positions = {site.name: funnel.position(site) for site in funnel.sites}
    assert positions == {"Big IPS": "above_998", "Low": "below_998", "Small IPS": "within"}

    login_as("admin")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-figure-id="employment-funnel-chart-data"' in page
    figure = json.loads(
        re.search(r'id="employment-funnel-chart-data">(.*?)</script>', page, re.S).group(1)
    )
    assert figure["layout"]["xaxis"]["type"] == "log"
    names = [trace["name"] for trace in figure["data"]]
    assert "95% limits" in names and "99.8% limits" in names
    assert "Within the limits" in names and "Below the 99.8% limit" in names
    table = page[page.index("Employment rate by site, Last 12 complete months") :]
    small_row = table[table.index("Small IPS") :]
    assert "20.0%" in small_row[:400] and "Within the limits" in small_row[:600]
    assert "No mentoring has begun yet" in page


def test_nothing_to_show(client, login_as):
    login_as("admin")
    page = client.get(PAGE).get_data(as_text=True)
    assert "No mentoring has begun yet" in page
    assert "No site reported a caseload in these months" in page


def test_the_page_costs_the_same_queries_for_2_sites_as_for_12(client, login_as, make, db):
    login_as("admin")

    def add_sites(count: int) -> None:
        centre = make.site()
        for _ in range(count):
            site = make.site()
            make.fidelity_review(site, 90, date(2023, 1, 1))
            make.fidelity_review(site, 105, date(2024, 1, 1))
            make.monthly_return(site, LAST_MONTH, in_work=12)
            make.monthly_return(site, date(2023, 12, 1))
            mentor(db, centre, site, date(2023, 6, 1))

    counts = []
    for count in (2, 10):
        add_sites(count)
        with count_queries(db.engine) as statements:
            answer = client.get(PAGE)
        assert answer.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
