"""The `admin` blueprint (url_prefix /admin), on its own so that each page's module can attach
its routes without importing `views`, which imports them all."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
