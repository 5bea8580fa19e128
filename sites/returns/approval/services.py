"""Programme staff's approval of monthly returns: approve, send back with a reason, reopen an
approved return with a reason; and a site lead's asking for that. Validate, change, flush; the
caller commits. Who may make which move from which status is sites/returns/workflow.py.

Each change carries the `version` of the return its caller read (StaleVersion, 409, when another
change came first), raises workflow.Refused when the move is not allowed (403 for who asks, 409
for the return's state, an open query among them), and keeps a ReturnStep in the return's
history. Sending a return back e-mails the site's leads a link to it, never its figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template

from accounts.emails import external_url
from accounts.models import User
from core.errors import Fields, StaleVersion, ValidationFailed
from core.extensions import db
from core.limits import text_problem
from core.mail import Message, send_after_commit
from core.months import month_slug
from core.records import require_version, utcnow
from sites.models import MonthlyReturn, ReturnQuery, ReturnStatus, UserSite
from sites.returns import workflow
from sites.returns.queries import active_site_leads
from sites.returns.services import add_step, history_move

MAX_REASON = 2000
REASON_NEEDED = {
    workflow.Move.SEND_BACK: "Enter why you are sending this return back",
    workflow.Move.REOPEN: "Enter why you are reopening this return",
    workflow.Move.ASK_TO_REOPEN: "Enter why this return should be reopened",
}


def open_queries(return_id: int) -> int:
    """How many open queries the return has (a return with one cannot be approved)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(ReturnQuery.id)).where(
                ReturnQuery.return_id == return_id, ReturnQuery.status == "open"
            )
        )
        or 0
    )


def leads_site(user: User, site_id: int) -> bool:
    if user.role != "site_lead":
        return False
    found = db.session.scalar(
        sa.select(UserSite.id).where(UserSite.user_id == user.id, UserSite.site_id == site_id)
    )
    return found is not None


def actor_of(user: User, site_id: int) -> workflow.Actor:
    return workflow.Actor(user.role, leads_site=leads_site(user, site_id))


def reason_errors(move: workflow.Move, reason: Any) -> Fields:
    """Messages about a reason (required for send back, reopen and asking to reopen); empty when
    it is fine."""
    if reason is not None and not isinstance(reason, str):
        return {"reason": ["Write the reason as text"]}
    text = (reason or "").strip()
    if not text:
        return {"reason": [REASON_NEEDED.get(move, "Enter the reason")]}
    problem = text_problem(text)
    if problem:
        return {"reason": [f"The reason {problem[:1].lower()}{problem[1:]}"]}
    if len(text) > MAX_REASON:
        return {"reason": [f"The reason must be {MAX_REASON:,} characters or fewer"]}
    return {}


def _move(
    monthly_return: MonthlyReturn,
    move: workflow.Move,
    user: User,
    version: int | None,
    reason: Any = None,
) -> MonthlyReturn:
    """Check and make one move; the step is kept in the return's history."""
    actor = actor_of(user, monthly_return.site_id)
    if not workflow.may(actor, move):
        workflow.step(actor, move, monthly_return.status)  # raises Refused, saying who may
    needs_reason = move in REASON_NEEDED
    if needs_reason:
        fields = reason_errors(move, reason)
        if fields:
            raise ValidationFailed(fields, "Give the reason.")
    queries = open_queries(monthly_return.id) if move == workflow.Move.APPROVE else 0
    held = monthly_return.status
    to = workflow.step(actor, move, held, open_queries=queries).to
    require_version(monthly_return, version)
    monthly_return.status = to
    if move == workflow.Move.APPROVE:
        monthly_return.approved_at = utcnow()
        monthly_return.approved_by_id = user.id
    elif move == workflow.Move.REOPEN:
        monthly_return.approved_at = None
        monthly_return.approved_by_id = None
    text = reason.strip() if needs_reason and isinstance(reason, str) else None
    add_step(monthly_return, history_move(move, held), to, user, text)
    if move == workflow.Move.ASK_TO_REOPEN:
        # Nothing of the return itself changes: bump its version all the same, so that an
        # admin's page read before the request is stale, and the audit log has the change.
        monthly_return.updated_at = utcnow()
    db.session.flush()
    return monthly_return


def approve(monthly_return: MonthlyReturn, user: User, *, version: int | None) -> MonthlyReturn:
    """A submitted return becomes approved: locked, and counted for funders."""
    return _move(monthly_return, workflow.Move.APPROVE, user, version)


def send_back(
    monthly_return: MonthlyReturn, user: User, *, version: int | None, reason: Any
) -> MonthlyReturn:
    """A submitted return goes back to its site lead with the reason; they are e-mailed."""
    _move(monthly_return, workflow.Move.SEND_BACK, user, version, reason)
    _tell_site_leads(monthly_return)
    return monthly_return


def reopen(
    monthly_return: MonthlyReturn, user: User, *, version: int | None, reason: Any
) -> MonthlyReturn:
    """An approved return is submitted again, so that it can be amended."""
    return _move(monthly_return, workflow.Move.REOPEN, user, version, reason)


def ask_to_reopen(
    monthly_return: MonthlyReturn, user: User, *, version: int | None, reason: Any
) -> MonthlyReturn:
    """The site lead asks programme staff to reopen an approved return; the approval list
    shows the request until it is reopened."""
    return _move(monthly_return, workflow.Move.ASK_TO_REOPEN, user, version, reason)


@dataclass(frozen=True)
class BulkResult:
    approved: list[MonthlyReturn]
    refused: list[tuple[MonthlyReturn | None, str]]  # the return (None: not found) and why


FLAGGED = "has unusual figures or an open query: open it to approve it on its own"


def approve_many(choices: Iterable[tuple[int, int]], user: User) -> BulkResult:
    """Approve each (return id, version read) that is submitted and has nothing flagged (no
    unusual figures, no open query); the rest are left as they are, each with why. Three
    queries and a flush, whatever the number."""
    wanted = dict(choices)
    found = {
        record.id: record
        for record in db.session.scalars(
            sa.select(MonthlyReturn).where(MonthlyReturn.id.in_(list(wanted)))
        )
    }
    open_counts = dict(
        db.session.execute(
            sa.select(ReturnQuery.return_id, sa.func.count(ReturnQuery.id))
            .where(ReturnQuery.return_id.in_(list(found)), ReturnQuery.status == "open")
            .group_by(ReturnQuery.return_id)
        ).all()
    )
    approved: list[MonthlyReturn] = []
    refused: list[tuple[MonthlyReturn | None, str]] = []
    actor = workflow.Actor(user.role)
    now = utcnow()
    for return_id, version in wanted.items():
        record = found.get(return_id)
        if record is None:
            refused.append((None, "is not found"))
            continue
        if record.unusual_figures or open_counts.get(return_id):
            refused.append((record, FLAGGED))
            continue
        if record.version != version:
            refused.append((record, "was changed by someone else: open it to check it"))
            continue
        try:
            to = workflow.step(actor, workflow.Move.APPROVE, record.status).to
        except workflow.Refused:
            refused.append((record, f"is {record.status}, not submitted: it was left as it is"))
            continue
        record.status = to
        record.approved_at = now
        record.approved_by_id = user.id
        add_step(record, history_move(workflow.Move.APPROVE, ReturnStatus.SUBMITTED), to, user)
        approved.append(record)
    if approved:
        try:
            db.session.flush()
        except sa.orm.exc.StaleDataError as error:
            raise StaleVersion(
                "Some of these returns were changed by someone else meanwhile: none was "
                "approved. Try again."
            ) from error
    return BulkResult(approved, refused)


def _tell_site_leads(monthly_return: MonthlyReturn) -> None:
    """E-mail each active lead of the return's site that it was sent back: the month, the site
    and a link; no figures and no reason (they read it on the return, signed in)."""
    leads = active_site_leads(monthly_return.site_id)
    if not leads:
        return
    link = external_url(
        "returns.edit", site_id=str(monthly_return.site_id), month=month_slug(monthly_return.month)
    )
    context = {
        "site": monthly_return.site,
        "month": monthly_return.month,
        "link": link,
        "service": "IPS Network Tracker",
    }
    subject = f"Your {monthly_return.month:%B %Y} return was sent back"
    for lead in leads:
        send_after_commit(
            Message(
                to=lead.email,
                subject=subject,
                text=render_template(
                    "sites/returns/approval/email/sent_back.txt", user=lead, **context
                ),
                html=render_template(
                    "sites/returns/approval/email/sent_back.html", user=lead, **context
                ),
                purpose="return_sent_back",
            )
        )
