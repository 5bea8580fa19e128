"""The actions just changed from a list, noted in the session for one page: the list keeps their
rows where they were (whatever their status now) and the banner offers to undo the one just
marked done or dropped (templates/training/visits/_actions.html: changed_banner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import g, session

from accounts.current import current_account
from training.models import Action
from training.visits.actions import ActionStatus
from training.visits.queries import ActionRow, actions_by_id, can_update_actions

CHANGED = "changed_actions"  # the session's note of the actions just changed from a list
MAX_KEPT = 20


@dataclass(frozen=True)
class JustChanged:
    """What a list shows after actions were changed from it: the actions (their rows stay where
    they were, whatever their status now) and the one just marked done or dropped, which the
    banner offers to undo."""

    actions: tuple[ActionRow, ...] = ()
    undo: ActionRow | None = None

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(action.id for action in self.actions)

    @property
    def kept_closed(self) -> list[ActionRow]:
        """The ones done or dropped now, for a list of open actions to show in their place."""
        return [action for action in self.actions if action.status != ActionStatus.OPEN]


def remember(action: Action, *, undo: bool) -> None:
    """Note in the session that `action` was just changed (and may be undone)."""
    state = session.get(CHANGED)
    ids = [i for i in (state or {}).get("ids", []) if isinstance(i, int) and i != action.id]
    session[CHANGED] = {
        "ids": [*ids[-(MAX_KEPT - 1) :], action.id],
        "undo": action.id if undo else None,
        "shown": False,
    }


def undoable(action_id: int) -> bool:
    """Whether the banner offers to undo `action_id` (and so still may after a note is added)."""
    state = session.get(CHANGED)
    return isinstance(state, dict) and state.get("undo") == action_id


def _read_note() -> JustChanged:
    state = session.get(CHANGED)
    if not isinstance(state, dict):
        return JustChanged()
    if state.get("shown"):
        session.pop(CHANGED)
        return JustChanged()
    session[CHANGED] = {**state, "shown": True}
    user = current_account()
    ids = [i for i in state.get("ids", []) if isinstance(i, int)]
    actions = actions_by_id(user, ids, date.today())
    undo = next((action for action in actions if action.id == state.get("undo")), None)
    if undo is not None and (
        undo.status == ActionStatus.OPEN or not can_update_actions(user, undo.site_id)
    ):
        undo = None
    return JustChanged(tuple(actions), undo)


def just_changed_actions() -> JustChanged:
    """The actions changed from the page before this one. Shown by one page: the next list shown
    (a reload, or another page) has forgotten them."""
    if "just_changed_actions" not in g:
        g.just_changed_actions = _read_note()
    return g.just_changed_actions
