"""POST /api/v1/returns/import: a CSV of monthly returns, all rows or none."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("returns_api", __name__, url_prefix="/api/v1", description="Monthly returns")
