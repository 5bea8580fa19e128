from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify

from portal.access import public
from portal.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/health")
@public
def health() -> Any:
    db.session.execute(sa.select(1))
    return jsonify({"status": "ok"})
