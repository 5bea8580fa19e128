"""Fidelity reviews: the service's rules (drafts, finalising, the action plan, final reviews kept
as they are, stale edits), the review form and the review page, as each role."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import StaleVersion, ValidationFailed
from tests.dates import boxes, posted
from training.fidelity.services import save_review
from training.models import Action, FidelityReview, FidelityScore

REVIEWED_ON = date.today() - timedelta(days=30)


def scores(value: int = 4, **by_item: int) -> dict[str, int]:
    """All 25 items scored `value`, except those given as item_7=2."""
    found = {str(n): value for n in range(1, 26)}
    found.update({key.removeprefix("item_"): score for key, score in by_item.items()})
    return found


def review_data(status: str = "draft", **changes) -> dict:
    return {
        "reviewed_on": REVIEWED_ON,
        "kind": "peer_review",
        "lead_reviewer": "Regional trainer (North West)",
        "status": status,
        "scores": {},
        **changes,
    }


def reviews(db) -> list[FidelityReview]:
    return db.session.scalars(sa.select(FidelityReview)).all()


def actions(db) -> list[Action]:
    return db.session.scalars(sa.select(Action).order_by(Action.item)).all()


def text(response) -> str:
    """The page with runs of white space as one space, and none either side of a tag's ends."""
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    return re.sub(r" ?> ?", ">", re.sub(r" <", "<", page))


@pytest.fixture
def site(make):
    return make.site(name="Riverside IPS")


@pytest.fixture
def trainer(make, site):
    return make.user("trainer", sites=[site], name="Sam Trainer")


# --- the service --------------------------------------------------------------------------------


def test_a_draft_may_leave_items_unscored_and_has_no_total(db, site, trainer):
    review = save_review(site, review_data(scores={"1": 5, "2": 3, "7": 2}), trainer)
    db.session.commit()
    assert (review.status, review.total, review.recorded_by_id) == ("draft", None, trainer.id)
    rows = db.session.scalars(sa.select(FidelityScore).order_by(FidelityScore.item)).all()
    assert [row.item for row in rows] == list(range(1, 26))
    assert {row.item: row.score for row in rows if row.score is not None} == {1: 5, 2: 3, 7: 2}
    assert actions(db) == []


def test_finalising_an_incomplete_review_names_each_missing_item_and_saves_nothing(
    db, site, trainer
):
    incomplete = scores()
    del incomplete["7"], incomplete["25"]
    with pytest.raises(ValidationFailed) as raised:
        save_review(site, review_data("final", scores=incomplete), trainer)
    assert raised.value.fields == {
        "scores.7": ["Score item 7 (Vocational unit)"],
        "scores.25": [
            "Score item 25 (Assertive engagement and outreach by integrated treatment team)"
        ],
    }
    db.session.rollback()
    assert reviews(db) == []


def test_finalising_sets_the_total_and_creates_one_action_per_planned_item(db, site, trainer):
    data = review_data(
        "final",
        scores=scores(4, item_1=5, item_7=2, item_12=3),  # 22 x 4 + 5 + 2 + 3 = 98
        notes={"7": "Specialists work alone; no group supervision yet."},
        actions={
            "7": {"description": "Start weekly group supervision", "owner": "Team leader"},
            "12": {
                "description": "Train two specialists in benefits advice",
                "owner": "Service manager",
                "due_on": REVIEWED_ON + timedelta(days=14),
            },
        },
    )
    review = save_review(site, data, trainer)
    db.session.commit()
    assert (review.status, review.total) == ("final", 98)
    planned = actions(db)
    assert [(a.item, a.owner, a.due_on, a.status) for a in planned] == [
        (7, "Team leader", REVIEWED_ON + timedelta(weeks=6), "open"),
        (12, "Service manager", REVIEWED_ON + timedelta(days=14), "open"),
    ]
    assert {a.review_id for a in planned} == {review.id}
    assert {a.site_id for a in planned} == {site.id}
    assert planned[0].description == "Start weekly group supervision"
    note = db.session.scalar(
        sa.select(FidelityScore.note).where(
            FidelityScore.review_id == review.id, FidelityScore.item == 7
        )
    )
    assert note == "Specialists work alone; no group supervision yet."


def test_a_draft_keeps_its_planned_actions_without_creating_them(db, site, trainer):
    data = review_data(actions={"3": {"description": "Stop handing people on", "owner": "Lead"}})
    review = save_review(site, data, trainer)
    db.session.commit()
    row = next(r for r in review.scores if r.item == 3)
    assert (row.action_description, row.action_owner, row.action_due_on) == (
        "Stop handing people on",
        "Lead",
        None,
    )
    assert actions(db) == []


def test_each_mistake_has_its_own_message_and_nothing_is_saved(db, site, trainer):
    data = review_data(
        "final",
        reviewed_on=date.today() + timedelta(days=1),
        kind="inspection",
        lead_reviewer="  ",
        scores={**scores(), "3": 6, "4": True, "9": "4", "30": 2},
        notes={"2": 5},
        actions={
            "7": {"description": "Weekly supervision"},  # no owner
            "8": {"owner": "Team leader"},  # no description
        },
    )
    with pytest.raises(ValidationFailed) as raised:
        save_review(site, data, trainer)
    fields = raised.value.fields
    assert fields == {
        "reviewed_on": ["The review date must be today or in the past"],
        "kind": ["Choose the kind of review: self-assessment, peer review, external review"],
        "lead_reviewer": ["Enter the name of the lead reviewer"],
        "scores": ["There is no item 30: the scale has items 1 to 25"],
        "scores.3": ["Score item 3 from 1 to 5"],
        "scores.4": ["Score item 4 from 1 to 5"],
        "scores.9": ["Score item 9 from 1 to 5"],
        "notes.2": ["Write the note on item 2 as text"],
        "actions.7.owner": ["Enter who owns the action for item 7, for example the team leader"],
        "actions.8.description": [
            "Describe the action for item 8, or leave its owner and due date empty"
        ],
    }
    db.session.rollback()
    assert reviews(db) == []


def test_an_action_may_not_fall_due_before_the_review(db, site, trainer):
    plan = {"description": "x", "owner": "y", "due_on": REVIEWED_ON - timedelta(days=1)}
    with pytest.raises(ValidationFailed) as raised:
        save_review(site, review_data(actions={"5": plan}), trainer)
    assert raised.value.fields == {
        "actions.5.due_on": ["The action for item 5 must be due on or after the review date"]
    }


def test_a_final_review_cannot_be_changed_or_go_back_to_draft(db, site, trainer):
    review = save_review(site, review_data("final", scores=scores(5)), trainer)
    db.session.commit()
    for status in ("draft", "final"):
        with pytest.raises(ValidationFailed) as raised:
            save_review(
                site, review_data(status, scores=scores(1)), trainer, review, review.version
            )
        assert raised.value.fields["status"] == [
            "This review is final: it cannot be changed or go back to a draft"
        ]
        db.session.rollback()
    db.session.expire_all()
    assert (review.status, review.total) == ("final", 125)


def test_an_edit_must_carry_the_version_it_read(db, site, trainer):
    review = save_review(site, review_data(scores={"1": 3}), trainer)
    db.session.commit()
    read = review.version
    save_review(site, review_data(scores={"1": 4}), trainer, review, read)
    db.session.commit()
    assert review.version == read + 1  # a change of the items alone is a new version
    with pytest.raises(StaleVersion):
        save_review(site, review_data(scores={"1": 5}), trainer, review, read)
    with pytest.raises(StaleVersion):
        save_review(site, review_data(scores={"1": 5}), trainer, review, None)
    db.session.rollback()
    assert next(r.score for r in review.scores if r.item == 1) == 4


def test_saving_a_review_is_audited(db, site, trainer):
    review = save_review(site, review_data("final", scores=scores()), trainer)
    db.session.commit()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name == "fidelity_review")
    ).all()
    assert [(e.record_id, e.action) for e in events] == [(review.id, "create")]
    assert events[0].after["total"] == 100


# --- the form -----------------------------------------------------------------------------------


def form_data(status: str, chosen: dict[str, int], **extra: str) -> dict[str, str]:
    data = {
        "reviewed_on": REVIEWED_ON.isoformat(),
        "kind": "external_review",
        "lead_reviewer": "Sam Trainer",
        "status": status,
    }
    data.update({f"score_{n}": str(score) for n, score in chosen.items()})
    data.update(extra)
    return posted(data)


def new_path(site) -> str:
    return f"/sites/{site.id}/fidelity-reviews/new"


def test_the_form_lists_the_25_items_by_section_with_their_anchors(client, login_as, site, trainer):
    login_as(trainer)
    page = text(client.get(new_path(site)))
    for heading in ("Staffing", "Organisation", "Services"):
        assert f'<h2 class="nhsuk-fieldset__heading">{heading}</h2>' in page
    assert page.count('type="radio" value="5"') == 25
    assert "7. Vocational unit" in page
    assert "5: Each full-time employment specialist supports 20 people or fewer." in page
    assert 'value="Sam Trainer"' in page  # the lead reviewer defaults to the user's name
    assert "Running total: 0 from 0 of 25 items scored." in page
    assert 'src="/static/js/fidelity-form.js"' in page


def test_checking_too_soon_saves_the_draft_and_lists_each_missing_item_on_the_check_page(
    client, login_as, db, site, trainer
):
    login_as(trainer)
    chosen = {n: 4 for n in range(1, 26) if n not in (7, 25)}
    response = client.post(new_path(site), data=form_data("check", chosen))
    review = reviews(db)[0]
    assert response.status_code == 302
    assert response.headers["Location"] == f"/fidelity-reviews/{review.id}/check"
    assert (review.status, review.total) == ("draft", None)  # nothing is final yet
    page = text(client.get(response.headers["Location"]))
    edit = f"/fidelity-reviews/{review.id}/edit"
    assert "<title>Error:" in page
    assert f'<a href="{edit}#score_7">Score item 7 (Vocational unit)</a>' in page
    assert (
        f'<a href="{edit}#score_25">Score item 25 (Assertive engagement and outreach by '
        "integrated treatment team)</a>" in page
    )
    assert "Not yet: 23 of 25 items scored" in page
    assert "Finalise review" not in page  # no button while items are unscored
    assert "2 of 25 are not scored" in page


def test_an_action_without_an_owner_and_a_bad_date_are_shown_at_their_fields(
    client, login_as, db, site, trainer
):
    login_as(trainer)
    response = client.post(
        new_path(site),
        data=form_data(
            "draft",
            {1: 3},
            action_description_7="Weekly group supervision",
            **boxes("action_due_on_9", "31", "2", str(REVIEWED_ON.year)),
            action_description_9="Invite self-referrals",
            action_owner_9="Team leader",
        ),
    )
    assert response.status_code == 422
    page = text(response)
    assert (
        '<a href="#action_owner_7">Enter who owns the action for item 7, for example the team '
        "leader</a>" in page
    )
    assert (
        '<a href="#action_due_on_9-day">Enter the due date of the action for item 9 as a real '
        "date, for example 1 April 2015</a>" in page
    )
    assert page.count("<details") == 25 and page.count('<details class="nhsuk-details" open') == 2
    assert reviews(db) == []


def test_a_draft_is_saved_edited_and_finalised_with_its_action_plan(
    client, login_as, db, site, trainer
):
    login_as(trainer)
    response = client.post(new_path(site), data=form_data("draft", {1: 5, 2: 4}))
    review = reviews(db)[0]
    assert response.status_code == 302
    assert response.headers["Location"] == f"/fidelity-reviews/{review.id}"
    assert review.status == "draft"

    edit = text(client.get(f"/fidelity-reviews/{review.id}/edit"))
    assert 'id="score_1-5" name="score_1" type="radio" value="5" checked' in edit
    assert f'name="version" type="hidden" value="{review.version}"' in edit
    shown = re.findall(r'name="reviewed_on\[(\w+)\]" type="text" value="(\w*)"', edit)
    assert shown == [
        ("day", str(REVIEWED_ON.day)),
        ("month", str(REVIEWED_ON.month)),
        ("year", str(REVIEWED_ON.year)),
    ]
    assert "Running total: 9 from 2 of 25 items scored." in edit

    chosen = {n: 4 for n in range(1, 26)} | {1: 5, 7: 3}  # 23 x 4 + 5 + 3 = 100: Good
    response = client.post(
        f"/fidelity-reviews/{review.id}/edit",
        data=form_data(
            "check",
            chosen,
            version=str(review.version),
            note_7="Two specialists; supervision is fortnightly.",
            action_description_7="Weekly group supervision",
            action_owner_7="Team leader",
        ),
    )
    assert response.headers["Location"] == f"/fidelity-reviews/{review.id}/check"
    db.session.expire_all()
    assert (review.status, review.total) == ("draft", None)  # the check page finalises
    response = client.post(
        f"/fidelity-reviews/{review.id}/check", data={"version": str(review.version)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (review.status, review.total) == ("final", 100)
    assert [(a.item, a.due_on) for a in actions(db)] == [(7, REVIEWED_ON + timedelta(weeks=6))]
    page = text(client.get(f"/fidelity-reviews/{review.id}"))
    assert "The review is final: 100 of 125, Good. 1 action added to the action plan." in page
    assert "Weekly group supervision" in page and "Team leader" in page

    again = client.get(f"/fidelity-reviews/{review.id}/edit")
    assert (
        again.status_code == 302 and again.headers["Location"] == f"/fidelity-reviews/{review.id}"
    )
    client.post(f"/fidelity-reviews/{review.id}/edit", data=form_data("draft", {1: 1}))
    db.session.expire_all()
    assert (review.status, review.total) == ("final", 100)


def test_a_stale_edit_answers_409_and_shows_what_is_saved(client, login_as, db, site, trainer):
    review = save_review(site, review_data(scores={"1": 2}), trainer)
    db.session.commit()
    read = review.version
    save_review(site, review_data(scores={"1": 3}), trainer, review, read)
    db.session.commit()
    login_as(trainer)
    response = client.post(
        f"/fidelity-reviews/{review.id}/edit",
        data=form_data("draft", {1: 5}, version=str(read)),
    )
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this review since you opened it." in page
    assert 'id="score_1-3" name="score_1" type="radio" value="3" checked' in page
    db.session.expire_all()
    assert next(r.score for r in review.scores if r.item == 1) == 3


# --- who may do what ----------------------------------------------------------------------------


def test_only_admins_and_the_sites_trainers_use_the_form(client, login_as, make, db, site):
    review = save_review(site, review_data(), None)
    db.session.commit()
    paths = [new_path(site), f"/fidelity-reviews/{review.id}/edit"]
    other_trainer = make.user("trainer", sites=[make.site()])
    for user, expected in [
        (make.user("admin"), 200),
        (make.user("trainer", sites=[site]), 200),
        (other_trainer, 403),
        (make.user("site_lead", sites=[site]), 403),
        (make.user("funder"), 403),
    ]:
        login_as(user)
        for path in paths:
            assert client.get(path).status_code == expected, (user.role, path)
            if expected == 403:
                assert client.post(path, data=form_data("draft", {1: 1})).status_code == 403
    assert len(reviews(db)) == 1


def test_a_trainer_whose_assignment_ended_may_not_review(client, login_as, make, db, site):
    from training.models import Assignment

    trainer = make.user("trainer")
    db.session.add(
        Assignment(
            user_id=trainer.id,
            site_id=site.id,
            starts_on=date(2020, 1, 1),
            ends_on=date.today() - timedelta(days=1),
        )
    )
    db.session.commit()
    login_as(trainer)
    assert client.get(new_path(site)).status_code == 403


@pytest.fixture
def reviewed(make, db, site):
    """A site in a funder's programme with two final reviews (73, then 101) and a draft."""
    programme = make.programme()
    make.participation(programme, site)
    first = save_review(
        site,
        review_data("final", reviewed_on=date(2022, 5, 10), scores=scores(3, item_1=1)),
        None,
    )
    second = save_review(
        site,
        review_data(
            "final",
            reviewed_on=date(2024, 5, 10),
            scores=scores(4, item_1=5),
            notes={"1": "Caseloads of 18 per specialist."},
            actions={"2": {"description": "Protect specialists' time", "owner": "Manager"}},
        ),
        None,
    )
    draft = save_review(site, review_data(scores={"1": 2}), None)
    db.session.commit()
    return {"programme": programme, "first": first, "second": second, "draft": draft}


def test_the_review_page_shows_total_band_change_chart_items_and_actions(
    client, login_as, reviewed, site
):
    assert (reviewed["first"].total, reviewed["second"].total) == (73, 101)
    login_as("site_lead", sites=[site])
    page = text(client.get(f"/fidelity-reviews/{reviewed['second'].id}"))
    assert "101 of 125" in page
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">Good</strong>' in page
    assert "up 28 (73 on 10 May 2022)" in page
    assert 'id="review-scores-chart"' in page and "Previous final review (10 May 2022)" in page
    assert "Caseloads of 18 per specialist." in page
    assert "Protect specialists&#39; time" in page and "Manager" in page
    assert "21 June 2024" in page  # due six weeks after 10 May 2024
    first = text(client.get(f"/fidelity-reviews/{reviewed['first'].id}"))
    assert "This is the site&#39;s first final review" in first
    assert "Not IPS" in first


def test_funders_see_totals_and_bands_but_no_item_scores(client, login_as, make, reviewed):
    login_as("funder", funder=reviewed["programme"].funder)
    response = client.get(f"/fidelity-reviews/{reviewed['second'].id}")
    assert response.status_code == 200
    page = text(response)
    assert "101 of 125" in page and "Good" in page
    assert "Item scores, the reviewers&#39; names and notes and the action plan are shared" in page
    assert "Caseloads of 18" not in page
    assert "Regional trainer (North West)" not in page  # no reviewer's name (DESIGN.md)
    assert "review-scores-chart" not in page
    assert "Protect specialists" not in page
    assert "<caption" not in page  # no item tables


def test_drafts_are_seen_only_by_admins_and_trainers(client, login_as, make, reviewed, site):
    path = f"/fidelity-reviews/{reviewed['draft'].id}"
    for user, expected in [
        (make.user("admin"), 200),
        (make.user("trainer", sites=[site]), 200),
        (make.user("trainer"), 403),  # not assigned: not even the site's page
        (make.user("site_lead", sites=[site]), 404),
        (make.user("funder", funder=reviewed["programme"].funder), 404),
    ]:
        login_as(user)
        assert client.get(path).status_code == expected, user.role
    login_as("admin")
    assert "Continue this draft" in text(client.get(path))
    login_as("admin")
    final = text(client.get(f"/fidelity-reviews/{reviewed['second'].id}"))
    assert "Continue this draft" not in final


def test_reviews_of_other_sites_are_refused(client, login_as, make, reviewed):
    other = make.site()
    login_as("site_lead", sites=[other])
    assert client.get(f"/fidelity-reviews/{reviewed['second'].id}").status_code == 403
    login_as("funder")  # a funder of nothing
    assert client.get(f"/fidelity-reviews/{reviewed['second'].id}").status_code == 403
    assert client.get("/fidelity-reviews/987654").status_code == 404
