"""The programme API: programmes, participations, progress and the network summary."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from accounts.models import EVERY_ROLE
from accounts.scopes import programme_scope
from core.extensions import db
from core.paging import api_page
from core.schemas import path_id
from core.web.access import allow
from programme import figures, queries, schemas, services
from programme.models import Programme
from programme.queries import get_programme_or_404
from sites.returns.workflow import counted_statuses

blp = Blueprint(
    "programmes_api", __name__, url_prefix="/api/v1", description="Programmes and progress"
)


def _programme_changes(data: dict[str, Any]) -> dict[str, Any]:
    changes = dict(data)
    changes.pop("version", None)
    if "funder" in changes:
        changes["funder_id"] = services.find_or_create_funder(changes.pop("funder")).id
    return changes


@blp.route("/programmes")
class Programmes(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(schemas.ProgrammeListArgs, location="query")
    @blp.response(200, schemas.ProgrammePage)
    def get(self, args: dict[str, Any]) -> Any:
        query = (
            sa.select(Programme)
            .options(selectinload(Programme.partners))  # one query for the page's partners
            .order_by(Programme.starts_on.desc(), Programme.id)
        )
        scope = programme_scope(current_user)
        if scope is not None:
            query = query.where(Programme.id.in_(scope))
        return api_page(query, args)

    @allow("admin")
    @blp.arguments(schemas.ProgrammeIn)
    @blp.response(201, schemas.Programme)
    def post(self, data: dict[str, Any]) -> Any:
        programme = services.create_programme(_programme_changes(data))
        db.session.commit()
        return programme


@blp.route(f"/programmes/{path_id('programme_id')}")
class ProgrammeItem(MethodView):
    @allow("admin")
    @blp.arguments(schemas.ProgrammePatch)
    @blp.response(200, schemas.Programme)
    def patch(self, data: dict[str, Any], programme_id: int) -> Any:
        programme = db.get_or_404(Programme, programme_id)
        services.update_programme(programme, _programme_changes(data), version=data["version"])
        db.session.commit()
        return programme


@blp.route(f"/programmes/{path_id('programme_id')}/participations")
class Participations(MethodView):
    @allow("admin")
    @blp.arguments(schemas.ParticipationIn)
    @blp.response(201, schemas.Participation)
    def post(self, data: dict[str, Any], programme_id: int) -> Any:
        programme = db.get_or_404(Programme, programme_id)
        participation = services.add_participation(programme, **data)
        db.session.commit()
        return participation


@blp.route(f"/programmes/{path_id('programme_id')}/progress")
class ProgrammeProgress(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(schemas.ProgressArgs, location="query")
    @blp.response(200, schemas.Progress)
    def get(self, args: dict[str, Any], programme_id: int) -> Any:
        programme = get_programme_or_404(current_user, programme_id)
        on = args.get("on") or date.today()
        counted = counted_statuses(current_user.role)
        progress = queries.progress_of([programme], on, counted)[programme.id]
        sites = figures.programme_sites(programme, on, counted)
        return asdict(progress) | {"sites": [asdict(site) for site in sites]}


@blp.route("/network/summary")
class NetworkSummary(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, schemas.NetworkSummary)
    def get(self) -> Any:
        return asdict(figures.network_summary(date.today(), counted_statuses(current_user.role)))
