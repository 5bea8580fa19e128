"""The JSON API of queries on returns: a return's queries (GET), raising one (POST), answering one
(POST /queries/{id}/answer). Reads are scoped as the site is (funders never: they see aggregates
only); writes go through services.py and are committed here, once per request."""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import MonthField
from core.paging import api_page
from core.schemas import path_id
from core.web.access import allow
from sites.models import MonthlyReturn, ReturnQuery, Site
from sites.queries import get_site_or_404
from sites.returns.questions import services
from sites.returns.questions.queries import query_with_answers, return_queries_select
from sites.returns.questions.schemas import AnswerIn, QueryIn, QueryListArgs, QueryOut, QueryPage
from sites.returns.services import find_return
from sites.returns.workflow import Refused

blp = Blueprint(
    "questions_api", __name__, url_prefix="/api/v1", description="Queries on monthly returns"
)

SITE_ID = path_id("site_id")
QUERY_ID = path_id("query_id")
MONTH = "<string(length=7):month>"
READERS = ("admin", "trainer", "site_lead")  # funders see aggregates only: no queries
NO_RETURN = "There is no return for this month."


def _month(text: str) -> date:
    try:
        return MonthField().deserialize(text)
    except ValidationError as error:
        raise ValidationFailed({"month": error.messages}) from error


def _return_or_404(site: Site, month: str) -> MonthlyReturn:
    monthly_return = find_return(site.id, _month(month))
    if monthly_return is None:
        abort(404, NO_RETURN)
    return monthly_return


def _refuse(refused: Refused) -> NoReturn:
    abort(409 if refused.conflict else 403, refused.message)


def _fresh(query_id: int) -> ReturnQuery:
    query = query_with_answers(query_id)
    if query is None:  # deleted with its return since
        abort(404)
    return query


@blp.route(f"/sites/{SITE_ID}/returns/{MONTH}/queries")
class ReturnQueries(MethodView):
    @allow(*READERS)
    @blp.arguments(QueryListArgs, location="query")
    @blp.response(200, QueryPage)
    def get(self, args: dict[str, Any], site_id: int, month: str) -> Any:
        """The queries on the site's return for a month (YYYY-MM), open ones first"""
        site = get_site_or_404(current_account(), site_id)
        monthly_return = _return_or_404(site, month)
        select = return_queries_select(monthly_return.id)
        return api_page(select, args)

    @allow("admin", "trainer")
    @blp.arguments(QueryIn)
    @blp.response(201, QueryOut)
    @blp.alt_response(409, description="The return is a draft: it cannot be queried yet")
    def post(self, data: dict[str, Any], site_id: int, month: str) -> Any:
        """Raise a query on the return, or on one of its figures (programme staff and the
        site's assigned trainers); the site's leads are told by e-mail"""
        user = current_account()
        site = get_site_or_404(user, site_id)
        monthly_return = _return_or_404(site, month)
        try:
            query = services.raise_query(user, monthly_return, data.get("field"), data["text"])
        except Refused as refused:
            _refuse(refused)
        db.session.commit()
        return _fresh(query.id), 201


@blp.route(f"/queries/{QUERY_ID}/answer")
class QueryAnswer(MethodView):
    @allow("admin", "site_lead")
    @blp.arguments(AnswerIn)
    @blp.response(200, QueryOut)
    @blp.alt_response(409, description="The query is closed, or the version sent is stale")
    def post(self, data: dict[str, Any], query_id: int) -> Any:
        """Answer a query (the site's leads and programme staff); `close` closes it with the
        answer. Whoever raised it is told by e-mail"""
        user = current_account()
        query = db.get_or_404(ReturnQuery, query_id)
        monthly_return = db.session.get_one(MonthlyReturn, query.return_id)
        get_site_or_404(user, monthly_return.site_id)
        try:
            services.answer(
                user, query, data["text"], close=data["close"], version=data.get("version")
            )
            db.session.commit()
        except Refused as refused:
            _refuse(refused)
        except StaleDataError as error:  # changed between our read and our write
            raise StaleVersion() from error
        return _fresh(query_id)
