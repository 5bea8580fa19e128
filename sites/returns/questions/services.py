"""Writes on queries: raise one, answer it (and close it with the answer), close or reopen it.
Validate, change, flush; the caller commits, and the e-mails go once it has (core.mail).

Who: programme staff and the site's trainers today raise queries; the site's leads and
programme staff answer them; whoever raised a query, or programme staff, close and reopen it.
A draft is the site lead's own work until it is submitted, so it cannot be queried. A refusal
is workflow.Refused: `conflict` False for who asks (403), True for the state in the way (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import render_template

from accounts import scopes
from accounts.emails import external_url
from accounts.models import User
from core.errors import Fields, ValidationFailed, add_message
from core.extensions import db
from core.limits import text_problem
from core.mail import Message, send_after_commit
from core.months import month_slug
from core.records import check_version, utcnow
from sites.models import MonthlyReturn, ReturnQuery, ReturnQueryAnswer, ReturnStatus
from sites.returns import rules as return_rules
from sites.returns.queries import active_site_leads, can_send_returns
from sites.returns.workflow import Refused

OPEN = "open"
CLOSED = "closed"
STATUSES = {OPEN: "Open", CLOSED: "Closed"}
MAX_TEXT = 2000
TEXT_TOO_LONG = f"must be {MAX_TEXT:,} characters or fewer"
FIGURE_CHOICES = f"Choose one of: {', '.join(return_rules.FIGURES)}; or leave it out"

NOT_A_RAISER = "Only programme staff and the site's trainer can raise a query on its return."
NOT_AN_ANSWERER = "Only the site's lead or programme staff can answer a query on its return."
NOT_A_CLOSER = "Only the person who raised the query, or programme staff, can close or reopen it."
DRAFT = (
    "This return is a draft: it is the site lead's own work until it is submitted, so it "
    "cannot be queried yet."
)
CLOSED_ALREADY = "This query is closed. Reopen it to answer it again."


def may_raise(user: User, site_id: int) -> bool:
    """Programme staff, and trainers assigned to the site today (their site scope)."""
    if user.role == "admin":
        return True
    if user.role != "trainer":
        return False
    assigned = scopes.site_scope(user)
    return assigned is not None and bool(
        db.session.scalar(sa.select(sa.literal(site_id).in_(assigned)))
    )


def may_answer(user: User, site_id: int) -> bool:
    """The site's leads and programme staff: those who send its returns."""
    return can_send_returns(user, site_id)


def may_close(user: User, query: ReturnQuery) -> bool:
    return user.role == "admin" or (
        query.raised_by_id is not None and query.raised_by_id == user.id
    )


def _checked_text(fields: Fields, key: str, text: Any, what: str) -> str:
    """The text, stripped, or a message at `key`: required, storable, bounded."""
    if not isinstance(text, str) or not text.strip():
        add_message(fields, key, f"Enter {what}")
        return ""
    problem = text_problem(text)
    if problem:
        add_message(fields, key, problem)
    elif len(text.strip()) > MAX_TEXT:
        add_message(fields, key, f"{what[:1].upper()}{what[1:]} {TEXT_TOO_LONG}")
    return text.strip()


def raise_query(
    user: User, monthly_return: MonthlyReturn, figure: str | None, text: Any
) -> ReturnQuery:
    """A new open query on the return, or on one of its figures (`figure` None: the whole
    return); e-mails the site's leads. Refused, or ValidationFailed with a message per field
    (`field`, `text`); nothing is written then."""
    if not may_raise(user, monthly_return.site_id):
        raise Refused(NOT_A_RAISER, conflict=False)
    if monthly_return.status == ReturnStatus.DRAFT:
        raise Refused(DRAFT, conflict=True)
    fields: Fields = {}
    if figure is not None and figure not in return_rules.FIGURES:
        add_message(fields, "field", FIGURE_CHOICES)
    cleaned = _checked_text(fields, "text", text, "the query")
    if fields:
        raise ValidationFailed(fields, "The query cannot be raised: check the fields named.")
    query = ReturnQuery(
        return_id=monthly_return.id,
        figure=figure,
        text=cleaned,
        status=OPEN,
        raised_by_id=user.id,
    )
    db.session.add(query)
    db.session.flush()
    _tell_site_leads(user, monthly_return, query)
    return query


def answer(
    user: User, query: ReturnQuery, text: Any, close: bool = False, version: int | None = None
) -> ReturnQueryAnswer:
    """The site lead's (or programme staff's) answer to an open query; `close` closes the query
    with it. E-mails whoever raised it. `version` is the query's as read: a stale one is 409."""
    monthly_return = db.session.get_one(MonthlyReturn, query.return_id)
    if not may_answer(user, monthly_return.site_id):
        raise Refused(NOT_AN_ANSWERER, conflict=False)
    check_version(query, version)
    if query.status != OPEN:
        raise Refused(CLOSED_ALREADY, conflict=True)
    fields: Fields = {}
    cleaned = _checked_text(fields, "text", text, "an answer")
    if fields:
        raise ValidationFailed(fields, "The answer cannot be sent: check the fields named.")
    reply = ReturnQueryAnswer(query_id=query.id, text=cleaned, answered_by_id=user.id)
    query.answers.append(reply)
    if close:
        _set_status(query, CLOSED)
    db.session.flush()
    _tell_raiser(user, monthly_return, query, closed=close)
    return reply


def close_query(user: User, query: ReturnQuery, version: int | None = None) -> ReturnQuery:
    return _change_status(user, query, CLOSED, version)


def reopen_query(user: User, query: ReturnQuery, version: int | None = None) -> ReturnQuery:
    return _change_status(user, query, OPEN, version)


def _change_status(user: User, query: ReturnQuery, status: str, version: int | None) -> ReturnQuery:
    if not may_close(user, query):
        raise Refused(NOT_A_CLOSER, conflict=False)
    check_version(query, version)
    if query.status == status:
        raise Refused(f"This query is {status} already.", conflict=True)
    _set_status(query, status)
    db.session.flush()
    return query


def _set_status(query: ReturnQuery, status: str) -> None:
    query.status = status
    query.closed_at = utcnow() if status == CLOSED else None


# --- e-mails: what happened and a link, never the figures or the query's words -----------------


def figure_label(figure: str | None) -> str:
    """What a query is about, as a heading says it."""
    return return_rules.FIGURES.get(figure or "", "The return as a whole")


def _about_what(figure: str | None) -> str:
    """What a query is about, inside a sentence ("about job starts")."""
    label = figure_label(figure)
    return label[:1].lower() + label[1:]


def _email(to: User, purpose: str, subject: str, template: str, context: Mapping[str, Any]) -> None:
    context = {"user": to, "service": "IPS Network Tracker", **context}
    send_after_commit(
        Message(
            to=to.email,
            subject=subject,
            text=render_template(f"sites/returns/questions/email/{template}.txt", **context),
            html=render_template(f"sites/returns/questions/email/{template}.html", **context),
            purpose=purpose,
        )
    )


def _about(monthly_return: MonthlyReturn) -> dict[str, Any]:
    return {"site_name": monthly_return.site.name, "month": monthly_return.month}


def _tell_site_leads(raiser: User, monthly_return: MonthlyReturn, query: ReturnQuery) -> None:
    leads = [lead for lead in active_site_leads(monthly_return.site_id) if lead.id != raiser.id]
    about = _about(monthly_return)
    link = external_url(
        "returns.edit", site_id=str(monthly_return.site_id), month=month_slug(monthly_return.month)
    )
    for lead in leads:
        _email(
            lead,
            "query_raised",
            f"A query on the {monthly_return.month:%B %Y} return for {about['site_name']}",
            "raised",
            {
                **about,
                "link": f"{link}#queries",
                "raiser": raiser,
                "on": _about_what(query.figure),
            },
        )


def _tell_raiser(
    answerer: User, monthly_return: MonthlyReturn, query: ReturnQuery, closed: bool
) -> None:
    raiser = db.session.get(User, query.raised_by_id) if query.raised_by_id else None
    if raiser is None or not raiser.active or raiser.id == answerer.id:
        return
    about = _about(monthly_return)
    link = external_url(
        "questions.page",
        site_id=str(monthly_return.site_id),
        month=month_slug(monthly_return.month),
    )
    done = "answered and closed" if closed else "answered"
    _email(
        raiser,
        "query_answered",
        f"Your query on the {monthly_return.month:%B %Y} return for {about['site_name']} is {done}",
        "answered",
        {
            **about,
            "link": f"{link}#query-{query.id}",
            "answerer": answerer,
            "on": _about_what(query.figure),
            "closed": closed,
        },
    )
