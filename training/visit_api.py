"""The visits API: a site's visits with their actions, action updates and trainer assignments."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("visits_api", __name__, url_prefix="/api/v1", description="Visits and actions")
