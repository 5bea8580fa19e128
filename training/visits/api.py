"""The visits API: a site's visits with their actions, action updates and trainer assignments.

Reads are scoped through portal.permissions; writes go through training/services.py (which raise
ValidationFailed, answered 422 app-wide with a message per field, or StaleVersion, 409) and are
committed here, once per request.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import User
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import PageArgs, api_page
from core.schemas import path_id
from core.web.access import allow
from sites.models import Site
from sites.queries import get_site_or_404
from training.assignments.queries import get_site_for_review_or_404
from training.assignments.services import assign_trainer
from training.models import Action
from training.visits.queries import action_statuses, site_visits_select
from training.visits.schemas import (
    ActionPatch,
    AgreedActionOut,
    AssignmentIn,
    AssignmentOut,
    VisitIn,
    VisitOut,
    VisitPage,
)
from training.visits.services import KEEP, record_visit, set_action_status

blp = Blueprint("visits_api", __name__, url_prefix="/api/v1", description="Visits and actions")

SITE_ID = path_id("site_id")
ACTION_ID = path_id("action_id")
VISIT_READERS = ("admin", "trainer", "site_lead")  # funders see aggregates only: no visits


@blp.route(f"/sites/{SITE_ID}/visits")
class SiteVisits(MethodView):
    @allow(*VISIT_READERS)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, VisitPage)
    def get(self, args: dict[str, Any], site_id: int) -> Any:
        """The site's visits, newest first, each with the actions agreed at it"""
        get_site_or_404(current_account(), site_id)
        return api_page(site_visits_select(site_id), args)

    @allow("admin", "trainer")
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut)
    def post(self, data: dict[str, Any], site_id: int) -> Any:
        """Log a visit to the site (its assigned trainers and admins), with the actions agreed"""
        user = current_account()
        site = get_site_for_review_or_404(user, site_id)
        visit = record_visit(site, data, user)
        db.session.commit()
        return visit


@blp.route(f"/actions/{ACTION_ID}")
class ActionItem(MethodView):
    @allow("admin", "trainer", "site_lead")
    @blp.arguments(ActionPatch)
    @blp.response(200, AgreedActionOut)
    @blp.alt_response(409, description="The version sent is stale")
    def patch(self, data: dict[str, Any], action_id: int) -> Any:
        """Mark an action done or dropped (closed today unless closed_on is sent), with a note,
        or open again (which clears the note); send the `version` you read. A lead of the
        action's site may mark it done or open it again, not drop it (403)."""
        action = db.get_or_404(Action, action_id)
        allowed = action_statuses(current_account(), action.site_id)
        if not allowed:
            abort(
                403,
                "Only programme staff, the site's trainers and its leads may change its actions.",
            )
        if data["status"] not in allowed:
            abort(403, "Only programme staff and the site's trainers may drop an action.")
        try:
            set_action_status(
                action,
                status=data["status"],
                version=data["version"],
                closed_on=data.get("closed_on"),
                note=data.get("note", KEEP),
            )
            db.session.commit()
        except StaleDataError as error:  # changed between our read and our write
            raise StaleVersion() from error
        return action


@blp.route(f"/sites/{SITE_ID}/assignments")
class SiteAssignments(MethodView):
    @allow("admin")
    @blp.arguments(AssignmentIn)
    @blp.response(201, AssignmentOut)
    def post(self, data: dict[str, Any], site_id: int) -> Any:
        """Assign a regional trainer to the site from a start date (to an end date)"""
        site = db.get_or_404(Site, site_id)
        trainer = db.session.get(User, data["user_id"])
        if trainer is None:
            raise ValidationFailed({"user_id": [f"No user with id {data['user_id']}"]})
        assignment = assign_trainer(
            user=trainer, site_id=site.id, starts_on=data["starts_on"], ends_on=data.get("ends_on")
        )
        db.session.commit()
        return assignment
