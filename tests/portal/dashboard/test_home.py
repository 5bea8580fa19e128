"""Each role's home lists what needs the user today, scoped to them (issue 14, point 5), and the
network's figures moved to their own page."""

import re
from datetime import date, timedelta

import pytest

from core.months import add_months, month_start
from sites.returns.deadlines import this_months_return
from sites.returns.queries import return_due_date
from tests.query_counter import count_queries
from training.models import Action, Assignment, Visit

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section(page: str, heading: str) -> str:
    """The part of the page from the h2 that starts with `heading` to the next h2."""
    match = re.search(rf"<h2[^>]*>\s*{re.escape(heading)}.*?(?=<h2|</main>)", page, re.S)
    assert match, f"no section {heading!r}"
    return match.group(0)


def count_in(page: str, heading: str) -> int:
    match = re.search(rf"<h2[^>]*>\s*{re.escape(heading)} <span[^>]*>\((\d+)\)</span>", page)
    assert match, f"no count for {heading!r}"
    return int(match.group(1))


def add_action(db, site, due_on, status="open", description="Book benefits advice"):
    action = Action(
        site_id=site.id, description=description, owner="Team leader", due_on=due_on, status=status
    )
    db.session.add(action)
    db.session.flush()
    return action


def assign(db, trainer, site, starts_on=date(2020, 1, 1), ends_on=None):
    db.session.add(
        Assignment(user_id=trainer.id, site_id=site.id, starts_on=starts_on, ends_on=ends_on)
    )
    db.session.flush()


def running_programme(make, **fields):
    values = {
        "starts_on": add_months(month_start(TODAY), -24),
        "ends_on": add_months(month_start(TODAY), 24),
        "job_start_target": 100,
    } | fields
    return make.programme(**values)


# The site lead ----------------------------------------------------------------------------


def test_a_site_leads_home_lists_late_months_the_next_return_drafts_and_its_actions(
    client, login_as, make, db
):
    site, elsewhere = make.site(name="Bradford IPS"), make.site(name="Leeds IPS")
    joined = add_months(month_start(TODAY), -4)
    programme = running_programme(make)
    make.participation(programme, site, joined_on=joined)
    make.participation(programme, elsewhere, joined_on=joined)
    sent = this_months_return(TODAY)
    late_month = add_months(sent, -2)
    for month in (joined, add_months(joined, 1), add_months(joined, 2), sent):
        if month != late_month:
            make.monthly_return(site, month)
    make.monthly_return(site, late_month, status="draft")
    add_action(db, site, days(-3), description="Agree a disclosure protocol")
    add_action(db, site, days(20), description="Book a benefits clinic")
    add_action(db, site, days(-9), status="done", description="Done already")
    add_action(db, elsewhere, days(-5), description="Someone else's action")

    login_as("site_lead", sites=[site])
    page = text_of(client.get("/"))

    assert "<h1>What needs you today</h1>" in page
    late = section(page, "Late returns")
    assert count_in(page, "Late returns") == 1
    assert f'href="/sites/{site.id}/returns/{late_month:%Y-%m}">{late_month:%B %Y}</a>' in late
    assert "Late" in late

    upcoming = month_start(TODAY)  # last month's return is in, so this month's is next
    next_return = section(page, "Next return")
    assert f"{upcoming:%B %Y} return for Bradford IPS</a>" in next_return
    assert f"due by {long(return_due_date(upcoming))}" in next_return
    assert "not started" in next_return

    drafts = section(page, "Drafts not submitted")
    assert f"{late_month:%B %Y} return for Bradford IPS" in drafts

    actions = section(page, "Actions agreed with your site")
    assert count_in(page, "Actions agreed with your site") == 2
    assert "Agree a disclosure protocol" in actions and "Book a benefits clinic" in actions
    assert actions.index("Agree a disclosure protocol") < actions.index("Book a benefits clinic")
    assert "Done already" not in actions and "Someone else" not in page
    assert "1 is past the due date" in actions
    # Nothing network-wide: no card counting other sites' late returns.
    assert "Leeds IPS" not in page and "across the network" not in page


def test_the_next_return_is_the_month_just_ended_until_its_due_date_passes(client, login_as, make):
    site = make.site()
    make.participation(running_programme(make), site)
    login_as("site_lead", sites=[site])
    page = text_of(client.get("/"))
    sent = this_months_return(TODAY)
    expected = sent if return_due_date(sent) >= TODAY else month_start(TODAY)
    assert f"{expected:%B %Y} return for {site.name}</a>" in section(page, "Next return")


def test_a_site_in_no_programme_is_told_no_return_is_needed(client, login_as, make):
    site = make.site(name="Quiet IPS")
    login_as("site_lead", sites=[site])
    next_return = section(text_of(client.get("/")), "Next return")
    assert "Quiet IPS takes part in no programme in" in next_return
    assert "Not required" in next_return


def test_a_site_lead_without_a_site_is_told_to_ask_for_one(client, login_as):
    login_as("site_lead")
    assert "Your account is not linked to a site yet" in text_of(client.get("/"))


# The trainer ------------------------------------------------------------------------------


def test_a_trainers_home_is_their_week_at_their_sites(client, login_as, make, db):
    mine, visited, other = make.site(name="Dudley IPS"), make.site(name="Walsall IPS"), make.site()
    trainer = make.user("trainer")
    assign(db, trainer, mine)
    assign(db, trainer, visited)
    assign(db, trainer, other, ends_on=days(-1))  # no longer theirs
    db.session.add(Visit(site_id=visited.id, visited_on=days(-10), purpose="training", summary="x"))
    db.session.add(Visit(site_id=mine.id, visited_on=days(-200), purpose="training", summary="x"))
    add_action(db, mine, days(-1), description="Overdue at mine")
    add_action(db, mine, days(-100), description="Long overdue at mine")
    add_action(db, mine, TODAY, description="Due today at mine")
    add_action(db, mine, days(-3), status="done", description="Closed at mine")
    add_action(db, other, days(-5), description="Overdue elsewhere")
    make.fidelity_review(mine, 90, days(-200))  # Fair: due 6 months on, so overdue
    make.fidelity_review(visited, 110, days(-30))  # Good: due in 11 months, not listed
    programme = running_programme(make)
    make.participation(programme, mine, joined_on=add_months(month_start(TODAY), -3))

    login_as(trainer)
    page = text_of(client.get("/"))

    assert "<h1>Your week</h1>" in page
    assert count_in(page, "Overdue actions") == 2
    overdue = section(page, "Overdue actions")
    assert overdue.index("Long overdue at mine") < overdue.index("Overdue at mine")
    assert "Overdue elsewhere" not in page and "Closed at mine" not in page
    assert "Due today at mine" in section(page, "Actions due in the next 14 days")

    visits = section(page, "Visits due")
    assert "Dudley IPS" in visits and f"last visited {long(days(-200))}" in visits
    assert "Walsall IPS" not in visits
    assert f'href="/visits/new?site_id={mine.id}"' in visits

    reviews = section(page, "Fidelity reviews due")
    assert "Dudley IPS" in reviews and "Overdue" in reviews and "Fair" in reviews
    assert "Walsall IPS" not in reviews
    assert f'href="/sites/{mine.id}/fidelity-reviews/new"' in reviews

    late = section(page, "Late returns at your sites")
    assert count_in(page, "Late returns at your sites") == 3
    assert "Dudley IPS</a> owes 3 months" in late


def test_a_trainer_with_no_sites_is_told_so(client, login_as):
    login_as("trainer")
    assert "You are not assigned to any site today" in text_of(client.get("/"))


# Programme staff --------------------------------------------------------------------------


def test_programme_staff_see_programmes_at_risk_late_returns_sites_without_a_trainer_and_reviews(
    client, login_as, make, db
):
    behind = running_programme(make, name="Behind programme", job_start_target=1000)
    sent = this_months_return(TODAY)
    ahead = running_programme(make, name="Ahead programme", job_start_target=1, starts_on=sent)
    finished = make.programme(name="Finished programme", job_start_target=1000)
    covered, uncovered = make.site(name="Covered IPS"), make.site(name="Uncovered IPS")
    closed = make.site(name="Closed IPS", closed_on=days(-30))
    make.participation(ahead, covered)
    make.monthly_return(covered, sent, job_starts=5)  # the target met, nothing owed
    make.participation(behind, uncovered, joined_on=add_months(month_start(TODAY), -2))
    assign(db, make.user("trainer"), covered)
    make.fidelity_review(covered, 120, days(-30))
    make.designation(closed)
    add_action(db, covered, days(-2))
    add_action(db, uncovered, days(-2))
    add_action(db, closed, days(-40))

    login_as("admin")
    page = text_of(client.get("/"))

    risky = section(page, "Programmes at risk or off track")
    assert f'href="/programmes/{behind.id}">Behind programme</a>' in risky
    assert "Ahead programme" not in risky and "Finished programme" not in risky
    assert finished.id  # ended: not listed, whatever its figures

    assert count_in(page, "Late returns") == 2
    assert f'href="/sites/{uncovered.id}/returns/">Uncovered IPS</a>: 2 months' in section(
        page, "Late returns"
    )

    without = section(page, "Sites with no trainer")
    assert (
        "Uncovered IPS" in without and f"/admin/assignments/new?site_id={uncovered.id}" in without
    )
    assert "Covered IPS" not in without and "Closed IPS" not in without

    reviews = section(page, "Fidelity reviews overdue")
    assert "Uncovered IPS" in reviews and "never reviewed" in reviews
    assert "Covered IPS" not in reviews and "Closed IPS" not in reviews

    assert count_in(page, "Overdue actions") == 3


def test_the_homes_read_a_fixed_number_of_queries_however_many_sites(client, login_as, make, db):
    def queries_for(role: str, n: int) -> int:
        sites = [make.site() for _ in range(n)]
        programme = running_programme(make)
        user = make.user(role, sites=sites if role == "site_lead" else [])
        for site in sites:
            make.participation(programme, site)
            add_action(db, site, days(-1))
            if role == "trainer":
                assign(db, user, site)
        login_as(user)
        with count_queries(db.engine) as statements:
            text_of(client.get("/"))
        return len(statements)

    for role in ("site_lead", "trainer", "admin"):
        assert queries_for(role, 2) == queries_for(role, 6), role


# The network's figures ----------------------------------------------------------------------


def test_the_network_page_links_each_programme_status_to_its_programmes(client, login_as, make):
    running_programme(make, name="Behind programme", job_start_target=1000)
    login_as("trainer")
    page = text_of(client.get("/network"))
    assert "<h1>The IPS network today</h1>" in page
    assert 'href="/programmes/?status=off_track">Off track</a>' in page
    # Only programme staff's late returns page lists the network; a trainer's lists their sites.
    assert 'href="/returns/late"' not in page
    login_as("admin")
    assert 'href="/returns/late"' in text_of(client.get("/network"))


@pytest.mark.parametrize("role", ["admin", "trainer", "site_lead", "funder"])
def test_every_role_reaches_the_network_page_from_the_navigation(client, login_as, role):
    login_as(role)
    assert 'href="/network"' in text_of(client.get("/programmes/"))


def test_the_programmes_list_filters_by_status(client, login_as, make):
    running_programme(make, name="Behind programme", job_start_target=1000)
    make.programme(name="Old programme")
    login_as("admin")
    page = text_of(client.get("/programmes/?status=off_track"))
    assert "Behind programme" in page and "Old programme" not in page
    page = text_of(client.get("/programmes/?status=sideways"))
    assert "Choose a status from the list" in page
    assert "Behind programme" in page and "Old programme" in page
