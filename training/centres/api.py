"""The Centres of Excellence in the JSON API (API.md): the Centres now, for any user, and the
sites eligible to be invited, for programme staff and trainers."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts.models import EVERY_ROLE
from core.paging import PageArgs, api_page
from core.web.access import allow
from training.centres import queries
from training.centres.schemas import CentreList, EligiblePage
from training.fidelity import scoring

blp = Blueprint("centres_api", __name__, url_prefix="/api/v1", description="Centres of Excellence")


@blp.route("/centres")
class Centres(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, CentreList)
    def get(self) -> Any:
        """The Centres of Excellence now, by name, each with its next re-review and the sites
        it mentors now"""
        return {
            "items": [
                {
                    "site_id": centre.site_id,
                    "name": centre.name,
                    "organisation": centre.organisation,
                    "awarded_on": centre.awarded_on,
                    "next_review_due": centre.next_review_due,
                    "re_review_overdue": centre.unrenewed,
                    "mentees": centre.mentees,
                }
                for centre in queries.centres_now(date.today())
            ]
        }


@blp.route("/centres/eligible")
class EligibleCentres(MethodView):
    @allow("admin", "trainer")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EligiblePage)
    def get(self, args: dict[str, Any]) -> Any:
        """The open sites whose latest final review is Good or Exemplary and that are not
        Centres now, best total first"""
        return api_page(
            queries.eligible_sites_select(date.today()),
            args,
            lambda row: {**row._mapping, "band": scoring.band_of_total(row.total)},
        )
