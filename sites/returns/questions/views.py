"""Queries pages: a return's queries page (its figures and its Queries section, for everyone who
may read them, trainers included), and the forms of the section, which the return page shows as
well: raise a query, answer one, close or reopen one. Each answers back where it was sent from."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import User
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import Month
from core.schemas import path_id
from core.web.access import allow
from core.web.forms import error_href
from sites.models import MonthlyReturn, ReturnQuery, ReturnStatus, Site
from sites.queries import get_site_or_404
from sites.returns import rules as return_rules
from sites.returns.queries import can_send_returns
from sites.returns.questions import services
from sites.returns.questions.forms import (
    FROM_QUERIES,
    FROM_RETURN,
    AnswerQueryForm,
    QueriesSection,
    QueryStatusForm,
    RaiseQueryForm,
    answer_prefix,
    queries_section,
    status_prefix,
)
from sites.returns.services import find_return
from sites.returns.workflow import Refused

bp = Blueprint("questions", __name__)

RETURN_PATH = f"/sites/{path_id('site_id')}/returns/<month:month>"
QUERY_PATH = f"/queries/{path_id('query_id')}"
EXPIRED = "The form expired: send it again."
STALE = "Someone else changed this query since you opened the page. Read it again below."


def _return_or_404(site: Site, month: date) -> MonthlyReturn:
    """A return that can carry queries: saved, and not a draft (the site lead's own work)."""
    monthly_return = find_return(site.id, month)
    if monthly_return is None or monthly_return.status == ReturnStatus.DRAFT:
        abort(404)
    return monthly_return


def _render(
    user: User, site: Site, section: QueriesSection | None, summary: list[Any], status: int = 200
) -> Any:
    assert section is not None  # the return is not a draft
    monthly_return = section.monthly_return
    return render_template(
        "sites/returns/questions/page.html",
        site=site,
        monthly_return=monthly_return,
        month=monthly_return.month,
        figures=return_rules.FIGURES,
        sector_labels=return_rules.SECTORS,
        queries_section=section,
        summary=summary,
        sends_returns=can_send_returns(user, site.id),
    ), status


def _back(user: User, monthly_return: MonthlyReturn, back: str | None, query_id: int | None) -> Any:
    anchor = f"query-{query_id}" if query_id else "queries"
    if back == FROM_RETURN and can_send_returns(user, monthly_return.site_id):
        endpoint = "returns.edit"
    else:
        endpoint = "questions.page"
    return redirect(
        url_for(
            endpoint,
            site_id=monthly_return.site_id,
            month=monthly_return.month,
            _anchor=anchor,
        )
    )


def _form_summary(form: Any) -> list[dict[str, str]]:
    if form.errors.get("csrf_token"):
        return [{"text": EXPIRED}]
    return [{"text": message, "href": error_href(f)} for f in form for message in f.errors]


@bp.route(f"{RETURN_PATH}/queries")
@allow("admin", "trainer", "site_lead")
def page(site_id: int, month: Month) -> Any:
    """The return's figures and its queries, with the forms the user may use."""
    user = current_account()
    site = get_site_or_404(user, site_id)
    monthly_return = _return_or_404(site, month)
    return _render(user, site, queries_section(user, monthly_return, FROM_QUERIES), [])


@bp.route(f"{RETURN_PATH}/queries/raise", methods=["POST"])
@allow("admin", "trainer")
def raise_query(site_id: int, month: Month) -> Any:
    user = current_account()
    site = get_site_or_404(user, site_id)
    monthly_return = _return_or_404(site, month)
    if not services.may_raise(user, site.id):
        abort(403)
    form = RaiseQueryForm()
    if not form.validate():
        return _render(
            user,
            site,
            queries_section(user, monthly_return, form.back.data, raise_form=form),
            _form_summary(form),
            400 if form.errors.get("csrf_token") else 422,
        )
    try:
        query = services.raise_query(user, monthly_return, form.figure.data or None, form.text.data)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        form.figure.errors = list(error.fields.get("field", []))
        form.text.errors = list(error.fields.get("text", []))
        section = queries_section(user, monthly_return, form.back.data, raise_form=form)
        return _render(user, site, section, _form_summary(form), 422)
    except Refused as refused:
        abort(409 if refused.conflict else 403)
    flash("Your query is raised. The site's lead is told by e-mail.")
    return _back(user, monthly_return, form.back.data, query.id)


def _query_and_site(user: User, query_id: int) -> tuple[ReturnQuery, MonthlyReturn, Site]:
    query = db.get_or_404(ReturnQuery, query_id)
    monthly_return = db.session.get_one(MonthlyReturn, query.return_id)
    site = get_site_or_404(user, monthly_return.site_id)
    return query, monthly_return, site


@bp.route(f"{QUERY_PATH}/answer", methods=["POST"])
@allow("admin", "site_lead")
def answer(query_id: int) -> Any:
    user = current_account()
    query, monthly_return, site = _query_and_site(user, query_id)
    if not services.may_answer(user, site.id):
        abort(403)
    form = AnswerQueryForm(prefix=answer_prefix(query_id))

    def again(summary: list[Any], status: int) -> Any:
        section = queries_section(
            user, monthly_return, form.back.data, answer_form=(query_id, form)
        )
        return _render(user, site, section, summary, status)

    if not form.validate():
        return again(_form_summary(form), 400 if form.errors.get("csrf_token") else 422)
    try:
        services.answer(
            user, query, form.text.data, close=bool(form.close.data), version=form.version.data
        )
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        form.text.errors = list(error.fields.get("text", []))
        return again(_form_summary(form), 422)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        return _stale(user, site, monthly_return, query_id)
    except Refused as refused:
        db.session.rollback()
        if not refused.conflict:
            abort(403)
        return again([{"text": refused.message, "href": f"#query-{query_id}"}], 409)
    flash("Your answer is sent." + (" The query is closed." if form.close.data else ""))
    return _back(user, monthly_return, form.back.data, query_id)


def _stale(user: User, site: Site, monthly_return: MonthlyReturn, query_id: int) -> Any:
    db.session.expire_all()
    section = queries_section(user, monthly_return, FROM_QUERIES)
    return _render(user, site, section, [{"text": STALE, "href": f"#query-{query_id}"}], 409)


def _set_status(query_id: int, close: bool) -> Any:
    user = current_account()
    query, monthly_return, site = _query_and_site(user, query_id)
    if not services.may_close(user, query):
        abort(403)
    form = QueryStatusForm(prefix=status_prefix(query_id))
    if not form.validate():
        section = queries_section(user, monthly_return, form.back.data)
        return _render(user, site, section, [{"text": EXPIRED}], 400)
    change = services.close_query if close else services.reopen_query
    try:
        change(user, query, version=form.version.data)
        db.session.commit()
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        return _stale(user, site, monthly_return, query_id)
    except Refused as refused:
        db.session.rollback()
        if not refused.conflict:
            abort(403)
        section = queries_section(user, monthly_return, form.back.data)
        summary = [{"text": refused.message, "href": f"#query-{query_id}"}]
        return _render(user, site, section, summary, 409)
    flash("The query is closed." if close else "The query is open again.")
    return _back(user, monthly_return, form.back.data, query_id)


@bp.route(f"{QUERY_PATH}/close", methods=["POST"])
@allow("admin", "trainer")
def close(query_id: int) -> Any:
    """Close a query (whoever raised it, or programme staff)."""
    return _set_status(query_id, close=True)


@bp.route(f"{QUERY_PATH}/reopen", methods=["POST"])
@allow("admin", "trainer")
def reopen(query_id: int) -> Any:
    """Open a closed query again (whoever raised it, or programme staff)."""
    return _set_status(query_id, close=False)
