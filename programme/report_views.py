"""Funders and publication: programmes a funder pays for, printable programme reports, the map."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
