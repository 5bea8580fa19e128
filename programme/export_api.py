"""GET /api/v1/exports/{name}.csv|.xlsx: every table of figures, scoped, and its open-data form."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("exports_api", __name__, url_prefix="/api/v1", description="Exports")
