"""The fidelity API (API.md): the scale's items, a site's trajectory, recording a review and the
network profile; shapes, errors in the contract's shape, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from training.fidelity.services import save_review
from training.models import Action, FidelityReview

REVIEWED_ON = date.today() - timedelta(days=10)
REVIEW_KEYS = {
    "id",
    "site_id",
    "version",
    "reviewed_on",
    "kind",
    "status",
    "lead_reviewer",
    "total",
    "band",
    "scores",
    "notes",
    "actions",
    "action_plan",
    "reopen_reason",
}


def scores(value: int = 4, **by_item: int) -> dict[str, int]:
    """All 25 items scored `value`, except those given as item_7=2."""
    found = {str(n): value for n in range(1, 26)}
    found.update({key.removeprefix("item_"): score for key, score in by_item.items()})
    return found


def body(status: str = "draft", **changes) -> dict:
    return {
        "reviewed_on": REVIEWED_ON.isoformat(),
        "kind": "external_review",
        "status": status,
        "scores": {},
        **changes,
    }


def count_reviews(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(FidelityReview.id)))


@pytest.fixture
def site(make):
    return make.site(name="Riverside IPS")


@pytest.fixture
def trainer(make, site):
    return make.user("trainer", sites=[site], name="Sam Trainer")


def path(site) -> str:
    return f"/api/v1/sites/{site.id}/fidelity-reviews"


# --- the items ----------------------------------------------------------------------------------


def test_every_role_reads_the_25_items_with_their_anchors(api, client):
    for role in ("admin", "trainer", "site_lead", "funder"):
        response = api(role).get("/api/v1/fidelity/items")
        assert response.status_code == 200, role
        items = response.get_json()
        assert isinstance(items, list) and len(items) == 25
    assert [i["number"] for i in items] == list(range(1, 26))
    first = items[0]
    assert set(first) == {"number", "section", "name", "description", "anchors"}
    assert (first["section"], first["name"]) == ("staffing", "Caseload size")
    assert set(first["anchors"]) == {"1", "2", "3", "4", "5"}
    assert (
        first["anchors"]["5"] == "Each full-time employment specialist supports 20 people or fewer."
    )
    assert [i["section"] for i in items].count("organisation") == 8
    assert [i["section"] for i in items].count("services") == 14
    assert client.get("/api/v1/fidelity/items").status_code == 401


# --- recording a review -------------------------------------------------------------------------


def test_a_draft_answers_201_with_no_total_or_band_while_incomplete(api, db, site, trainer):
    response = api(trainer).post(
        path(site), json=body(scores={"1": 5, "7": 2}, notes={"7": "Works alone."})
    )
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == REVIEW_KEYS
    assert (answer["status"], answer["total"], answer["band"]) == ("draft", None, None)
    assert answer["lead_reviewer"] == "Sam Trainer"  # the caller's name by default
    assert answer["version"] == 1 and answer["site_id"] == site.id
    assert answer["reviewed_on"] == REVIEWED_ON.isoformat()
    assert answer["scores"] == {str(n): None for n in range(1, 26)} | {"1": 5, "7": 2}
    assert answer["notes"] == {"7": "Works alone."}
    assert (answer["actions"], answer["action_plan"]) == ({}, [])
    assert db.session.get(FidelityReview, answer["id"]).status == "draft"


def test_a_final_review_answers_its_total_band_and_action_plan(api, db, site, trainer):
    due = (REVIEWED_ON + timedelta(days=20)).isoformat()
    response = api("admin").post(
        path(site),
        json=body(
            "final",
            scores=scores(5, item_1=4, item_2=3),  # 23 x 5 + 4 + 3 = 122: Exemplary
            lead_reviewer="External reviewer",
            actions={
                "1": {"description": "Recruit a fourth specialist", "owner": "Manager"},
                "2": {"description": "Protect time", "owner": "Team leader", "due_on": due},
            },
        ),
    )
    assert response.status_code == 201
    answer = response.get_json()
    assert (answer["status"], answer["total"], answer["band"]) == ("final", 122, "exemplary")
    assert answer["lead_reviewer"] == "External reviewer"
    assert answer["actions"] == {
        "1": {"description": "Recruit a fourth specialist", "owner": "Manager", "due_on": None},
        "2": {"description": "Protect time", "owner": "Team leader", "due_on": due},
    }
    plan = answer["action_plan"]
    assert [(a["item"], a["due_on"], a["status"]) for a in plan] == [
        (1, (REVIEWED_ON + timedelta(weeks=6)).isoformat(), "open"),
        (2, due, "open"),
    ]
    assert set(plan[0]) == {"id", "item", "description", "owner", "due_on", "status", "version"}
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 2


def test_finalising_with_missing_items_answers_422_naming_them(api, db, site, trainer):
    incomplete = scores()
    del incomplete["7"], incomplete["13"]
    response = api(trainer).post(path(site), json=body("final", scores=incomplete))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "scores.7": ["Score item 7 (Vocational unit)"],
        "scores.13": ["Score item 13 (Disclosure)"],
    }
    assert count_reviews(db) == 0


def test_bad_values_answer_422_with_a_message_per_field(api, db, site, trainer):
    response = api(trainer).post(
        path(site),
        json=body(
            reviewed_on=(date.today() + timedelta(days=1)).isoformat(),
            scores={"1": 6, "2": 4.0, "3": "3", "4": True, "26": 1, "5": None},
            notes={"2": 7},
            actions={"9": {"description": "Invite self-referrals"}},
        ),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "reviewed_on": ["The review date must be today or in the past"],
        "scores": ["There is no item 26: the scale has items 1 to 25"],
        "scores.1": ["Score item 1 from 1 to 5"],
        "scores.2": ["Score item 2 from 1 to 5"],
        "scores.3": ["Score item 3 from 1 to 5"],
        "scores.4": ["Score item 4 from 1 to 5"],
        "notes.2": ["Write the note on item 2 as text"],
        "actions.9.owner": ["Enter who owns the action for item 9, for example the team leader"],
    }
    assert count_reviews(db) == 0


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"reviewed_on": "10/05/2024"}, {"reviewed_on": ["Enter a date as YYYY-MM-DD"]}),
        (
            {"kind": "audit"},
            {"kind": ["Choose one of: self_assessment, peer_review, external_review"]},
        ),
        ({"status": "done"}, {"status": ["Choose one of: draft, final"]}),
        ({"scores": [5, 4]}, {"scores": ["Not a valid mapping type."]}),
        (
            {"actions": {"7": {"description": "x", "owner": "y", "due_on": "2024-02-30"}}},
            {"actions.7.due_on": ["Enter a date as YYYY-MM-DD"]},
        ),
        ({"colour": "blue"}, {"colour": ["Unknown field."]}),
    ],
)
def test_the_shape_of_the_body_is_checked(api, db, site, trainer, change, fields):
    response = api(trainer).post(path(site), json=body() | change)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert count_reviews(db) == 0


def test_missing_fields_are_named(api, site, trainer):
    response = api(trainer).post(path(site), json={})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {
        "reviewed_on",
        "kind",
        "status",
        "scores",
    }


def test_only_admins_and_assigned_trainers_record_reviews(api, make, db, site):
    for user in (
        make.user("trainer", sites=[make.site()]),
        make.user("site_lead", sites=[site]),
        make.user("funder"),
    ):
        response = api(user).post(path(site), json=body())
        assert response.status_code == 403, user.role
        assert response.get_json()["error"]["code"] == "forbidden"
    assert (
        api("admin").post("/api/v1/sites/987654/fidelity-reviews", json=body()).status_code == 404
    )
    assert count_reviews(db) == 0


# --- the trajectory -----------------------------------------------------------------------------


@pytest.fixture
def reviewed(make, db, site):
    """Final reviews of 2019 (93), 2022 (104) and 2021 (98), a later draft, and another site's."""
    programme = make.programme()
    make.participation(programme, site)
    for day, total_scores in [
        (date(2019, 3, 1), scores(4, item_1=1, item_2=1, item_3=3)),  # 93
        (date(2022, 6, 1), scores(4, item_1=5, item_2=5, item_3=5, item_4=5)),  # 104
        (date(2021, 9, 1), scores(4, item_1=2)),  # 98
    ]:
        save_review(
            site,
            {
                "reviewed_on": day,
                "kind": "peer_review",
                "lead_reviewer": "A",
                "status": "final",
                "scores": total_scores,
            },
            None,
        )
    save_review(
        site,
        {
            "reviewed_on": date(2023, 1, 1),
            "kind": "self_assessment",
            "lead_reviewer": "A",
            "status": "draft",
            "scores": {},
        },
        None,
    )
    save_review(
        make.site(),
        {
            "reviewed_on": date(2020, 1, 1),
            "kind": "peer_review",
            "lead_reviewer": "A",
            "status": "final",
            "scores": scores(5),
        },
        None,
    )
    db.session.commit()
    return {"programme": programme}


def test_the_trajectory_lists_final_reviews_oldest_first_with_the_change(api, reviewed, site):
    response = api("site_lead", sites=[site]).get(path(site))
    assert response.status_code == 200
    trajectory = response.get_json()
    assert [
        (p["reviewed_on"], p["kind"], p["total"], p["band"], p["change"]) for p in trajectory
    ] == [
        ("2019-03-01", "peer_review", 93, "fair", None),
        ("2021-09-01", "peer_review", 98, "fair", 5),
        ("2022-06-01", "peer_review", 104, "good", 6),
    ]
    assert set(trajectory[0]) == {"id", "reviewed_on", "kind", "total", "band", "change"}


def test_the_trajectory_is_scoped(api, make, reviewed, site):
    assert api("funder", funder=reviewed["programme"].funder).get(path(site)).status_code == 200
    assert api("trainer", sites=[site]).get(path(site)).status_code == 200
    assert api("funder").get(path(site)).status_code == 403
    assert api("site_lead", sites=[make.site()]).get(path(site)).status_code == 403
    assert api("trainer").get(path(site)).status_code == 403
    assert api("admin").get("/api/v1/sites/987654/fidelity-reviews").status_code == 404
    assert api("admin").get(path(make.site())).get_json() == []


# --- the profile --------------------------------------------------------------------------------


def test_the_profile_answers_per_item_for_trainers_and_admins(api, reviewed, site):
    response = api("trainer").get("/api/v1/fidelity/profile")
    assert response.status_code == 200
    profile = response.get_json()
    assert profile["sites"] == 2  # the site's latest (104) and the other site's (125)
    item_1 = profile["items"][0]
    assert item_1 == {
        "number": 1,
        "section": "staffing",
        "name": "Caseload size",
        "mean": 5.0,
        "below_4": 0,
    }
    assert [i["mean"] for i in profile["items"]][4:6] == [4.5, 4.5]
    for role in ("site_lead", "funder"):
        assert api(role).get("/api/v1/fidelity/profile").status_code == 403


def test_the_profile_filters_by_region_and_programme(api, make, reviewed, site):
    caller = api("admin")
    by_programme = caller.get(f"/api/v1/fidelity/profile?programme_id={reviewed['programme'].id}")
    assert by_programme.get_json()["sites"] == 1
    assert by_programme.get_json()["items"][4]["mean"] == 4.0
    assert caller.get("/api/v1/fidelity/profile?region=london").get_json() == {
        "sites": 0,
        "items": [
            {
                "number": i["number"],
                "section": i["section"],
                "name": i["name"],
                "mean": None,
                "below_4": 0,
            }
            for i in caller.get("/api/v1/fidelity/items").get_json()
        ],
    }
    bad = caller.get("/api/v1/fidelity/profile?region=atlantis&programme_id=x")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"region", "programme_id"}
