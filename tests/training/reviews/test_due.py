"""The reviews due: the page (programme staff, trainers scoped to their sites) with the scheduled
reviews beside them, GET /api/v1/reviews/due, `next_review_due` on GET /api/v1/sites/{id}, the
homes' links and overdue report and action-plan steps, and the queries each costs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.extensions import db as _db
from tests.query_counter import count_queries
from training.fidelity.cadence import months_after
from training.models import Assignment, ScheduledReview

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def network(make):
    """Overdue: never reviewed, launched 8 months ago. Due soon: a Fair review 5 months ago.
    Later: a Good review a month ago. Closed: not listed."""
    overdue = make.site(name="Ashby IPS", launched_on=months_after(TODAY, -8))
    soon = make.site(name="Bexley IPS", launched_on=date(2015, 1, 1))
    make.fidelity_review(soon, 90, months_after(TODAY, -5))
    later = make.site(name="Crewe IPS", launched_on=date(2015, 1, 1))
    make.fidelity_review(later, 105, months_after(TODAY, -1))
    make.site(name="Dover IPS", launched_on=date(2015, 1, 1), closed_on=days(-30))
    lead = make.user("trainer", name="Lee Lead")
    second = make.user("trainer", name="Sol Second")
    return {"overdue": overdue, "soon": soon, "later": later, "lead": lead, "second": second}


def add_scheduled(site, network, planned_on, **fields):
    scheduled = ScheduledReview(
        site_id=site.id,
        planned_on=planned_on,
        kind="peer_review",
        lead_reviewer_id=network["lead"].id,
        second_reviewer_id=network["second"].id,
        **fields,
    )
    _db.session.add(scheduled)
    _db.session.commit()
    return scheduled


def assign(trainer, site):
    _db.session.add(Assignment(user_id=trainer.id, site_id=site.id, starts_on=days(-400)))
    _db.session.commit()


def test_the_api_lists_reviews_due_overdue_first(api, network):
    answer = api("admin").get("/api/v1/reviews/due?within_days=90")
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert [(i["name"], i["overdue"]) for i in items] == [
        ("Ashby IPS", True),
        ("Bexley IPS", False),
    ]
    assert items[0] == {
        "site_id": network["overdue"].id,
        "name": "Ashby IPS",
        "next_review_due": months_after(months_after(TODAY, -8), 6).isoformat(),
        "overdue": True,
    }
    assert len(api("admin").get("/api/v1/reviews/due").get_json()["items"]) == 2  # 90 by default
    everything = api("admin").get("/api/v1/reviews/due?within_days=36500").get_json()["items"]
    assert [i["name"] for i in everything] == ["Ashby IPS", "Bexley IPS", "Crewe IPS"]
    overdue_only = api("admin").get("/api/v1/reviews/due?within_days=0").get_json()["items"]
    assert [i["name"] for i in overdue_only] == ["Ashby IPS"]


@pytest.mark.parametrize("value", ["-1", "36501", "soon", "1.5"])
def test_a_bad_window_is_422(api, network, value):
    answer = api("admin").get(f"/api/v1/reviews/due?within_days={value}")
    assert answer.status_code == 422
    assert "within_days" in answer.get_json()["error"]["fields"]


def test_a_trainer_sees_the_sites_assigned_to_them(api, make, network):
    trainer = make.user("trainer")
    assign(trainer, network["soon"])
    items = api(trainer).get("/api/v1/reviews/due").get_json()["items"]
    assert [i["name"] for i in items] == ["Bexley IPS"]
    assert api("site_lead").get("/api/v1/reviews/due").status_code == 403
    assert api("funder").get("/api/v1/reviews/due").status_code == 403


def test_the_site_carries_its_next_review_due(api, make, network):
    answer = api("admin").get(f"/api/v1/sites/{network['soon'].id}").get_json()
    assert answer["next_review_due"] == months_after(months_after(TODAY, -5), 6).isoformat()
    closed = make.site(launched_on=date(2015, 1, 1), closed_on=days(-1))
    assert api("admin").get(f"/api/v1/sites/{closed.id}").get_json()["next_review_due"] is None


def test_the_page_lists_every_site_with_its_scheduled_review(client, login_as, network):
    add_scheduled(network["soon"], network, days(20))
    login_as("admin")
    page = client.get("/reviews/due").get_data(as_text=True)
    assert page.index("Ashby IPS") < page.index("Bexley IPS") < page.index("Crewe IPS")
    assert "Dover IPS" not in page
    assert "Overdue" in page
    assert f"{days(20).day} {days(20):%B %Y}</a>, led by Lee Lead" in page
    assert f"/sites/{network['overdue'].id}/reviews/schedule" in page
    overdue_only = client.get("/reviews/due?within=overdue").get_data(as_text=True)
    assert "Ashby IPS" in overdue_only and "Bexley IPS" not in overdue_only
    wrong = client.get("/reviews/due?within=forever")
    assert wrong.status_code == 200 and "Choose what to show from the list" in wrong.get_data(
        as_text=True
    )


def test_a_trainer_sees_their_sites_without_the_scheduling_links(client, login_as, make, network):
    trainer = login_as("trainer")
    assign(trainer, network["overdue"])
    page = client.get("/reviews/due").get_data(as_text=True)
    assert "Ashby IPS" in page and "Bexley IPS" not in page
    assert "/reviews/schedule" not in page


def test_the_homes_link_the_list_and_flag_overdue_steps(client, login_as, make, network):
    add_scheduled(network["later"], network, days(-35))  # its report is overdue, not its plan
    admin = login_as("admin")
    home = client.get("/").get_data(as_text=True)
    assert "/reviews/due" in home
    assert 'Review reports and action plans overdue <span class="portal-count">(1)' in home
    assert "report of the review of" in home
    trainer = make.user("trainer")
    assign(trainer, network["later"])
    login_as(trainer)
    home = client.get("/").get_data(as_text=True)
    assert "/reviews/due" in home and "report of the review of" in home
    assert admin  # the admin's home was read first


def test_the_staff_homes_more_overdue_reviews_link_the_list(client, login_as, make):
    for n in range(7):
        make.site(name=f"Late {n}", launched_on=months_after(TODAY, -9))
    login_as("admin")
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/reviews/due?within=overdue">And 2 more</a>' in home


def _sites(make, count):
    lead = make.user("trainer")
    for _ in range(count):
        site = make.site(launched_on=months_after(TODAY, -7))
        make.fidelity_review(site, 80, months_after(TODAY, -7))
        _db.session.add(
            ScheduledReview(
                site_id=site.id,
                planned_on=days(-60),
                kind="peer_review",
                lead_reviewer_id=lead.id,
                second_reviewer_id=lead.id,
            )
        )
    _db.session.commit()


@pytest.mark.parametrize(
    "path", ["/reviews/due", "/api/v1/reviews/due?within_days=400", "/"], ids=str
)
def test_the_lists_cost_the_same_queries_for_2_sites_as_for_12(
    app, client, api, login_as, make, path
):
    caller = api("admin")
    login_as(caller.user)
    get = caller.get if path.startswith("/api/") else client.get

    def cost():
        with count_queries(_db.engine) as statements:
            assert get(path).status_code == 200
        return len(statements)

    _sites(make, 2)
    few = cost()
    _sites(make, 10)
    assert cost() == few
