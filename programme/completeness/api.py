"""GET /api/v1/reporting/completeness: returns expected, received, on time and approved over a
period, in total and per site, within the caller's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from accounts.models import EVERY_ROLE
from core.web.access import allow
from programme.completeness import schemas
from programme.completeness.queries import period_months, reporting_completeness, scoped_filters
from programme.queries import get_programme_or_404

blp = Blueprint(
    "completeness_api", __name__, url_prefix="/api/v1", description="Reporting completeness"
)


def today() -> date:
    """Today's date; tests replace it to ask on a fixed day."""
    return date.today()


@blp.route("/reporting/completeness")
class ReportingCompleteness(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(schemas.CompletenessArgs, location="query")
    @blp.response(200, schemas.CompletenessOut)
    @blp.alt_response(403, description="The programme is outside the caller's scope")
    @blp.alt_response(404, description="No such programme")
    def get(self, args: dict[str, Any]) -> Any:
        """Returns expected, received, on time and approved, in total and per site"""
        on = today()
        programme_id = args.get("programme_id")
        programme = (
            get_programme_or_404(current_user, programme_id) if programme_id is not None else None
        )
        first, last = period_months(args.get("from_month"), args.get("to_month"), programme, on)
        report = reporting_completeness(
            scoped_filters(current_user, first, last, programme_id, args.get("region")), on
        )
        return report.total.as_dict() | {
            "from_month": report.first,
            "to_month": report.last,
            "sites": [
                {"site_id": site.site_id, "name": site.name, **site.counts.as_dict()}
                for site in report.sites
            ],
        }
