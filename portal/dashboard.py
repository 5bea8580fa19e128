"""The network dashboard: the whole network at a glance, for every role."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import EVERY_ROLE, allow
from programme.progress import STATUS_LABELS
from programme.queries import network_summary
from sites.deadlines import this_months_return
from sites.return_queries import returns_overview

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    today = date.today()
    summary = network_summary(today)
    due = this_months_return(today)
    returns = None
    if current_user.role == "site_lead":  # their own sites' return, first
        returns = returns_overview(current_user._get_current_object(), [due], per_page=20)
    return render_template(
        "dashboard/index.html", summary=summary, labels=STATUS_LABELS, due=due, returns=returns
    )
