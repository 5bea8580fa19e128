"""The review cycle's API: the reviews due across the sites the caller may read (API.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts.current import current_account
from accounts.scopes import site_scope
from core.web.access import allow
from training.fidelity.queries import reviews_due
from training.reviews.queries import days_ahead
from training.reviews.schemas import ReviewsDueArgs, ReviewsDueOut

blp = Blueprint("reviews_api", __name__, url_prefix="/api/v1", description="The review cycle")


@blp.route("/reviews/due")
class ReviewsDue(MethodView):
    @allow("admin", "trainer")
    @blp.arguments(ReviewsDueArgs, location="query")
    @blp.response(200, ReviewsDueOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Each open site's next fidelity review due within `within_days`, overdue ones
        included: every site for programme staff, a trainer's assigned sites"""
        today = date.today()
        due = reviews_due(
            site_scope(current_account()), today, by=days_ahead(today, args["within_days"])
        )
        return {
            "items": [
                {
                    "site_id": row.site_id,
                    "name": row.name,
                    "next_review_due": row.next_review_due,
                    "overdue": row.overdue(today),
                }
                for row in due
            ]
        }
