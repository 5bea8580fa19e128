"""Finalising a review from its check page, and an admin's reopening of a final review (issue 14):
the services' rules, the pages as each role, the audit trail, the trajectory and "latest final
review" while a review is reopened, and POST /api/v1/fidelity-reviews/{id}/reopen."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import StaleVersion, ValidationFailed
from tests.dates import posted
from training.fidelity.queries import latest_fidelity, site_trajectory
from training.fidelity.services import (
    MAX_REOPEN_REASON,
    ReviewNotFinal,
    finalise_review,
    reopen_review,
    save_review,
)
from training.models import Action, FidelityReview

REVIEWED_ON = date.today() - timedelta(days=30)
REASON = "Item 7 was scored against item 8's evidence: rescore both."


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


def text(response) -> str:
    """The page with runs of white space as one space, and none either side of a tag's ends."""
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    return re.sub(r" ?> ?", ">", re.sub(r" <", "<", page))


def actions(db) -> list[Action]:
    return db.session.scalars(sa.select(Action).order_by(Action.item, Action.id)).all()


def audit(db, review) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.table_name == "fidelity_review", AuditEvent.record_id == review.id)
        .order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def site(make):
    return make.site(name="Riverside IPS")


@pytest.fixture
def trainer(make, site):
    return make.user("trainer", sites=[site], name="Sam Trainer")


@pytest.fixture
def draft(db, site):
    """A complete draft (23 x 4 + 5 + 3 = 100: Good) with a note and a planned action."""
    review = save_review(
        site,
        review_data(
            scores=scores(4, item_1=5, item_7=3),
            notes={"7": "Two specialists; supervision is fortnightly."},
            actions={"7": {"description": "Weekly group supervision", "owner": "Team leader"}},
        ),
        None,
    )
    db.session.commit()
    return review


@pytest.fixture
def final(db, site):
    """A final review of 100 (Good) with one action, and an earlier final review of 90."""
    save_review(
        site,
        review_data(
            "final",
            reviewed_on=REVIEWED_ON - timedelta(days=400),
            scores=scores(4, item_1=2, item_2=2, item_3=2, item_4=2, item_5=2),  # 90: Fair
        ),
        None,
    )
    review = save_review(
        site,
        review_data(
            "final",
            scores=scores(4, item_1=5, item_7=3),
            actions={"7": {"description": "Weekly group supervision", "owner": "Team leader"}},
        ),
        None,
    )
    db.session.commit()
    return review


# --- the services -------------------------------------------------------------------------------


def test_finalising_a_draft_sets_its_total_and_adds_its_action_plan(db, draft):
    added = finalise_review(draft, draft.version)
    db.session.commit()
    assert (draft.status, draft.total) == ("final", 100)
    assert [(a.item, a.owner, a.due_on) for a in added] == [
        (7, "Team leader", REVIEWED_ON + timedelta(weeks=6))
    ]
    assert [a.id for a in actions(db)] == [added[0].id]


def test_finalising_with_a_stale_version_writes_nothing(db, draft):
    read = draft.version
    save_review(draft.site, review_data(scores=scores(5)), None, draft, read)
    db.session.commit()
    with pytest.raises(StaleVersion):
        finalise_review(draft, read)
    with pytest.raises(StaleVersion):
        finalise_review(draft, None)
    db.session.rollback()
    db.session.expire_all()
    assert (draft.status, draft.total) == ("draft", None)
    assert actions(db) == []


def test_an_incomplete_draft_cannot_be_finalised_and_each_missing_item_is_named(db, site):
    review = save_review(site, review_data(scores={"1": 5, "2": 4}), None)
    db.session.commit()
    with pytest.raises(ValidationFailed) as raised:
        finalise_review(review, review.version)
    fields = raised.value.fields
    assert sorted(fields, key=lambda k: int(k.split(".")[1])) == [
        f"scores.{n}" for n in range(3, 26)
    ]
    assert fields["scores.7"] == ["Score item 7 (Vocational unit)"]
    db.session.rollback()
    db.session.expire_all()
    assert (review.status, review.total) == ("draft", None)


def test_reopening_makes_a_final_review_a_draft_without_a_total_and_audits_the_reason(db, final):
    before = final.version
    reopen_review(final, reason=f"  {REASON}  ", version=before)
    db.session.commit()
    assert (final.status, final.total, final.reopen_reason) == ("draft", None, REASON)
    assert final.version == before + 1
    event = audit(db, final)[-1]
    assert event.action == "update"
    assert event.before == {"status": "final", "total": 100, "reopen_reason": None}
    assert event.after == {"status": "draft", "total": None, "reopen_reason": REASON}
    assert len(actions(db)) == 1  # the action plan stays


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (None, "Enter why you are reopening this review"),
        ("", "Enter why you are reopening this review"),
        ("   \n ", "Enter why you are reopening this review"),
        ("x" * (MAX_REOPEN_REASON + 1), "The reason must be 2,000 characters or fewer"),
        ("a\x00b", "The reason must not contain NUL characters"),
        (7, "Write the reason as text"),
    ],
)
def test_reopening_needs_a_reason_and_writes_nothing_without_one(db, final, reason, message):
    with pytest.raises(ValidationFailed) as raised:
        reopen_review(final, reason=reason, version=final.version)
    assert raised.value.fields == {"reason": [message]}
    db.session.rollback()
    db.session.expire_all()
    assert (final.status, final.total, final.reopen_reason) == ("final", 100, None)


def test_only_a_final_review_with_the_current_version_is_reopened(db, draft, final):
    with pytest.raises(ReviewNotFinal):
        reopen_review(draft, reason=REASON, version=draft.version)
    with pytest.raises(StaleVersion):
        reopen_review(final, reason=REASON, version=final.version - 1)
    with pytest.raises(StaleVersion):
        reopen_review(final, reason=REASON, version=None)
    db.session.rollback()
    db.session.expire_all()
    assert (draft.status, final.status, final.reopen_reason) == ("draft", "final", None)


def test_a_reopened_review_leaves_the_trajectory_and_latest_final_review_until_finalised(
    db, site, final
):
    assert [p.total for p in site_trajectory(site.id)] == [90, 100]
    assert latest_fidelity(site.id)["total"] == 100
    reopen_review(final, reason=REASON, version=final.version)
    db.session.commit()
    assert [p.total for p in site_trajectory(site.id)] == [90]
    assert latest_fidelity(site.id) == {
        "reviewed_on": REVIEWED_ON - timedelta(days=400),
        "total": 90,
        "band": "fair",
    }
    save_review(site, review_data(scores=scores(5, item_7=4)), None, final, final.version)
    finalise_review(final, final.version)
    db.session.commit()
    assert [(p.total, p.change) for p in site_trajectory(site.id)] == [(90, None), (124, 34)]
    assert latest_fidelity(site.id)["band"] == "exemplary"


def test_finalising_again_clears_the_reason_keeps_its_history_and_never_doubles_an_action(
    db, site, final
):
    first = actions(db)[0]
    first.status = "done"
    db.session.commit()
    reopen_review(final, reason=REASON, version=final.version)
    db.session.commit()
    data = review_data(
        scores=scores(4, item_1=5, item_7=4),
        actions={
            "7": {"description": "Weekly group supervision", "owner": "Team leader"},
            "9": {"description": "Take referrals from every team", "owner": "Service manager"},
        },
    )
    save_review(site, data, None, final, final.version)
    added = finalise_review(final, final.version)
    db.session.commit()
    assert (final.status, final.total, final.reopen_reason) == ("final", 101, None)
    assert [a.item for a in added] == [9]
    assert [(a.item, a.status) for a in actions(db)] == [(7, "done"), (9, "open")]
    events = audit(db, final)
    reasons = [(e.before or {}).get("reopen_reason") for e in events] + [
        (e.after or {}).get("reopen_reason") for e in events
    ]
    assert reasons.count(REASON) == 2  # set when reopened, cleared when finalised again
    assert events[-1].after["status"] == "final" and events[-1].before["reopen_reason"] == REASON


# --- the check page -----------------------------------------------------------------------------


def check_path(review) -> str:
    return f"/fidelity-reviews/{review.id}/check"


def test_the_check_page_shows_the_whole_review_with_change_links_and_the_version(
    client, login_as, draft, trainer, site
):
    login_as(trainer)
    response = client.get(check_path(draft))
    assert response.status_code == 200
    page = text(response)
    edit = f"/fidelity-reviews/{draft.id}/edit"
    assert "<h1" in page and "Check the review before you finalise it</h1>" in page
    assert "<title>Error:" not in page
    assert "Riverside IPS" in page
    assert f"{REVIEWED_ON.day} {REVIEWED_ON:%B %Y}" in page
    assert "Peer review" in page and "Regional trainer (North West)" in page
    assert page.count('<dt class="nhsuk-summary-list__key">') == 4 + 25 + 2
    assert "7. Vocational unit" in page and "25. Assertive engagement" in page
    assert "<strong>3 of 5</strong>" in page
    assert "Note: Two specialists; supervision is fortnightly." in page
    assert (
        "100 of 125" in page and '<strong class="nhsuk-tag nhsuk-tag--blue">Good</strong>' in page
    )
    assert "Weekly group supervision" in page and "Team leader" in page
    due = REVIEWED_ON + timedelta(weeks=6)
    assert f"{due.day} {due:%B %Y}" in page
    assert f'href="{edit}#reviewed_on-day"' in page and f'href="{edit}#lead_reviewer"' in page
    assert f'href="{edit}#score_7">Change<span class="nhsuk-u-visually-hidden">item 7<' in page
    assert page.count(">Change<") == 3 + 25
    assert f'name="version" type="hidden" value="{draft.version}"' in page
    assert "Finalise review</button>" in page


def test_finalising_from_the_check_page(client, login_as, db, draft, trainer):
    login_as(trainer)
    response = client.post(check_path(draft), data={"version": str(draft.version)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/fidelity-reviews/{draft.id}"
    db.session.expire_all()
    assert (draft.status, draft.total) == ("final", 100)
    page = text(client.get(f"/fidelity-reviews/{draft.id}"))
    assert "The review is final: 100 of 125, Good. 1 action added to the action plan." in page
    again = client.get(check_path(draft))  # a final review has no check page
    assert again.status_code == 302 and again.headers["Location"] == f"/fidelity-reviews/{draft.id}"


def test_finalising_with_a_stale_version_says_so_and_writes_nothing(
    client, login_as, db, draft, trainer
):
    read = draft.version
    save_review(draft.site, review_data(scores=scores(5)), None, draft, read)
    db.session.commit()
    login_as(trainer)
    response = client.post(check_path(draft), data={"version": str(read)})
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this review since you opened this page." in page
    assert "125 of 125" in page  # what is saved now
    assert f'name="version" type="hidden" value="{draft.version}"' in page
    db.session.expire_all()
    assert (draft.status, draft.total) == ("draft", None)
    assert actions(db) == []


def test_an_incomplete_draft_posted_to_its_check_page_is_refused_item_by_item(
    client, login_as, db, site, trainer
):
    review = save_review(site, review_data(scores=scores(4) | {"7": None, "9": None}), None)
    db.session.commit()
    login_as(trainer)
    response = client.post(check_path(review), data={"version": str(review.version)})
    assert response.status_code == 422
    page = text(response)
    edit = f"/fidelity-reviews/{review.id}/edit"
    assert f'<a href="{edit}#score_7">Score item 7 (Vocational unit)</a>' in page
    assert f'<a href="{edit}#score_9">Score item 9 (Zero exclusion criteria)</a>' in page
    assert f'href="{edit}#score_9">Score<span class="nhsuk-u-visually-hidden">item 9<' in page
    db.session.expire_all()
    assert (review.status, review.total) == ("draft", None)


def test_save_draft_still_saves_a_draft_without_the_check_page(client, login_as, db, site, trainer):
    login_as(trainer)
    data = posted(
        {
            "reviewed_on": REVIEWED_ON.isoformat(),
            "kind": "external_review",
            "lead_reviewer": "Sam Trainer",
            "status": "draft",
        }
        | {f"score_{n}": "4" for n in range(1, 26)}
    )
    response = client.post(f"/sites/{site.id}/fidelity-reviews/new", data=data)
    review = db.session.scalars(sa.select(FidelityReview)).one()
    assert response.headers["Location"] == f"/fidelity-reviews/{review.id}"
    assert (review.status, review.total) == ("draft", None)
    page = text(client.get(response.headers["Location"]))
    assert "Your draft review is saved. It is not final yet." in page
    assert f'href="/fidelity-reviews/{review.id}/check"' in page  # "Check and finalise"


def test_only_admins_and_the_sites_trainers_check_and_finalise(client, login_as, make, db, draft):
    for user, expected in [
        (make.user("admin"), 200),
        (make.user("trainer", sites=[make.site()]), 403),
        (make.user("site_lead", sites=[draft.site]), 403),
        (make.user("funder"), 403),
    ]:
        login_as(user)
        assert client.get(check_path(draft)).status_code == expected, user.role
        if expected == 403:
            posted_ = client.post(check_path(draft), data={"version": str(draft.version)})
            assert posted_.status_code == 403
    db.session.expire_all()
    assert draft.status == "draft"


# --- reopening, on the pages --------------------------------------------------------------------


def reopen_path(review) -> str:
    return f"/fidelity-reviews/{review.id}/reopen"


def test_an_admin_reopens_a_final_review_with_a_reason(client, login_as, db, final):
    admin = login_as("admin")
    page = text(client.get(f"/fidelity-reviews/{final.id}"))
    assert f'href="{reopen_path(final)}"' in page and "Reopen this review" in page
    form = text(client.get(reopen_path(final)))
    assert '<textarea class="nhsuk-textarea" id="reason" name="reason"' in form
    assert f'name="version" type="hidden" value="{final.version}"' in form

    response = client.post(reopen_path(final), data={"reason": REASON, "version": final.version})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/fidelity-reviews/{final.id}"
    db.session.expire_all()
    assert (final.status, final.total, final.reopen_reason) == ("draft", None, REASON)
    event = audit(db, final)[-1]
    assert (event.user_id, event.after["reopen_reason"]) == (admin.id, REASON)

    page = text(client.get(f"/fidelity-reviews/{final.id}"))
    assert "The review is a draft again." in page
    assert f"<strong>Reopened by an admin:</strong>{REASON.replace(chr(39), '&#39;')}</p>" in page
    assert "Reopen this review" not in page
    assert "Continue this draft" in page and "Check and finalise" in page
    assert "the actions it added then stay in the action plan (1 of them)" in page


def test_the_reason_shows_until_the_review_is_final_again(client, login_as, db, site, final):
    reopen_review(final, reason=REASON, version=final.version)
    db.session.commit()
    login_as("trainer", sites=[site])
    assert "Reopened by an admin:" in text(client.get(f"/fidelity-reviews/{final.id}"))
    assert "Reopened by an admin:" in text(client.get(f"/fidelity-reviews/{final.id}/edit"))
    assert "Reopened by an admin:" in text(client.get(check_path(final)))
    client.post(check_path(final), data={"version": str(final.version)})
    db.session.expire_all()
    assert (final.status, final.reopen_reason) == ("final", None)
    assert "Reopened by an admin:" not in text(client.get(f"/fidelity-reviews/{final.id}"))


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you are reopening this review"),
        ("x" * (MAX_REOPEN_REASON + 1), "The reason must be 2,000 characters or fewer"),
        ("Wrong\x00item", "The reason must not contain NUL characters"),
    ],
)
def test_a_bad_reason_is_shown_at_its_field_and_nothing_is_written(
    client, login_as, db, final, reason, message
):
    login_as("admin")
    response = client.post(reopen_path(final), data={"reason": reason, "version": final.version})
    assert response.status_code == 422
    page = text(response)
    assert "<title>Error:" in page
    assert f'<a href="#reason">{message}</a>' in page
    assert 'id="reason-error"' in page and message in page.split('id="reason-error"')[1][:300]
    db.session.expire_all()
    assert (final.status, final.total, final.reopen_reason) == ("final", 100, None)


def test_reopening_with_a_stale_version_says_so_and_writes_nothing(client, login_as, db, final):
    login_as("admin")
    response = client.post(
        reopen_path(final), data={"reason": REASON, "version": final.version - 1}
    )
    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this review since you opened this page." in page
    assert REASON.replace("'", "&#39;") in page  # what was typed is kept
    db.session.expire_all()
    assert (final.status, final.reopen_reason) == ("final", None)


def test_a_draft_is_not_reopened(client, login_as, db, draft):
    login_as("admin")
    for response in (
        client.get(reopen_path(draft)),
        client.post(reopen_path(draft), data={"reason": REASON, "version": draft.version}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"] == f"/fidelity-reviews/{draft.id}"
    db.session.expire_all()
    assert draft.reopen_reason is None


def test_trainers_site_leads_and_funders_cannot_reopen(client, login_as, make, db, site, final):
    programme = make.programme()
    make.participation(programme, site)
    for user in (
        make.user("trainer", sites=[site]),
        make.user("site_lead", sites=[site]),
        make.user("funder", funder=programme.funder),
    ):
        login_as(user)
        assert "Reopen this review" not in text(client.get(f"/fidelity-reviews/{final.id}"))
        assert client.get(reopen_path(final)).status_code == 403, user.role
        response = client.post(reopen_path(final), data={"reason": REASON, "version": 1})
        assert response.status_code == 403, user.role
    db.session.expire_all()
    assert (final.status, final.reopen_reason) == ("final", None)


# --- reopening, in the API ----------------------------------------------------------------------


def api_path(review) -> str:
    return f"/api/v1/fidelity-reviews/{review.id}/reopen"


def test_the_api_reopens_a_final_review_and_answers_it(api, db, site, final):
    response = api("admin").post(api_path(final), json={"version": final.version, "reason": REASON})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["id"] == final.id and answer["status"] == "draft"
    assert answer["action_plan"][0]["item"] == 7
    db.session.expire_all()
    assert answer["reopen_reason"] == REASON and answer["version"] == final.version
    assert (final.status, final.total) == ("draft", None)
    assert [p.total for p in site_trajectory(site.id)] == [90]
    trajectory = api("admin").get(f"/api/v1/sites/{site.id}/fidelity-reviews").get_json()
    assert [p["total"] for p in trajectory] == [90]
    assert audit(db, final)[-1].after["reopen_reason"] == REASON


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"version": 1}, {"reason": ["Enter why you are reopening this review"]}),
        ({"version": 1, "reason": "  "}, {"reason": ["Enter why you are reopening this review"]}),
        ({"version": 1, "reason": None}, {"reason": ["Enter why you are reopening this review"]}),
        ({"version": 1, "reason": "a\x00b"}, {"reason": ["Must not contain NUL characters"]}),
        (
            {"version": 1, "reason": "x" * (MAX_REOPEN_REASON + 1)},
            {"reason": ["The reason must be 2,000 characters or fewer"]},
        ),
        ({"reason": REASON}, {"version": ["Send the version of the review you read"]}),
        ({"version": "1", "reason": REASON}, {"version": ["Must be a whole number"]}),
    ],
)
def test_the_api_checks_the_reason_and_version_field_by_field(api, db, final, body, fields):
    response = api("admin").post(api_path(final), json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and error["fields"] == fields
    db.session.expire_all()
    assert (final.status, final.reopen_reason) == ("final", None)


def test_the_api_answers_409_for_a_stale_version_or_a_draft(api, db, draft, final):
    stale = api("admin").post(api_path(final), json={"version": final.version + 5, "reason": "x"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    not_final = api("admin").post(api_path(draft), json={"version": draft.version, "reason": "x"})
    assert not_final.status_code == 409
    assert not_final.get_json()["error"] == {
        "code": "conflict",
        "message": "This review is a draft: only a final review can be reopened.",
    }
    db.session.expire_all()
    assert (final.status, draft.reopen_reason) == ("final", None)


def test_only_admins_reopen_through_the_api(api, client, make, db, site, final):
    body = {"version": final.version, "reason": REASON}
    for user in (
        make.user("trainer", sites=[site]),
        make.user("site_lead", sites=[site]),
        make.user("funder"),
    ):
        response = api(user).post(api_path(final), json=body)
        assert response.status_code == 403, user.role
        assert response.get_json()["error"]["code"] == "forbidden"
    assert client.post(api_path(final), json=body).status_code == 401
    missing = api("admin").post("/api/v1/fidelity-reviews/987654/reopen", json=body)
    assert missing.status_code == 404
    db.session.expire_all()
    assert final.status == "final"
