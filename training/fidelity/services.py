"""Writes on fidelity reviews: save a draft, finalise, reopen. Validate, change, flush; the caller
commits. The scale and its scoring are pure, in training/fidelity/scale.py and scoring.py.

A draft may leave items unscored; a final review has all 25 scores, and its total is set here from
them (never typed). Finalising creates the review's action plan: one Action per item the reviewer
marked for action, due six weeks after the review unless the reviewer gave a date. A final review
is not changed again, except that an admin may reopen it with a reason (`reopen_review`): it is a
draft again, without a total, so it leaves the site's trajectory and "latest final review" until
it is finalised again (`finalise_review`, which clears the reason; the audit log keeps it). Edits
carry the version they read (StaleVersion when it is stale). Every change is audited by the ORM
hook (core/audit.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from accounts.models import User
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.limits import text_problem
from core.records import require_version, utcnow
from sites.models import Site
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.models import (
    REVIEW_KINDS,
    REVIEW_STATUSES,
    Action,
    FidelityReview,
    FidelityScore,
    ReviewStatus,
)
from training.visits.actions import ActionStatus

ACTION_DUE_AFTER = timedelta(weeks=6)
FIRST_REVIEW_DATE = date(2008, 1, 1)  # the 25-item scale dates from 2008

MAX_LEAD_REVIEWER = 200
MAX_NOTE = 4000
MAX_ACTION_DESCRIPTION = 2000
MAX_ACTION_OWNER = 200
MAX_REOPEN_REASON = 2000

Fields = dict[str, list[str]]


class ReviewNotFinal(Exception):
    """Only a final review can be reopened; this one is a draft."""

    def __init__(
        self, message: str = "This review is a draft: only a final review can be reopened."
    ) -> None:
        super().__init__(message)
        self.message = message


def default_due_on(reviewed_on: date) -> date:
    """When a review's action is due if the reviewer gives no date: six weeks after the review."""
    return reviewed_on + ACTION_DUE_AFTER


def _label(number: int) -> str:
    return f"item {number} ({fidelity.item(number).name})"


def _text(value: Any) -> str | None:
    """Text as given, trimmed; None when blank or not text (the caller reports the latter)."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _per_item(value: Any, field: str, fields: Fields) -> dict[int, Any]:
    """A mapping keyed by item number ("7" or 7) as {7: value}; bad keys are reported."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        fields.setdefault(field, []).append("Send an object keyed by item number")
        return {}
    found: dict[int, Any] = {}
    for key, entry in value.items():
        number = None
        if isinstance(key, int) and not isinstance(key, bool):
            number = key
        elif isinstance(key, str) and key.strip().isdigit() and len(key.strip()) <= 6:
            number = int(key.strip())
        if number is None or not 1 <= number <= len(fidelity.ITEMS):
            shown = key if isinstance(key, int | str) and len(str(key)) <= 20 else "given"
            fields.setdefault(field, []).append(
                f"There is no item {shown}: the scale has items 1 to 25"
            )
            continue
        found[number] = entry
    return found


def _check_text(
    value: Any, field: str, what: str, limit: int, fields: Fields
) -> tuple[str | None, bool]:
    """(clean text, ok): reports text that is not a string, too long or that PostgreSQL cannot
    store (core.limits)."""
    if value is None:
        return None, True
    if not isinstance(value, str):
        fields.setdefault(field, []).append(f"Write {what} as text")
        return None, False
    problem = text_problem(value)
    if problem:
        fields.setdefault(field, []).append(
            f"{what.capitalize()} {problem[0].lower()}{problem[1:]}"
        )
        return None, False
    text = _text(value)
    if text is not None and len(text) > limit:
        fields.setdefault(field, []).append(
            f"{what.capitalize()} must be {limit:,} characters or fewer"
        )
        return None, False
    return text, True


def review_errors(
    data: Mapping[str, Any], *, review: FidelityReview | None = None, today: date | None = None
) -> Fields:
    """Every message about `data` for a review, keyed by field as the API names them:
    reviewed_on, kind, lead_reviewer, status, scores, scores.7, notes.7, actions.7.owner, ...

    `data` has reviewed_on (a date), kind, lead_reviewer, status, scores ({item: score}, None for
    unscored), notes ({item: text}) and actions ({item: {description, owner, due_on}}). Empty
    when the review may be saved. Reads nothing from the database; never raises.
    """
    today = today or date.today()
    fields: Fields = {}

    def add(key: str, message: str) -> None:
        fields.setdefault(key, []).append(message)

    if review is not None and review.status == ReviewStatus.FINAL:
        add("status", "This review is final: it cannot be changed or go back to a draft")

    reviewed_on = data.get("reviewed_on")
    if reviewed_on is None:
        add("reviewed_on", "Enter the date of the review")
    elif not isinstance(reviewed_on, date):
        add("reviewed_on", "Enter the review date as a real date")
        reviewed_on = None
    elif reviewed_on > today:
        add("reviewed_on", "The review date must be today or in the past")
    elif reviewed_on < FIRST_REVIEW_DATE:
        add("reviewed_on", "The review date must be in 2008 or later, when the scale began")

    if data.get("kind") not in REVIEW_KINDS:
        add("kind", "Choose the kind of review: " + ", ".join(REVIEW_KINDS.values()).lower())

    lead, ok = _check_text(
        data.get("lead_reviewer"), "lead_reviewer", "the lead reviewer", MAX_LEAD_REVIEWER, fields
    )
    if ok and lead is None:
        add("lead_reviewer", "Enter the name of the lead reviewer")

    status = data.get("status")
    if status not in REVIEW_STATUSES:
        add("status", "Choose draft or final")

    raw_scores = data.get("scores")
    if raw_scores is None:
        raw_scores = {}
    for key, messages in scoring.score_errors(raw_scores).items():
        for message in messages:
            add("scores" if key == "scores" else f"scores.{key}", message)
    if status == ReviewStatus.FINAL and isinstance(raw_scores, Mapping):
        scores = scoring.clean_scores(raw_scores)
        for number in scoring.missing_items(scores):
            if f"scores.{number}" not in fields:
                add(f"scores.{number}", f"Score {_label(number)}")

    for number, note in _per_item(data.get("notes"), "notes", fields).items():
        _check_text(note, f"notes.{number}", f"the note on item {number}", MAX_NOTE, fields)

    for number, plan in _per_item(data.get("actions"), "actions", fields).items():
        _check_action(number, plan, reviewed_on, fields)
    return fields


def _check_action(number: int, plan: Any, reviewed_on: date | None, fields: Fields) -> None:
    prefix = f"actions.{number}"
    if plan is None:
        return
    if not isinstance(plan, Mapping):
        fields.setdefault(prefix, []).append("Send the action as {description, owner, due_on}")
        return
    description, _ = _check_text(
        plan.get("description"),
        f"{prefix}.description",
        f"the action for item {number}",
        MAX_ACTION_DESCRIPTION,
        fields,
    )
    owner, owner_ok = _check_text(
        plan.get("owner"),
        f"{prefix}.owner",
        f"the owner of the action for item {number}",
        MAX_ACTION_OWNER,
        fields,
    )
    due_on = plan.get("due_on")
    if due_on is not None and not isinstance(due_on, date):
        fields.setdefault(f"{prefix}.due_on", []).append(
            f"Enter the due date of the action for item {number} as a real date"
        )
        due_on = None
    if description is None:
        if (owner or due_on) and f"{prefix}.description" not in fields:
            fields.setdefault(f"{prefix}.description", []).append(
                f"Describe the action for item {number}, or leave its owner and due date empty"
            )
        return
    if owner is None and owner_ok:
        fields.setdefault(f"{prefix}.owner", []).append(
            f"Enter who owns the action for item {number}, for example the team leader"
        )
    if due_on is not None and reviewed_on is not None and due_on < reviewed_on:
        fields.setdefault(f"{prefix}.due_on", []).append(
            f"The action for item {number} must be due on or after the review date"
        )


def save_review(
    site: Site,
    data: Mapping[str, Any],
    user: User | None,
    review: FidelityReview | None = None,
    version: int | None = None,
    *,
    today: date | None = None,
) -> FidelityReview:
    """Create a review of `site` (review=None) or change a draft, as a draft or finalised.

    `data` is as `review_errors` describes; a change of an existing draft needs the `version` the
    caller read. Finalising needs all 25 scores, sets the total and creates one open Action per
    item with a planned action. Raises ValidationFailed (a message per field) or StaleVersion;
    nothing is written then.
    """
    if review is not None:
        if review.site_id != site.id:
            raise ValueError("the review is not of this site")
        if version is None or version != review.version:
            raise StaleVersion()
    fields = review_errors(data, review=review, today=today)
    if fields:
        raise ValidationFailed(fields, "The review cannot be saved: check the fields named.")

    scores = scoring.clean_scores(data.get("scores") or {})
    notes = {n: _text(v) for n, v in _per_item(data.get("notes"), "notes", {}).items()}
    actions = {
        n: plan
        for n, plan in _per_item(data.get("actions"), "actions", {}).items()
        if isinstance(plan, Mapping) and _text(plan.get("description"))
    }

    if review is None:
        review = FidelityReview(site_id=site.id, recorded_by_id=user.id if user else None)
        db.session.add(review)
    review.reviewed_on = data["reviewed_on"]
    review.kind = data["kind"]
    review.lead_reviewer = _text(data["lead_reviewer"]) or ""
    review.status = data["status"]
    review.total = scoring.review_total(scores) if review.status == ReviewStatus.FINAL else None
    review.updated_at = utcnow()  # a change of its items alone is a new version of the review

    rows = {row.item: row for row in review.scores}
    for item in fidelity.ITEMS:
        row = rows.get(item.number)
        if row is None:
            row = FidelityScore(item=item.number)
            review.scores.append(row)
        plan = actions.get(item.number) or {}
        row.score = scores.get(item.number)
        row.note = notes.get(item.number)
        row.action_description = _text(plan.get("description"))
        row.action_owner = _text(plan.get("owner"))
        row.action_due_on = plan.get("due_on")
    db.session.flush()

    if review.status == ReviewStatus.FINAL:
        _add_action_plan(review)
    return review


def _add_action_plan(review: FidelityReview) -> list[Action]:
    """One open Action per item the reviewer planned an action for; answers those it added. An
    item that already has an action from this review (finalised before, then reopened) keeps it
    as it is: finalising again never doubles an action, nor undoes what the site did with it."""
    existing = set(db.session.scalars(sa.select(Action.item).where(Action.review_id == review.id)))
    added: list[Action] = []
    for row in review.scores:
        if row.action_description and row.item not in existing:
            added.append(
                Action(
                    site_id=review.site_id,
                    review_id=review.id,
                    item=row.item,
                    description=row.action_description,
                    owner=row.action_owner or "",
                    due_on=row.action_due_on or default_due_on(review.reviewed_on),
                    status=ActionStatus.OPEN,
                )
            )
    db.session.add_all(added)
    db.session.flush()
    return added


def stored_review_data(review: FidelityReview, status: str = ReviewStatus.FINAL) -> dict[str, Any]:
    """A saved review in the shape `review_errors` reads, as `status`: what finalising checks."""
    rows = {row.item: row for row in review.scores}
    return {
        "reviewed_on": review.reviewed_on,
        "kind": review.kind,
        "lead_reviewer": review.lead_reviewer,
        "status": status,
        "scores": {n: rows[n].score if n in rows else None for n in fidelity.ITEM_NUMBERS},
        "notes": {n: row.note for n, row in rows.items() if row.note},
        "actions": {
            n: {
                "description": row.action_description,
                "owner": row.action_owner,
                "due_on": row.action_due_on,
            }
            for n, row in rows.items()
            if row.action_description or row.action_owner or row.action_due_on
        },
    }


def finalise_errors(review: FidelityReview, *, today: date | None = None) -> Fields:
    """What stops a saved draft from being finalised, keyed as `review_errors` keys it (one
    "scores.7" message per unscored item): the check page shows these. Empty when it may be."""
    if review.status == ReviewStatus.FINAL:
        return {"status": ["This review is already final"]}
    return review_errors(stored_review_data(review), review=review, today=today)


def finalise_review(
    review: FidelityReview, version: int | None, *, today: date | None = None
) -> list[Action]:
    """Make a saved draft final, as its check page showed it: set its total from the 25 scores,
    add its action plan (`_add_action_plan`) and clear the reason it was reopened for, if any.
    Answers the actions it added.

    `version` is the one the check page showed: StaleVersion when it is not the current one
    (someone changed the draft since), ValidationFailed (a message per unscored item, and per any
    other problem) when it cannot be final. Nothing is written then."""
    require_version(review, version)
    fields = finalise_errors(review, today=today)
    if fields:
        raise ValidationFailed(fields, "The review cannot be finalised: check the items named.")
    scores = {row.item: row.score for row in review.scores if row.score is not None}
    review.status = ReviewStatus.FINAL
    review.total = scoring.review_total(scores)
    review.reopen_reason = None  # it was why the draft was open again; the audit log keeps it
    db.session.flush()
    return _add_action_plan(review)


def reopen_errors(reason: Any) -> Fields:
    """Messages about the reason an admin gives for reopening a final review; empty when fine."""
    fields: Fields = {}
    text, ok = _check_text(reason, "reason", "the reason", MAX_REOPEN_REASON, fields)
    if ok and text is None:
        fields.setdefault("reason", []).append("Enter why you are reopening this review")
    return fields


def reopen_review(review: FidelityReview, *, reason: Any, version: int | None) -> FidelityReview:
    """An admin's reopening of a final review, with the reason: it becomes a draft again, without
    a stored total (drafts have none), so it leaves the site's trajectory and "latest final
    review" until it is finalised again. Its actions stay in the action plan. The reason is kept
    on the review while it is a draft, and in the audit row of this change.

    Raises ValidationFailed (no reason, too long, NUL characters), ReviewNotFinal (a draft), or
    StaleVersion (`version` is not the current one); nothing is written then."""
    fields = reopen_errors(reason)
    if fields:
        raise ValidationFailed(fields, "The review cannot be reopened: give the reason.")
    if review.status != ReviewStatus.FINAL:
        raise ReviewNotFinal()
    require_version(review, version)
    review.status = ReviewStatus.DRAFT
    review.total = None
    review.reopen_reason = _text(reason)
    db.session.flush()
    return review
