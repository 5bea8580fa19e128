"""Writes on trainers' work: visits and the actions agreed at them. Each validates,
changes and flushes; the caller commits. Every change is audited by the ORM hook (core/audit.py)
and edits carry the version they read (StaleVersion when it is stale).

Who may write is checked by the callers, as for fidelity reviews; these check the data. An admin,
or a trainer assigned to the site today, logs and corrects visits and changes actions
(training.assignments.queries.can_review_site); a lead of the site also marks its actions done,
with a note, and opens them again, but does not drop them (training.visits.queries).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from accounts.models import User
from core.errors import Fields, ValidationFailed, add_message
from core.extensions import db
from core.records import apply, require_version
from sites.models import Site
from training.models import VISIT_PURPOSES, Action, Visit
from training.visits.actions import ActionStatus

FIRST_VISIT_DATE = date(2000, 1, 1)
MAX_SUMMARY = 4000
MAX_DESCRIPTION = 2000
MAX_OWNER = 200
MAX_ACTIONS = 20
MAX_NOTE = 2000


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # set_action_status(note=KEEP): the note stays as it is


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _check_text(
    fields: Fields,
    key: str,
    value: Any,
    limit: int,
    blank: str | None,
    what: str,
    prefix: str = "",
) -> None:
    """Text of at most `limit` characters; `blank` is the message when it is empty (None: it
    may be)."""
    if value is not None and not isinstance(value, str):
        add_message(fields, key, f"{prefix}{what} must be text")
    elif isinstance(value, str) and "\x00" in value:
        add_message(fields, key, f"{prefix}{what} must not contain NUL characters")
    elif _text(value) is None:
        if blank is not None:
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


def update_visit(
    visit: Visit,
    data: Mapping[str, Any],
    *,
    version: int | None,
    today: date | None = None,
) -> Visit:
    """Correct a logged visit: its date, purpose and summary, the description, owner and due date
    of the actions agreed at it, and actions agreed but not logged at the time.

    `data` is shaped as for record_visit; an action with an `id` (one of this visit's) is an edit
    and carries the `version` it read, one without is added (open). Actions left out are kept as
    they are: an action is never deleted here (drop it instead). The visit's site and trainer and
    its actions' status stay. Raises StaleVersion when the visit, or an action being changed, has
    changed since it was read, or ValidationFailed with a message per field; nothing is written
    then."""
    require_version(visit, version)
    fields = visit_errors(data, today=today)
    rows = data.get("actions") or []
    agreed = {action.id: action for action in visit.actions}
    edits: list[tuple[Action, dict[str, Any], Any]] = []  # (action, new values, version read)
    added: list[dict[str, Any]] = []
    if not fields.get("actions"):  # a list of at most MAX_ACTIONS mappings, or already named
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                continue
            values = {
                "description": _text(row.get("description")) or "",
                "owner": _text(row.get("owner")) or "",
                "due_on": row.get("due_on"),
            }
            if row.get("id") is None:
                added.append(values)
            elif row["id"] in agreed and row["id"] not in {a.id for a, _, _ in edits}:
                edits.append((agreed[row["id"]], values, row.get("version")))
            else:  # another visit's, or twice
                add_message(
                    fields, f"actions.{index}", f"Action {index + 1}: not an action of this visit"
                )
        if len(agreed) + len(added) > MAX_ACTIONS:
            add_message(fields, "actions", f"Record at most {MAX_ACTIONS} actions for one visit")
    if fields:
        raise ValidationFailed(fields, "The visit cannot be saved: check the fields named.")
    changed: list[tuple[Action, dict[str, Any]]] = []
    for action, values, read in edits:  # every version checked before anything changes
        if any(getattr(action, key) != value for key, value in values.items()):
            require_version(action, read)
            changed.append((action, values))
    apply(
        visit,
        {
            "visited_on": data["visited_on"],
            "purpose": data["purpose"],
            "summary": _text(data["summary"]) or "",
        },
    )
    for action, values in changed:
        apply(action, values)
    for values in added:
        db.session.add(
            Action(site_id=visit.site_id, visit_id=visit.id, status=ActionStatus.OPEN, **values)
        )
    db.session.flush()
    return visit


def set_action_status(
    action: Action,
    *,
    status: Any,
    version: int | None,
    closed_on: date | None = None,
    note: Any = KEEP,
    today: date | None = None,
) -> Action:
    """Mark an action done or dropped (closed on `closed_on`, today by default), with a note
    (blank: none; KEEP: the note stays), or open again (which clears the date and the note:
    a note says how an action was closed). The caller sends the version it read."""
    today = today or date.today()
    require_version(action, version)
    fields: Fields = {}
    if status not in tuple(ActionStatus):
        add_message(fields, "status", "Choose done, dropped or open")
    if status in (ActionStatus.DONE, ActionStatus.DROPPED):
        closed_on = closed_on or today
        if closed_on > today:
            add_message(fields, "closed_on", "The date closed must be today or in the past")
    if note is not KEEP:
        _check_text(fields, "note", note, MAX_NOTE, None, "The note")
    if fields:
        raise ValidationFailed(fields, "The action cannot be changed: check the fields named.")
    closed = status in (ActionStatus.DONE, ActionStatus.DROPPED)
    action.status = status
    action.closed_on = closed_on if closed else None
    if not closed:
        action.note = None
    elif note is not KEEP:
        action.note = _text(note)
    db.session.flush()
    return action


def reopen_action(action: Action, *, version: int | None) -> Action:
    """Undo marking an action done or dropped: open again, without its date closed or note.
    Only the version read when it was closed undoes it (StaleVersion otherwise); an action that
    is open already is a ValidationFailed, and nothing changes."""
    require_version(action, version)
    if action.status == ActionStatus.OPEN:
        raise ValidationFailed({"status": ["The action is open already: there is nothing to undo"]})
    return set_action_status(action, status=ActionStatus.OPEN, version=version)
