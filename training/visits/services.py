"""Writes on trainers' work: visits and the actions agreed at them. Each validates,
changes and flushes; the caller commits. Every change is audited by the ORM hook (core/audit.py)
and edits carry the version they read (StaleVersion when it is stale).

Who may write (an admin, or a trainer assigned to the site today) is checked by the callers
(training.assignments.queries.can_review_site), as for fidelity reviews; these check the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from accounts.models import User
from core.errors import Fields, ValidationFailed, add_message
from core.extensions import db
from core.records import require_version
from sites.models import Site
from training.models import VISIT_PURPOSES, Action, Visit
from training.visits.actions import ActionStatus

FIRST_VISIT_DATE = date(2000, 1, 1)
MAX_SUMMARY = 4000
MAX_DESCRIPTION = 2000
MAX_OWNER = 200
MAX_ACTIONS = 20


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _check_text(
    fields: Fields, key: str, value: Any, limit: int, blank: str, what: str, prefix: str = ""
) -> None:
    if value is not None and not isinstance(value, str):
        add_message(fields, key, f"{prefix}{what} must be text")
    elif isinstance(value, str) and "\x00" in value:
        add_message(fields, key, f"{prefix}{what} must not contain NUL characters")
    elif _text(value) is None:
        add_message(fields, key, prefix + blank)
    elif len(_text(value) or "") > limit:
        add_message(fields, key, f"{prefix}{what} must be {limit:,} characters or fewer")


def visit_errors(data: Mapping[str, Any], *, today: date | None = None) -> Fields:
    """Every message about a visit's data, keyed as the API names the fields: visited_on,
    purpose, summary, actions, actions.0.due_on, ... (action keys count from 0, the messages
    from 1: "Action 2: enter a due date" is about actions.1.due_on). Empty when it may be saved.
    Reads nothing from the database; never raises."""
    today = today or date.today()
    fields: Fields = {}

    visited_on = data.get("visited_on")
    if visited_on is None:
        add_message(fields, "visited_on", "Enter the date of the visit")
    elif not isinstance(visited_on, date):
        add_message(fields, "visited_on", "Enter the date of the visit as a real date")
        visited_on = None
    elif visited_on > today:
        add_message(fields, "visited_on", "The date of the visit must be today or in the past")
    elif visited_on < FIRST_VISIT_DATE:
        add_message(fields, "visited_on", "The date of the visit must be in 2000 or later")

    if data.get("purpose") not in VISIT_PURPOSES:
        add_message(fields, "purpose", "Choose the purpose of the visit")

    _check_text(
        fields,
        "summary",
        data.get("summary"),
        MAX_SUMMARY,
        "Enter a summary of the visit",
        "The summary",
    )

    actions = data.get("actions") or []
    if not isinstance(actions, Sequence) or isinstance(actions, str):
        add_message(fields, "actions", "Send the actions as a list of {description, owner, due_on}")
        return fields
    if len(actions) > MAX_ACTIONS:
        add_message(fields, "actions", f"Record at most {MAX_ACTIONS} actions for one visit")
        return fields
    for index, action in enumerate(actions):
        _check_action(fields, index, action, visited_on)
    return fields


def _check_action(fields: Fields, index: int, action: Any, visited_on: date | None) -> None:
    key, prefix = f"actions.{index}", f"Action {index + 1}: "
    if not isinstance(action, Mapping):
        add_message(fields, key, prefix + "send the action as {description, owner, due_on}")
        return
    _check_text(
        fields,
        f"{key}.description",
        action.get("description"),
        MAX_DESCRIPTION,
        "describe what was agreed",
        "the description",
        prefix,
    )
    _check_text(
        fields,
        f"{key}.owner",
        action.get("owner"),
        MAX_OWNER,
        "enter who owns the action, as a role or team (for example, the team leader)",
        "the owner",
        prefix,
    )
    due_on = action.get("due_on")
    if due_on is None:
        add_message(fields, f"{key}.due_on", prefix + "enter a due date")
    elif not isinstance(due_on, date):
        add_message(fields, f"{key}.due_on", prefix + "enter the due date as a real date")
    elif visited_on is not None and due_on < visited_on:
        add_message(fields, f"{key}.due_on", prefix + "the due date must be on or after the visit")


def record_visit(
    site: Site, data: Mapping[str, Any], trainer: User | None, *, today: date | None = None
) -> Visit:
    """Record a visit to `site` by `trainer` with the actions agreed at it (open, for the site).

    `data` has visited_on, purpose, summary and actions ([{description, owner, due_on}]).
    Raises ValidationFailed with a message per field; nothing is written then."""
    fields = visit_errors(data, today=today)
    if fields:
        raise ValidationFailed(fields, "The visit cannot be saved: check the fields named.")
    visit = Visit(
        site_id=site.id,
        trainer_id=trainer.id if trainer else None,
        visited_on=data["visited_on"],
        purpose=data["purpose"],
        summary=_text(data["summary"]) or "",
    )
    db.session.add(visit)
    db.session.flush()
    for action in data.get("actions") or []:
        db.session.add(
            Action(
                site_id=site.id,
                visit_id=visit.id,
                description=_text(action["description"]) or "",
                owner=_text(action["owner"]) or "",
                due_on=action["due_on"],
                status=ActionStatus.OPEN,
            )
        )
    db.session.flush()
    return visit


def set_action_status(
    action: Action,
    *,
    status: Any,
    version: int | None,
    closed_on: date | None = None,
    today: date | None = None,
) -> Action:
    """Mark an action done or dropped (closed on `closed_on`, today by default), or open again.
    The caller sends the version it read."""
    today = today or date.today()
    require_version(action, version)
    fields: Fields = {}
    if status not in tuple(ActionStatus):
        add_message(fields, "status", "Choose done, dropped or open")
    if status in (ActionStatus.DONE, ActionStatus.DROPPED):
        closed_on = closed_on or today
        if closed_on > today:
            add_message(fields, "closed_on", "The date closed must be today or in the past")
    if fields:
        raise ValidationFailed(fields, "The action cannot be changed: check the fields named.")
    action.status = status
    action.closed_on = closed_on if status in (ActionStatus.DONE, ActionStatus.DROPPED) else None
    db.session.flush()
    return action
