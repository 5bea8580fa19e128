"""The JSON API of monthly returns: a site's returns, and saving one month's (PUT). The import
(POST /returns/import) adds its route to the same blueprint from sites.returns.importing.api."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import MonthField
from core.paging import api_page
from core.schemas import path_id
from core.web.access import allow
from sites import queries
from sites.queries import get_site_or_404
from sites.returns import rules as return_rules
from sites.returns import workflow
from sites.returns.queries import get_site_for_returns_or_404
from sites.returns.schemas import ReturnIn, ReturnListArgs, ReturnPage, ReturnSaved
from sites.returns.services import save_return

blp = Blueprint("returns_api", __name__, url_prefix="/api/v1", description="Monthly returns")

SITE_ID = path_id("site_id")
MONTH = "<string(length=7):month>"
# A site's returns are listed in the API's docs with the site's other endpoints, where clients
# have found them since version 1.
SITE_TAGS = ["sites_api"]


@blp.route(f"/sites/{SITE_ID}/returns", tags=SITE_TAGS)
class Returns(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(ReturnListArgs, location="query")
    @blp.response(200, ReturnPage)
    def get(self, args: dict[str, Any], site_id: int) -> Any:
        """The site's monthly returns, oldest first"""
        user = current_account()
        get_site_or_404(user, site_id)
        select = queries.site_returns_select(
            site_id,
            args.get("from_month"),
            args.get("to_month"),
            workflow.listed_statuses(user.role),
        )
        return api_page(select, args)


def _month(text: str) -> date:
    try:
        return MonthField().deserialize(text)
    except ValidationError as error:
        raise ValidationFailed({"month": error.messages}) from error


@blp.route(f"/sites/{SITE_ID}/returns/{MONTH}", tags=SITE_TAGS)
class ReturnMonth(MethodView):
    @allow("admin", "site_lead")
    @blp.arguments(ReturnIn)
    @blp.response(200, ReturnSaved, description="An existing return, amended")
    @blp.alt_response(201, schema=ReturnSaved, description="A new return")
    @blp.alt_response(
        409,
        description="The version sent is stale, or none was sent, or the return is approved "
        "and locked",
    )
    def put(self, data: dict[str, Any], site_id: int, month: str) -> Any:
        """Save the site's return for a month (YYYY-MM): a draft, or submitted"""
        site = get_site_for_returns_or_404(current_account(), site_id)
        figures = {name: data.get(name) for name in return_rules.FIGURES}
        try:
            saved = save_return(
                site,
                _month(month),
                figures,
                user=current_account(),
                sectors=data.get("sectors"),
                submit=data["submit"],
                version=data.get("version"),
                confirm_warnings=data["confirm_warnings"],
                source="api",
            )
            db.session.commit()
        except workflow.Refused as refusal:  # an approved return is locked: 409
            db.session.rollback()
            abort(409 if refusal.conflict else 403, refusal.message)
        except StaleDataError as error:
            raise StaleVersion() from error
        return saved, 201 if saved.created else 200
