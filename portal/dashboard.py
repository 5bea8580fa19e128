"""The network dashboard: the whole network at a glance, for every role."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from accounts.models import EVERY_ROLE
from core.web.access import allow
from programme.progress import STATUS_LABELS
from programme.queries import network_summary
from programme.reports.views import funded_page
from sites.returns.deadlines import this_months_return
from sites.returns.queries import returns_overview
from training.visits.queries import overdue_action_count

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    if current_user.role == "funder":  # issue 7: a funder lands on "Programmes you fund"
        return funded_page(current_user._get_current_object())
    today = date.today()
    summary = network_summary(today)
    due = this_months_return(today)
    returns = None
    if current_user.role == "site_lead":  # their own sites' return, first
        returns = returns_overview(current_user._get_current_object(), [due], per_page=20)
    overdue_actions = None  # issue 6: open actions past their due date, for those who act on them
    if current_user.role in ("admin", "trainer"):
        overdue_actions = overdue_action_count(current_user._get_current_object(), today)
    return render_template(
        "dashboard/index.html",
        summary=summary,
        labels=STATUS_LABELS,
        due=due,
        returns=returns,
        overdue_actions=overdue_actions,
    )
