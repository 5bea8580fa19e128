"""Sending the reminder e-mails of `flask reminders send`: to each site lead the returns due soon
or late today, and to programme staff the weekly digest. When each is due is the pure rule of
sites.returns.reminders; this module finds who gets what, claims each reminder in ReminderSent
and sends it. It lives in portal/ because it picks people by role across the domains (a site
lead's sites, the programmes' required months).

Never twice: the keys due are claimed with INSERT ... ON CONFLICT DO NOTHING RETURNING, so only
the keys this run inserted are sent; a second run (the same hour, or at the same moment from
another host) finds them taken. The claims commit before the e-mails go (core.mail sends
only what committed); a message the SMTP server refuses gives its claims back, so the next
hourly run tries it again, within the reminder's window. The e-mails carry no figures: what is
due, when, and a link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.dialects import postgresql, sqlite

from accounts.models import User
from core.extensions import db
from core.mail import Message, deliver, send_after_commit
from core.months import add_months, month_start
from core.records import utcnow
from core.working_days import england_and_wales_holidays
from programme.late_returns import late_return_months, months_required
from sites.models import MonthlyReturn, ReminderSent, ReturnQuery, ReturnStep, Site, UserSite
from sites.returns.queries import return_due_date
from sites.returns.reminders import Kind, Reminder, digest_reminder, return_reminder
from sites.returns.workflow import COUNTED, Move, Status

SERVICE = "IPS Network Tracker"
# The months whose reminders can fall today: a month's late window closes 5 working days after
# its due date, 15 working days after the month ends with the 10 allowed by default; the three
# months before this one hold every window still open (for up to 35 allowed working days).
MONTHS_LOOKED_AT = 3
CLAIMS_PER_STATEMENT = 1000  # well inside SQLite's limit of bound parameters per statement

Link = Callable[..., str]


@dataclass(frozen=True)
class DueReturn:
    """One month's return a site lead is reminded of."""

    site_id: int
    site_name: str
    month: date
    due_on: date
    reminder: Reminder
    status: str | None  # a draft or a return sent back; None when nothing is saved

    @property
    def late(self) -> bool:
        return self.reminder.kind is Kind.LATE


@dataclass(frozen=True)
class Digest:
    """What programme staff are told each week; counts only."""

    late_sites: int
    late_months: int
    awaiting_approval: int
    open_queries: int
    asks_to_reopen: int

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no e-mail that week unless something comes up before it ends."""
        return not (
            self.late_months or self.awaiting_approval or self.open_queries or self.asks_to_reopen
        )


@dataclass
class Run:
    """What a run did: e-mails sent and failed, by whom they were for."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _holidays(today: date) -> frozenset[date]:
    return england_and_wales_holidays(today.year - 1, today.year + 1)


def site_lead_reminders(today: date) -> dict[User, list[DueReturn]]:
    """Each active site lead with reminders on, and the returns of their sites due soon or late
    today that are not received (submitted or approved). Three queries, whatever the number of
    sites and people."""
    rows = db.session.execute(
        sa.select(User, Site.id, Site.name)
        .join(UserSite, UserSite.user_id == User.id)
        .join(Site, Site.id == UserSite.site_id)
        .where(
            User.role == "site_lead",
            User.active.is_(True),
            User.reminders.is_(True),
            User.password_hash != "",
        )
        .order_by(User.id, Site.name, Site.id)
    ).all()
    if not rows:
        return {}
    site_ids = sorted({site_id for _, site_id, _ in rows})
    this_month = month_start(today)
    months = [add_months(this_month, -n) for n in range(MONTHS_LOOKED_AT, 0, -1)]
    required = months_required(site_ids, months)
    statuses = {
        (site_id, month): status
        for site_id, month, status in db.session.execute(
            sa.select(MonthlyReturn.site_id, MonthlyReturn.month, MonthlyReturn.status).where(
                MonthlyReturn.site_id.in_(site_ids), MonthlyReturn.month.in_(months)
            )
        )
    }
    received = {str(status) for status in COUNTED}
    holidays = _holidays(today)
    due_on = {month: return_due_date(month) for month in months}
    due: dict[User, list[DueReturn]] = {}
    for user, site_id, site_name in rows:
        for month in sorted(required.get(site_id, ())):
            status = statuses.get((site_id, month))
            reminder = return_reminder(
                site_id, month, due_on[month], status in received, today, holidays
            )
            if reminder is not None:
                item = DueReturn(site_id, site_name, month, due_on[month], reminder, status)
                due.setdefault(user, []).append(item)
    return due


def _asks_to_reopen() -> int:
    """Approved returns whose latest step of asking, reopening or approving is an ask to reopen
    (the approval list's rule: asked since it was last approved)."""
    moves = [str(Move.ASK_TO_REOPEN), str(Move.REOPEN), str(Move.APPROVE)]
    latest = (
        sa.select(sa.func.max(ReturnStep.id).label("id"))
        .where(ReturnStep.move.in_(moves))
        .group_by(ReturnStep.return_id)
        .subquery()
    )
    return _count_of(
        sa.select(sa.func.count())
        .select_from(ReturnStep)
        .join(latest, latest.c.id == ReturnStep.id)
        .join(MonthlyReturn, MonthlyReturn.id == ReturnStep.return_id)
        .where(
            ReturnStep.move == str(Move.ASK_TO_REOPEN),
            MonthlyReturn.status == str(Status.APPROVED),
        )
    )


def _count_of(statement: sa.Select[Any]) -> int:
    return int(db.session.scalar(statement) or 0)


def staff_digest(today: date) -> Digest:
    """The network's late returns, returns awaiting approval, open queries and asks to reopen.
    Five queries, whatever the number of sites."""
    late = late_return_months(today)
    return Digest(
        late_sites=len(late),
        late_months=sum(len(site.months) for site in late),
        awaiting_approval=_count_of(
            sa.select(sa.func.count(MonthlyReturn.id)).where(
                MonthlyReturn.status == str(Status.SUBMITTED)
            )
        ),
        open_queries=_count_of(
            sa.select(sa.func.count(ReturnQuery.id)).where(ReturnQuery.status == "open")
        ),
        asks_to_reopen=_asks_to_reopen(),
    )


def staff_for_digest() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == "admin",
                User.active.is_(True),
                User.reminders.is_(True),
                User.password_hash != "",
            )
            .order_by(User.id)
        )
    )


def claim(keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Record the (user id, key) reminders not recorded yet, and answer those this call
    recorded. The database decides each row (ON CONFLICT DO NOTHING), so two runs at once never
    both claim one: the second waits for the first's transaction, then finds the key taken."""
    rows = [{"user_id": user_id, "key": key, "sent_at": utcnow()} for user_id, key in keys]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    claimed: set[tuple[int, str]] = set()
    for start in range(0, len(rows), CLAIMS_PER_STATEMENT):
        statement = (
            dialect.insert(ReminderSent)
            .values(rows[start : start + CLAIMS_PER_STATEMENT])
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(ReminderSent.user_id, ReminderSent.key)
        )
        claimed.update((user_id, key) for user_id, key in db.session.execute(statement))
    return claimed


def release(user_id: int, keys: Iterable[str]) -> None:
    """Give back the claims of a reminder that could not be sent, so a later run tries again."""
    db.session.execute(
        sa.delete(ReminderSent).where(
            ReminderSent.user_id == user_id, ReminderSent.key.in_(list(keys))
        )
    )


def link_builder(base_url: str) -> Link:
    """Absolute links under `base_url` (the BASE_URL setting), built without a request."""
    parts = urlsplit(base_url.rstrip("/"))
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )

    def link(endpoint: str, **values: Any) -> str:
        return adapter.build(endpoint, values, force_external=True)

    return link


def _render(template: str, **context: Any) -> tuple[str, str]:
    context = {"service": SERVICE, **context}
    return (
        render_template(f"accounts/email/{template}.txt", **context),
        render_template(f"accounts/email/{template}.html", **context),
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _reminder_subject(items: list[DueReturn]) -> str:
    late = sum(item.late for item in items)
    soon = len(items) - late
    if late and soon:
        return f"Monthly returns: {late} late, {soon} due soon"
    if late:
        return "A monthly return is late" if late == 1 else f"{late} monthly returns are late"
    return "A monthly return is due soon" if soon == 1 else f"{soon} monthly returns are due soon"


def return_reminder_message(user: User, items: list[DueReturn], link: Link) -> Message:
    """One e-mail for all of a site lead's returns due today: no figures, a link to each form."""
    ordered = sorted(items, key=lambda i: (not i.late, i.month, i.site_name.casefold()))
    entries = [
        {
            "site": item.site_name,
            "month": item.month,
            "due_on": item.due_on,
            "late": item.late,
            "sent_back": item.status == Status.RETURNED,
            "draft": item.status == Status.DRAFT,
            "link": link("returns.edit", site_id=item.site_id, month=item.month),
        }
        for item in ordered
    ]
    text, html = _render(
        "return_reminder",
        user=user,
        late=[e for e in entries if e["late"]],
        due_soon=[e for e in entries if not e["late"]],
        account_link=link("accounts.account"),
    )
    return Message(user.email, _reminder_subject(items), text, "return_reminder", html)


def digest_links(link: Link) -> dict[str, str]:
    """Where each count of the digest is listed: the approval list shows the returns awaiting
    approval with their open queries, and the approved returns whose site lead asks to reopen."""
    approval_list = link("approval.index")
    return {
        "late": link("programme.late_returns"),
        "awaiting_approval": approval_list,
        "open_queries": approval_list,
        "asks_to_reopen": approval_list,
    }


def digest_message(user: User, digest: Digest, today: date, link: Link) -> Message:
    text, html = _render(
        "staff_digest",
        user=user,
        digest=digest,
        today=today,
        links=digest_links(link),
        account_link=link("accounts.account"),
    )
    late = _count(digest.late_months, "late return", "late returns")
    subject = f"Monthly returns this week: {late}, {digest.awaiting_approval} awaiting approval"
    return Message(user.email, subject, text, "staff_digest", html)


def send_reminders(today: date, base_url: str) -> Run:
    """Send every reminder due `today` that no run has sent, and record each one. Commits."""
    link = link_builder(base_url)
    leads = site_lead_reminders(today)
    digest_due = digest_reminder(today, _holidays(today))
    digest = staff_digest(today) if digest_due is not None else None
    if digest is None or digest.is_empty:
        digest_due = None
    staff = staff_for_digest() if digest_due is not None else []
    wanted = [(user.id, item.reminder.key) for user, items in leads.items() for item in items]
    if digest_due is not None:
        wanted += [(user.id, digest_due.key) for user in staff]
    claimed = claim(wanted)

    claims_of: dict[int, tuple[int, list[str]]] = {}  # e-mail delivery id -> its claims

    def queue(user: User, keys: list[str], message: Message) -> None:
        claims_of[send_after_commit(message).id] = (user.id, keys)

    for user, items in leads.items():
        mine = [item for item in items if (user.id, item.reminder.key) in claimed]
        if mine:
            keys = [item.reminder.key for item in mine]
            queue(user, keys, return_reminder_message(user, mine, link))
    if digest_due is not None:
        takers = [user for user in staff if (user.id, digest_due.key) in claimed]
        if takers and digest is not None:
            for user in takers:
                queue(user, [digest_due.key], digest_message(user, digest, today, link))
    db.session.commit()

    run = Run()
    for outcome in deliver():
        user_id, keys = claims_of[outcome.delivery_id]
        if outcome.sent:
            run.sent.append(outcome.message.to)
        else:
            run.failed.append(outcome.message.to)
            release(user_id, keys)
    if run.failed:
        db.session.commit()
    return run
