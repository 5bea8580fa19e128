"""The JSON API for organisations, sites, Centre of Excellence awards and a site's returns.

Reads are scoped through portal.permissions; writes go through sites/services.py (which validate
and raise ValidationFailed, answered 422 app-wide) and commit here, once per request.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_scope
from core.errors import StaleVersion
from core.extensions import db
from core.paging import PageArgs, api_page
from core.schemas import path_id
from core.web.access import allow
from portal.sites import queries as site_queries
from portal.sites.schemas import SiteDetailOut, SiteListArgs, SitePage
from programme.queries import can_read_programme
from sites import outcomes, queries
from sites.mentoring.queries import mentees_of, mentors_of
from sites.mentoring.schemas import MentoringIn, MentoringOut
from sites.mentoring.services import record_mentoring
from sites.models import Site
from sites.queries import get_site_or_404
from sites.returns.workflow import counted_statuses
from sites.schemas import (
    DesignationIn,
    DesignationOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OutcomeArgs,
    SiteIn,
    SiteOutcomesOut,
    SitePatch,
)
from sites.services import add_designation, create_organisation, create_site, update_site
from training.reviews.queries import next_review_due

blp = Blueprint("sites_api", __name__, url_prefix="/api/v1", description="Organisations and sites")

SITE_ID = path_id("site_id")

SITE_COLUMNS = (
    "id",
    "organisation_id",
    "name",
    "locality",
    "region",
    "launched_on",
    "closed_on",
    "latitude",
    "longitude",
    "version",
)


def _site_payload(site_id: int, programme_ids: sa.Select | None = None) -> dict[str, Any]:
    """The site as the API answers it; its programmes only of `programme_ids` when given."""
    detail = site_queries.site_detail(site_id, programme_ids=programme_ids)
    if detail is None:  # deleted between the check and the read
        abort(404)
    site = detail.site
    return {column: getattr(site, column) for column in SITE_COLUMNS} | {
        "organisation_name": detail.organisation.name,
        "centre_of_excellence": detail.centre_of_excellence,
        "latest_fidelity": detail.latest_fidelity,
        "programmes": detail.programmes,
        "designations": detail.designations,
        "next_review_due": next_review_due(site_id, date.today()),
        "mentored_by": mentors_of(site_id),
        "mentoring": mentees_of(site_id),
    }


@blp.route("/organisations")
class Organisations(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Organisations (providers), by name"""
        return api_page(queries.organisations_select(), args)

    @allow("admin")
    @blp.arguments(OrganisationIn)
    @blp.response(201, OrganisationOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an organisation"""
        organisation = create_organisation(data)
        db.session.commit()
        return organisation


@blp.route("/sites")
class Sites(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(SiteListArgs, location="query")
    @blp.response(200, SitePage)
    def get(self, args: dict[str, Any]) -> Any:
        """The sites you may read, by name"""
        user = current_account()
        programme_id = args.get("programme_id")
        if programme_id is not None and not can_read_programme(user, programme_id):
            abort(403, "You may not read that programme.")
        filters = site_queries.SiteFilters(
            region=args.get("region"),
            programme_id=args.get("programme_id"),
            centre_of_excellence=bool(args.get("centre_of_excellence")),
            band=args.get("band"),
            q=args.get("q"),
        )
        return api_page(
            site_queries.site_list_select(user, filters),
            args,
            serialise=lambda row: row,
        )

    @allow("admin")
    @blp.arguments(SiteIn)
    @blp.response(201, SiteDetailOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a site (an IPS service)"""
        site = create_site(data)
        db.session.commit()
        return _site_payload(site.id)


@blp.route(f"/sites/{SITE_ID}")
class SiteResource(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, SiteDetailOut)
    def get(self, site_id: int) -> Any:
        """A site with its programmes, awards and latest fidelity"""
        user = current_account()
        get_site_or_404(user, site_id)
        return _site_payload(site_id, programme_scope(user))

    @allow("admin")
    @blp.arguments(SitePatch)
    @blp.response(200, SiteDetailOut)
    @blp.alt_response(409, description="The version sent is stale")
    def patch(self, data: dict[str, Any], site_id: int) -> Any:
        """Change a site; send the `version` you read"""
        site = db.get_or_404(Site, site_id)
        version = data.pop("version")
        try:
            update_site(site, data, version)
            db.session.commit()
        except StaleDataError as error:  # changed between our read and our write
            raise StaleVersion() from error
        return _site_payload(site_id)


@blp.route(f"/sites/{SITE_ID}/designations")
class Designations(MethodView):
    @allow("admin")
    @blp.arguments(DesignationIn)
    @blp.response(201, DesignationOut)
    def post(self, data: dict[str, Any], site_id: int) -> Any:
        """Record a Centre of Excellence award"""
        site = db.get_or_404(Site, site_id)
        designation = add_designation(site, data["awarded_on"], data.get("ended_on"))
        db.session.commit()
        return designation


@blp.route(f"/sites/{SITE_ID}/mentoring")
class SiteMentoring(MethodView):
    @allow("admin")
    @blp.arguments(MentoringIn)
    @blp.response(201, MentoringOut)
    def post(self, data: dict[str, Any], site_id: int) -> Any:
        """Record that this site mentors another (usually a Centre of Excellence mentoring)"""
        site = db.get_or_404(Site, site_id)
        mentoring = record_mentoring(site, **data)
        db.session.commit()
        return mentoring


@blp.route(f"/sites/{SITE_ID}/outcomes")
class SiteOutcomes(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(OutcomeArgs, location="query")
    @blp.response(200, SiteOutcomesOut)
    def get(self, args: dict[str, Any], site_id: int) -> Any:
        """The site's outcome rates over a run of months (YYYY-MM), with their benchmarks"""
        user = current_account()
        get_site_or_404(user, site_id)
        first, last = outcomes.months_or_default(
            args.get("from_month"), args.get("to_month"), date.today()
        )
        counted = counted_statuses(user.role)
        totals = queries.site_outcome_totals(site_id, first, last, counted)
        medians = queries.network_rate_medians(first, last, counted)
        return {
            "site_id": site_id,
            "from_month": first,
            "to_month": last,
            "totals": totals,
            **asdict(outcomes.outcome_rates(totals).rounded()),
            "benchmarks": outcomes.benchmarks(
                {
                    name: None if value is None else round(value, outcomes.RATE_PLACES)
                    for name, value in medians.items()
                }
            ),
        }
