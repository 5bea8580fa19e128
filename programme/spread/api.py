"""GET /api/v1/network/spread: the network year by year, for any signed-in user."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts.models import EVERY_ROLE
from core.web.access import allow
from programme.spread import schemas
from programme.spread.queries import network_spread

blp = Blueprint("spread_api", __name__, url_prefix="/api/v1", description="How IPS spread")


@blp.route("/network/spread")
class NetworkSpread(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, schemas.NetworkSpread)
    def get(self) -> Any:
        """Sites launched, active, at Good or better and Centres of Excellence, year by year"""
        return {"years": [asdict(year) for year in network_spread(date.today())]}
