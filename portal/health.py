from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify

from core.extensions import db
from core.web.access import public

bp = Blueprint("health", __name__)


@bp.route("/health")
@public
def health() -> Any:
    db.session.execute(sa.select(1))
    return jsonify({"status": "ok"})
