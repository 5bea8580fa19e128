"""GET /api/v1/exports/{name}.csv|.xlsx: every table of figures, scoped, and its open-data form."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from accounts.models import EVERY_ROLE
from core.schemas import Text, id_field
from core.web.access import allow
from programme.reports import exports

blp = Blueprint("exports_api", __name__, url_prefix="/api/v1", description="Exports")


class ExportArgs(Schema):
    programme_id = id_field(strict=False, metadata={"description": "Only this programme"})
    site_id = id_field(strict=False, metadata={"description": "Only this site"})
    open = fields.Boolean(
        load_default=False,
        metadata={"description": "The open-data form: counts 1 to 4 as *, others to the nearest 5"},
    )
    period = Text(
        validate=validate.Length(max=40),
        metadata={
            "description": "Only these months (as the pages name them): last-12-months, a "
            "calendar year (2024), a financial year (fy-2024-25), or programme (the programme's "
            "own run). Without it, every month; for a programme that has ended, its own run. "
            "The progress export's rates are read over it (the last 12 complete months without)"
        },
    )


FILES = {
    "200": {
        "description": "The table as a file (attachment): CSV or XLSX",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            exports.CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "403": {"description": "The programme or site is outside the caller's scope"},
    "404": {
        "description": "No such export (returns, progress, fidelity, completeness), format, "
        "programme or site"
    },
}


@blp.route("/exports/<name>.<format>")
class Export(MethodView):
    @allow(*EVERY_ROLE)
    @blp.arguments(ExportArgs, location="query")
    @blp.doc(
        summary="A table of figures as CSV or XLSX: returns, progress, fidelity or completeness",
        responses=FILES,
    )
    def get(self, args: dict[str, Any], name: str, format: str) -> Any:
        return exports.export_response(
            current_user,
            name,
            format,
            programme_id=args.get("programme_id"),
            site_id=args.get("site_id"),
            open_form=args["open"],
            period=args.get("period"),
        )
