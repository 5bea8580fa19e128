"""The fidelity API: the scale's items, a site's reviews and the network profile (API.md).

Reads are scoped through portal.permissions; a review is written by training/reviews.py (which
raises ValidationFailed, answered 422 app-wide with a message per field) and committed here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_site_ids
from core.errors import StaleVersion
from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from sites.queries import get_site_or_404
from training.assignments.queries import get_site_for_review_or_404
from training.fidelity import queries
from training.fidelity import scale as fidelity
from training.fidelity.indicators.queries import site_indicators
from training.fidelity.indicators.schemas import FidelityIndicatorsOut, indicators_payload
from training.fidelity.schemas import (
    ItemOut,
    ProfileArgs,
    ProfileOut,
    ReopenIn,
    ReviewIn,
    ReviewOut,
    TrajectoryPointOut,
)
from training.fidelity.services import ReviewNotFinal, reopen_review, save_review
from training.models import FidelityReview

blp = Blueprint("fidelity_api", __name__, url_prefix="/api/v1", description="Fidelity reviews")

SITE_ID = path_id("site_id")
REVIEW_ID = path_id("review_id")


def review_payload(review_id: int) -> dict[str, Any]:
    """A review as the API answers it: its fields, total and band, scores, notes and actions."""
    detail = queries.review_detail(review_id)
    if detail is None:  # removed between the write and the read
        abort(404)
    review: FidelityReview = detail.review
    rows = [detail.rows[n] for n in sorted(detail.rows)]
    return {
        "id": review.id,
        "site_id": review.site_id,
        "version": review.version,
        "reviewed_on": review.reviewed_on,
        "kind": review.kind,
        "status": review.status,
        "lead_reviewer": review.lead_reviewer,
        "total": detail.total,
        "band": detail.band,
        "scores": {str(row.item): row.score for row in rows},
        "notes": {str(row.item): row.note for row in rows if row.note},
        "actions": {
            str(row.item): {
                "description": row.action_description,
                "owner": row.action_owner,
                "due_on": row.action_due_on,
            }
            for row in rows
            if row.action_description
        },
        "action_plan": detail.actions,
        "reopen_reason": review.reopen_reason,
    }


@blp.route("/fidelity/items")
class FidelityItems(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, ItemOut(many=True))
    def get(self) -> Any:
        """The 25 items of the IPS fidelity scale, with what each score from 1 to 5 means"""
        return [
            {
                "number": item.number,
                "section": item.section,
                "name": item.name,
                "description": item.description,
                "anchors": {str(score): text for score, text in item.anchors.items()},
            }
            for item in fidelity.ITEMS
        ]


@blp.route(f"/sites/{SITE_ID}/fidelity-reviews")
class SiteFidelityReviews(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, TrajectoryPointOut(many=True))
    def get(self, site_id: int) -> Any:
        """The site's trajectory: its final reviews, oldest first, with the change in total"""
        get_site_or_404(current_account(), site_id)
        return [asdict(point) for point in queries.site_trajectory(site_id)]

    @allow("admin", "trainer")
    @blp.arguments(ReviewIn)
    @blp.response(201, ReviewOut)
    def post(self, data: dict[str, Any], site_id: int) -> Any:
        """Record a review of the site (assigned trainers and admins), as a draft or final"""
        user = current_account()
        site = get_site_for_review_or_404(user, site_id)
        data.setdefault("lead_reviewer", user.name)
        review = save_review(site, data, user)
        db.session.commit()
        return review_payload(review.id)


@blp.route(f"/sites/{SITE_ID}/fidelity-indicators")
class SiteFidelityIndicators(MethodView):
    @allow("admin", "trainer", "site_lead")
    @blp.response(200, FidelityIndicatorsOut)
    def get(self, site_id: int) -> Any:
        """A site's live fidelity indicators and the items drifting since its last review"""
        get_site_or_404(current_account(), site_id)
        return indicators_payload(site_indicators(site_id))


@blp.route(f"/fidelity-reviews/{REVIEW_ID}/reopen")
class FidelityReviewReopen(MethodView):
    @allow("admin")
    @blp.arguments(ReopenIn)
    @blp.response(200, ReviewOut)
    @blp.alt_response(
        409, schema="Error", description="The version sent is stale, or the review is not final"
    )
    def post(self, data: dict[str, Any], review_id: int) -> Any:
        """Reopen a final review as a draft (admins), saying why; send the `version` you read.
        Until it is finalised again it has no total and leaves the site's trajectory"""
        review = db.get_or_404(FidelityReview, review_id)
        try:
            reopen_review(review, reason=data["reason"], version=data["version"])
            db.session.commit()
        except ReviewNotFinal as error:
            db.session.rollback()
            abort(409, error.message)
        except StaleDataError as error:  # changed between our read and our write
            raise StaleVersion() from error
        return review_payload(review.id)


@blp.route("/fidelity/profile")
class FidelityProfile(MethodView):
    @allow("admin", "trainer")
    @blp.arguments(ProfileArgs, location="query")
    @blp.response(200, ProfileOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Per item: the mean over each site's latest final review, and sites scoring below 4"""
        programme_id = args.get("programme_id")
        filters = queries.ProfileFilters(
            site_ids=programme_site_ids(programme_id) if programme_id is not None else None,
            region=args.get("region"),
        )
        profile = queries.fidelity_profile(filters)
        return {"sites": profile.sites, "items": [asdict(item) for item in profile.items]}
