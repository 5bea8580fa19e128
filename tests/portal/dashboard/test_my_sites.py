"""The trainer's home, "My sites": each assigned site's last visit, next action, open and overdue
actions, latest fidelity band, late returns and job starts this financial year against its
target, on one page aggregated in SQL (the same queries for 3 sites or 60; 200 answer)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from accounts.models import User
from core.extensions import db as _db
from core.months import financial_year_start
from programme.late_returns import last_due_month
from programme.models import Funder, Participation, Programme
from sites.models import MonthlyReturn, Organisation, Site
from tests.factories import PASSWORD
from tests.query_counter import count_queries
from tests.training.visits.test_visits import add_action, add_review, add_visit
from training.models import Action, Assignment, FidelityReview, Visit

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def rows_of(page: str) -> dict[str, list[str]]:
    """Each site's cells, as text, by the site's name."""
    body = page[page.index("<tbody") : page.index("</tbody>")]
    found = {}
    for row in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        texts = [
            " ".join(re.sub(r"<[^>]+>", " ", c.split("</span>", 1)[-1]).split()) for c in cells
        ]
        name = re.search(r'<a href="/sites/\d+">([^<]+)</a>', cells[0]).group(1)
        found[name] = texts[1:]
    return found


def test_my_sites_shows_each_assigned_site_worked_out_by_hand(client, login_as, make):
    bradford = make.site(name="Bradford IPS service")
    enable = make.site(name="Enable IPS service")
    quiet = make.site(name="A quiet site")
    elsewhere = make.site(name="Not mine")
    trainer = login_as("trainer", sites=[bradford, enable, quiet])

    # Bradford: two visits, three open actions (one overdue), one done; reviews 90 then 116 (and
    # a later draft, which does not count); job starts this financial year 4 + 5 of a target 60.
    add_visit(bradford, trainer, visited_on=days(-80))
    last = add_visit(bradford, trainer, visited_on=days(-12))
    add_action(bradford, days(-3), visit=last, description="Overdue plan", owner="Team leader")
    add_action(bradford, days(6), visit=last, description="Next up")
    add_action(bradford, days(40), visit=last, description="Later on")
    add_action(bradford, days(-30), visit=last, status="done", description="Done already")
    add_review(bradford, days(-400), 90)
    add_review(bradford, days(-100), 116)
    add_review(bradford, days(-5), None, status="draft")
    year = financial_year_start(TODAY)
    this_month = TODAY.replace(day=1)
    make.monthly_return(bradford, year, job_starts=4, sectors={"retail": 4})
    if this_month > year:  # (in April the year has one month so far)
        make.monthly_return(bradford, this_month, job_starts=5, sectors={"retail": 5})
    make.monthly_return(bradford, months_before(year, 1), job_starts=9)  # last financial year
    programme = make.programme(starts_on=date(2015, 1, 1), ends_on=days(3000))
    make.participation(programme, bradford, site_target=60, joined_on=year)
    ended = make.programme(starts_on=date(2010, 1, 1), ends_on=date(2012, 12, 31))
    make.participation(ended, bradford, site_target=30, left_on=date(2012, 12, 31))
    bradford_starts = 4 + (5 if this_month > year else 0)
    # Bradford owes each due month of this financial year but April (this month is not yet due).
    due = last_due_month(TODAY)
    due_this_year = max((due.year - year.year) * 12 + due.month - year.month + 1, 0)
    bradford_owes = max(due_this_year - 1, 0)
    bradford_late = (
        f"{bradford_owes} {'month' if bradford_owes == 1 else 'months'} owed"
        if bradford_owes
        else "None"
    )

    # Enable: no visit, an action from a review due within 14 days; it owes three returns.
    review = add_review(enable, days(-20), 72)
    add_action(enable, days(14), review=review, item=12, description="Benefits advice")
    owing = make.programme(starts_on=months_before(due, 2), ends_on=days(3000))
    make.participation(owing, enable, joined_on=months_before(due, 2))

    add_action(elsewhere, days(-1), description="Another site's")

    page = client.get("/my-sites").get_data(as_text=True)
    assert "<h1>My sites</h1>" in page
    rows = rows_of(page)
    assert list(rows) == ["A quiet site", "Bradford IPS service", "Enable IPS service"]
    long = lambda d: f"{d.day} {d:%B %Y}"  # noqa: E731
    assert rows["Bradford IPS service"] == [
        long(days(-12)),
        f"Overdue plan (Team leader), due {long(days(-3))} Overdue Mark done : Overdue plan "
        "(Bradford IPS service)",
        "3 open at Bradford IPS service , 1 overdue",
        f"Exemplary (116 of 125, {long(days(-100))})",
        bradford_late,
        # Every return here is submitted, not yet approved: all of them await approval.
        f"{bradford_starts} against a target of 60, {bradford_starts} awaiting approval",
    ]
    assert rows["Enable IPS service"] == [
        "No visit yet",
        f"Benefits advice (Team leader), due {long(days(14))} Due soon Mark done : Benefits "
        "advice (Enable IPS service)",
        "1 open at Enable IPS service",
        f"Not IPS (72 of 125, {long(days(-20))})",
        "3 months owed",
        "0 against no target (none set), none awaiting approval",
    ]
    assert rows["A quiet site"] == [
        "No visit yet",
        "No open actions",
        "None",
        "No final review",
        "None",
        "0 against no target (none set), none awaiting approval",
    ]
    cards = re.findall(r'<span class="portal-figure">(\d+)</span>', page)
    assert cards == ["3", "4", "1"]  # sites, open actions, overdue actions


def test_the_next_action_is_marked_done_from_the_home_page(client, login_as, make):
    site = make.site()
    login_as("trainer", sites=[site])
    first = add_action(site, days(2), description="First")
    add_action(site, days(9), description="Second")
    page = client.get("/my-sites").get_data(as_text=True)
    form = re.search(
        rf'<form method="post" action="/actions/{first.id}/status">(.*?)</form>', page, re.S
    ).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields == {
        "csrf_token": fields["csrf_token"],
        "status": "done",
        "version": "1",
        "next": "/my-sites",
    }
    response = client.post(f"/actions/{first.id}/status", data=fields)
    assert (response.status_code, response.headers["Location"]) == (302, "/my-sites")
    page = client.get("/my-sites").get_data(as_text=True)
    assert "Action marked done: First" in page
    assert re.search(r"Second \(Team leader\), due", page)
    _db.session.refresh(first)
    assert (first.status, first.closed_on) == ("done", TODAY)


def test_an_admin_chooses_whose_sites_to_see(client, login_as, make):
    site = make.site(name="Walsall IPS team")
    trainer = make.user("trainer", sites=[site], name="Trainer West")
    login_as("admin")
    page = client.get("/my-sites").get_data(as_text=True)
    assert "Choose a trainer to see the sites assigned to them." in page
    assert re.search(rf'<option value="{trainer.id}"[^>]*>Trainer West</option>', page)
    page = client.get(f"/my-sites?trainer_id={trainer.id}").get_data(as_text=True)
    assert "<h1>Sites of Trainer West</h1>" in page
    assert list(rows_of(page)) == ["Walsall IPS team"]
    lead = make.user("site_lead", sites=[site])
    for bad in (str(lead.id), "987654", "x"):
        page = client.get(f"/my-sites?trainer_id={bad}").get_data(as_text=True)
        assert "Choose a trainer from the list" in page
        assert "<tbody" not in page


def test_a_trainer_without_sites_is_told_so(client, login_as, make):
    login_as("trainer")
    page = client.get("/my-sites").get_data(as_text=True)
    assert "You are not assigned to a site today." in page


# A bounded number of queries ----------------------------------------------------------------


def assigned_network(n: int) -> User:
    """A trainer assigned to `n` sites, each with a visit, two actions, a final review, a current
    participation with a target and a submitted return: inserted in bulk."""
    organisation = Organisation(name=f"Trust for {n}", kind="nhs_trust", region="midlands")
    sites = [
        Site(organisation=organisation, name=f"Site {n}-{i:03d}", region="midlands")
        for i in range(n)
    ]
    trainer = User(email=f"trainer{n}@example.org", name=f"Trainer {n}", role="trainer")
    trainer.set_password(PASSWORD)
    _db.session.add_all([organisation, *sites, trainer])
    _db.session.flush()
    programme = Programme(
        name=f"Programme {n}",
        funder=Funder(name=f"Funder {n}"),
        starts_on=date(2015, 1, 1),
        ends_on=days(3000),
        job_start_target=1000,
    )
    _db.session.add(programme)
    _db.session.flush()
    year = financial_year_start(TODAY)
    for site in sites:
        _db.session.add_all(
            [
                Assignment(user_id=trainer.id, site_id=site.id, starts_on=date(2020, 1, 1)),
                Visit(
                    site_id=site.id,
                    trainer_id=trainer.id,
                    visited_on=days(-3),
                    purpose="training",
                    summary="x",
                ),
                Action(site_id=site.id, description="a", owner="o", due_on=days(-1)),
                Action(site_id=site.id, description="b", owner="o", due_on=days(5)),
                FidelityReview(
                    site_id=site.id,
                    reviewed_on=days(-50),
                    kind="peer_review",
                    lead_reviewer="r",
                    status="final",
                    total=101,
                ),
                Participation(
                    programme_id=programme.id, site_id=site.id, joined_on=year, site_target=20
                ),
                MonthlyReturn(
                    site_id=site.id,
                    month=year,
                    referrals=1,
                    caseload=10,
                    new_to_service=1,
                    first_contact_within_4_weeks=1,
                    job_starts=2,
                    in_work=3,
                    sustained_13_weeks=0,
                    employment_specialists_fte=1,
                    discharges=0,
                    status="submitted",
                ),
            ]
        )
    _db.session.commit()
    return trainer


def queries_for_my_sites(client, login_as, trainer) -> tuple[int, str]:
    login_as(trainer)
    client.get("/my-sites")  # warm: the first request of a test may load more
    with count_queries(_db.engine) as statements:
        response = client.get("/my-sites")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_home_page_costs_the_same_queries_for_3_sites_as_for_60(client, login_as, make):
    small, small_page = queries_for_my_sites(client, login_as, assigned_network(3))
    large, large_page = queries_for_my_sites(client, login_as, assigned_network(60))
    assert small == large
    assert small <= 10
    assert len(rows_of(small_page)) == 3 and len(rows_of(large_page)) == 60
    assert '<span class="portal-figure">60</span>' in large_page
    assert large_page.count("Good (101 of 125") == 60


def test_the_home_page_answers_for_200_sites(client, login_as, make):
    trainer = assigned_network(200)
    count, page = queries_for_my_sites(client, login_as, trainer)
    assert count <= 10
    rows = rows_of(page)
    assert len(rows) == 200
    assert rows["Site 200-199"][2] == "2 open at Site 200-199 , 1 overdue"
    assert page.count("2 against a target of 20") == 200
