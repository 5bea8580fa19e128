"""Who may move a monthly return from which status to which. Pure: no Flask, no SQLAlchemy.

A return is a draft until its site lead submits it; programme staff (admin) approve it, or send
it back with a reason and it is `returned` until the site lead corrects and resubmits it. An
approved return is locked: only an admin can reopen it, with a reason, which makes it submitted
again; its site lead may ask for that. Every step answers a `Step` (the new status, and whether
a reason is needed) or raises `Refused` with a sentence a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class Move(StrEnum):
    SAVE_DRAFT = "save_draft"  # save without submitting (a new return, a draft, a returned one)
    SUBMIT = "submit"  # a draft or a returned return goes to programme staff
    AMEND = "amend"  # change a submitted return's figures (each amendment is kept)
    APPROVE = "approve"
    SEND_BACK = "send_back"
    REOPEN = "reopen"
    ASK_TO_REOPEN = "ask_to_reopen"


# Figures that count: staff, trainers and site leads see submitted and approved returns;
# funders and open data see approved returns only (DESIGN.md, "Approval").
COUNTED = (Status.SUBMITTED, Status.APPROVED)
COUNTED_FOR_FUNDERS = (Status.APPROVED,)

# (move, from) -> to; None as "from" is a return not yet saved.
_MOVES: dict[tuple[Move, Status | None], Status] = {
    (Move.SAVE_DRAFT, None): Status.DRAFT,
    (Move.SAVE_DRAFT, Status.DRAFT): Status.DRAFT,
    (Move.SAVE_DRAFT, Status.RETURNED): Status.RETURNED,
    (Move.SUBMIT, None): Status.SUBMITTED,
    (Move.SUBMIT, Status.DRAFT): Status.SUBMITTED,
    (Move.SUBMIT, Status.RETURNED): Status.SUBMITTED,
    (Move.AMEND, Status.SUBMITTED): Status.SUBMITTED,
    (Move.APPROVE, Status.SUBMITTED): Status.APPROVED,
    (Move.SEND_BACK, Status.SUBMITTED): Status.RETURNED,
    (Move.REOPEN, Status.APPROVED): Status.SUBMITTED,
    (Move.ASK_TO_REOPEN, Status.APPROVED): Status.APPROVED,
}

_STAFF_MOVES = {Move.APPROVE, Move.SEND_BACK, Move.REOPEN}
_REASON_NEEDED = {Move.SEND_BACK, Move.REOPEN, Move.ASK_TO_REOPEN}


@dataclass(frozen=True)
class Actor:
    """Who acts, as far as the rules care: their role and whether the return's site is theirs."""

    role: str
    leads_site: bool = False


@dataclass(frozen=True)
class Step:
    to: Status
    needs_reason: bool


class Refused(Exception):
    """The move is not allowed. `conflict` is True when it is the return's state that stands in
    the way (409), False when it is who asks (403)."""

    def __init__(self, message: str, *, conflict: bool) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


def may(actor: Actor, move: Move) -> bool:
    """Whether the actor's role lets them make this kind of move at all, whatever the status."""
    if actor.role == "admin":
        return move != Move.ASK_TO_REOPEN
    if actor.role == "site_lead" and actor.leads_site:
        return move not in _STAFF_MOVES
    return False


def step(actor: Actor, move: Move, current: Status | str | None, *, open_queries: int = 0) -> Step:
    """The status `move` leads to from `current`, or Refused saying why not."""
    if not may(actor, move):
        raise Refused(_WHO[move], conflict=False)
    status = Status(current) if current is not None else None
    to = _MOVES.get((move, status))
    if to is None:
        raise Refused(_why_not(move, status), conflict=True)
    if move == Move.APPROVE and open_queries:
        raise Refused(
            "This return has an open query. It can be approved once the query is closed.",
            conflict=True,
        )
    return Step(to, move in _REASON_NEEDED)


def save_move(current: Status | str | None, submit: bool) -> Move:
    """The move a save of the return form (or a PUT) makes: a submitted return can only be
    amended, whatever `submit` says."""
    status = Status(current) if current is not None else None
    if status == Status.SUBMITTED:
        return Move.AMEND
    if status == Status.APPROVED:
        return Move.AMEND  # refused by step(): an approved return is locked
    return Move.SUBMIT if submit else Move.SAVE_DRAFT


def counted_statuses(role: str) -> tuple[Status, ...]:
    """The statuses whose figures count for a reader of this role."""
    return COUNTED_FOR_FUNDERS if role == "funder" else COUNTED


def listed_statuses(role: str) -> tuple[Status, ...] | None:
    """The returns a reader of this role may list one by one: funders approved ones only;
    None (every status, drafts included) for everyone else."""
    return COUNTED_FOR_FUNDERS if role == "funder" else None


_WHO = {
    Move.SAVE_DRAFT: "Only the site's lead or programme staff can change this return.",
    Move.SUBMIT: "Only the site's lead or programme staff can submit this return.",
    Move.AMEND: "Only the site's lead or programme staff can change this return.",
    Move.APPROVE: "Only programme staff can approve a return.",
    Move.SEND_BACK: "Only programme staff can send a return back.",
    Move.REOPEN: "Only programme staff can reopen an approved return.",
    Move.ASK_TO_REOPEN: "Only the site's lead can ask for an approved return to be reopened.",
}


def _why_not(move: Move, status: Status | None) -> str:
    if status == Status.APPROVED and move in {Move.AMEND, Move.SAVE_DRAFT, Move.SUBMIT}:
        return "This return is approved and locked. Ask programme staff to reopen it."
    if status is None:
        return "There is no return for this month yet."
    if move == Move.APPROVE and status == Status.APPROVED:
        return "This return is approved already."
    if move in {Move.APPROVE, Move.SEND_BACK}:
        done = "approved" if move == Move.APPROVE else "sent back"
        return f"Only a submitted return can be {done}; this one is {status.value}."
    if move in {Move.REOPEN, Move.ASK_TO_REOPEN}:
        return f"Only an approved return can be reopened; this one is {status.value}."
    if move == Move.SAVE_DRAFT and status == Status.SUBMITTED:
        return "This return is submitted: a change to it is an amendment."
    return f"A {status.value} return cannot be changed that way."
