"""The network dashboard: the whole network at a glance, for every role."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template

from portal.access import EVERY_ROLE, allow
from programme.progress import STATUS_LABELS
from programme.queries import network_summary

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    summary = network_summary(date.today())
    return render_template("dashboard/index.html", summary=summary, labels=STATUS_LABELS)
