"""The demo's returns as programme staff have left them: every submitted return older than the
last two months that have ended is approved (by the demo admin, a few days after it came in, with
its step in the history); the last two months await approval. At Bradford, the demo site lead's
site, the latest month was sent back with a reason, and the month before has two queries: one
open and unanswered, one answered and closed. No random draws: the same day gives the same
states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from accounts.models import User
from core.months import previous_month
from core.records import Record
from sites.models import MonthlyReturn, ReturnQuery, ReturnQueryAnswer, ReturnStep, Site
from sites.returns.workflow import Move, Status

DAYS_TO_APPROVE = 4
SEND_BACK_REASON = (
    "Please check the caseload against your team's list on the last day of the month, correct "
    "it if needed and send the return again."
)
OPEN_QUERY: tuple[str | None, str] = (
    "job_starts",
    "Please confirm the job starts: did each of these people start work in this month, rather "
    "than before it?",
)
ANSWERED_QUERY: tuple[str | None, str, str] = (
    None,
    "Is the employment specialists' FTE the staff in post on the last day of the month, or the "
    "month's average?",
    "The staff in post on the last day of the month, as the form asks.",
)


@dataclass(frozen=True)
class Recent:
    """The two months still awaiting approval, and Bradford's returns of them."""

    latest: datetime  # now, which no demo time goes past
    sent_back: MonthlyReturn | None
    queried: MonthlyReturn | None


def _until_now(moment: datetime, now: datetime) -> datetime:
    return min(moment, now)


def set_approval_states(
    returns: list[MonthlyReturn], bradford: Site, admin: User, today: date
) -> Recent:
    """Set each return's status and approval before the returns' first flush (so there are no
    updates to audit)."""
    now = datetime.now(UTC)
    newest = previous_month(today)  # the last month that has ended
    awaiting_from = previous_month(newest)
    sent_back = queried = None
    for record in returns:
        if record.status != Status.SUBMITTED:
            continue
        record.first_submitted_at = record.submitted_at
        if record.site is bradford and record.month == newest:
            record.status = Status.RETURNED
            sent_back = record
        elif record.month < awaiting_from:
            record.status = Status.APPROVED
            assert record.submitted_at is not None
            record.approved_at = _until_now(
                record.submitted_at + timedelta(days=DAYS_TO_APPROVE), now
            )
            record.approved_by_id = admin.id
        elif record.site is bradford and record.month == awaiting_from:
            queried = record
    return Recent(now, sent_back, queried)


def _step(
    record: MonthlyReturn, move: Move, actor: User, at: datetime, reason: str | None = None
) -> ReturnStep:
    return ReturnStep(
        return_id=record.id,
        move=move,
        status={Move.APPROVE: Status.APPROVED, Move.SEND_BACK: Status.RETURNED}[move],
        reason=reason,
        actor_id=actor.id,
        created_at=at,
        updated_at=at,
    )


def approval_history(
    returns: list[MonthlyReturn], recent: Recent, users: dict[str, User]
) -> list[Record]:
    """The steps and queries of the states set above; after the returns' flush (they need ids)."""
    admin, trainer, site_lead = users["admin"], users["trainer"], users["site_lead"]
    records: list[Record] = [
        _step(r, Move.APPROVE, admin, r.approved_at)
        for r in returns
        if r.status == Status.APPROVED and r.approved_at is not None
    ]
    if recent.sent_back is not None and recent.sent_back.submitted_at is not None:
        at = _until_now(recent.sent_back.submitted_at + timedelta(days=2), recent.latest)
        records.append(_step(recent.sent_back, Move.SEND_BACK, admin, at, SEND_BACK_REASON))
    queried = recent.queried
    if queried is not None and queried.submitted_at is not None:
        raised = _until_now(queried.submitted_at + timedelta(days=3), recent.latest)
        answered = _until_now(raised + timedelta(days=1), recent.latest)
        figure, text = OPEN_QUERY
        records.append(
            ReturnQuery(
                return_id=queried.id,
                figure=figure,
                text=text,
                status="open",
                raised_by_id=trainer.id,
                created_at=raised,
                updated_at=raised,
            )
        )
        figure, text, answer = ANSWERED_QUERY
        records.append(
            ReturnQuery(
                return_id=queried.id,
                figure=figure,
                text=text,
                status="closed",
                raised_by_id=admin.id,
                closed_at=answered,
                created_at=raised,
                updated_at=answered,
                answers=[
                    ReturnQueryAnswer(
                        text=answer,
                        answered_by_id=site_lead.id,
                        created_at=answered,
                        updated_at=answered,
                    )
                ],
            )
        )
    return records
