"""The fidelity API: the scale's items, a site's reviews and the network profile."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("fidelity_api", __name__, url_prefix="/api/v1", description="Fidelity reviews")
