"""The JSON API of approving returns (API.md, "Returns workflow"): approve, send back, reopen.
Each carries the `version` read and answers the return with its history."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import MonthField
from core.schemas import path_id
from core.web.access import allow
from sites.models import MonthlyReturn, ReturnStep
from sites.returns import workflow
from sites.returns.approval import services
from sites.returns.queries import get_site_for_returns_or_404
from sites.returns.schemas import ReasonIn, ReturnDetail, VersionIn
from sites.returns.services import find_return

blp = Blueprint(
    "approval_api", __name__, url_prefix="/api/v1", description="Approving monthly returns"
)

RETURN = f"/sites/{path_id('site_id')}/returns/<string(length=7):month>"
TAGS = ["sites_api"]  # beside the site's other return endpoints
REFUSED = "The version sent is stale, the return is not in a status that allows this"


def _month(text: str) -> date:
    try:
        return MonthField().deserialize(text)
    except ValidationError as error:
        raise ValidationFailed({"month": error.messages}) from error


def _held(site_id: int, month: str) -> MonthlyReturn:
    site = get_site_for_returns_or_404(current_account(), site_id)
    found = find_return(site.id, _month(month))
    if found is None:
        abort(404, "There is no return for this month.")
    return found


def _answer(return_id: int) -> MonthlyReturn:
    db.session.expire_all()
    found = db.session.scalar(
        sa.select(MonthlyReturn)
        .where(MonthlyReturn.id == return_id)
        .options(
            selectinload(MonthlyReturn.sectors),
            selectinload(MonthlyReturn.steps).selectinload(ReturnStep.actor),
        )
    )
    if found is None:
        abort(404)
    return found


def _run(change: Any, found: MonthlyReturn, **values: Any) -> MonthlyReturn:
    """Make the change and commit; a refusal answers 403 or 409 with the workflow's sentence."""
    try:
        change(found, current_account(), **values)
        db.session.commit()
    except workflow.Refused as refusal:
        db.session.rollback()
        abort(409 if refusal.conflict else 403, refusal.message)
    except StaleDataError as error:  # changed between our read and our write
        raise StaleVersion() from error
    return _answer(found.id)


@blp.route(f"{RETURN}/approve", tags=TAGS)
class ReturnApprove(MethodView):
    @allow("admin")
    @blp.arguments(VersionIn)
    @blp.response(200, ReturnDetail)
    @blp.alt_response(409, schema="Error", description=REFUSED + ", or it has an open query")
    def post(self, data: dict[str, Any], site_id: int, month: str) -> Any:
        """Approve a submitted return (programme staff): it is locked, and counts for funders"""
        return _run(services.approve, _held(site_id, month), version=data["version"])


@blp.route(f"{RETURN}/send-back", tags=TAGS)
class ReturnSendBack(MethodView):
    @allow("admin")
    @blp.arguments(ReasonIn)
    @blp.response(200, ReturnDetail)
    @blp.alt_response(409, schema="Error", description=REFUSED)
    def post(self, data: dict[str, Any], site_id: int, month: str) -> Any:
        """Send a submitted return back to its site lead with a reason; they are e-mailed"""
        found = _held(site_id, month)
        return _run(services.send_back, found, version=data["version"], reason=data["reason"])


@blp.route(f"{RETURN}/reopen", tags=TAGS)
class ReturnReopen(MethodView):
    @allow("admin")
    @blp.arguments(ReasonIn)
    @blp.response(200, ReturnDetail)
    @blp.alt_response(409, schema="Error", description=REFUSED)
    def post(self, data: dict[str, Any], site_id: int, month: str) -> Any:
        """Reopen an approved return with a reason: it is submitted again, and can be amended"""
        found = _held(site_id, month)
        return _run(services.reopen, found, version=data["version"], reason=data["reason"])
