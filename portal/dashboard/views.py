"""Each role's home: the network dashboard for staff, trainers and site leads, "Programmes you
fund" for a funder, and a trainer's sites (My sites)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from core.web.access import allow
from portal.dashboard.queries import my_sites
from programme.figures import network_summary
from programme.late_returns import late_returns
from programme.progress import STATUS_LABELS
from programme.reports.funded import funded_page
from sites.returns.deadlines import this_months_return
from sites.returns.queries import returns_overview
from training.visits.forms import TrainerChoiceForm, chosen_trainer, display_labels
from training.visits.queries import overdue_action_count, trainer_options

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    if current_user.role == "funder":  # issue 7: a funder lands on "Programmes you fund"
        return funded_page(current_account())
    today = date.today()
    summary = network_summary(today)
    due = this_months_return(today)
    returns = None
    if current_user.role == "site_lead":  # their own sites' return, first
        returns = returns_overview(current_account(), [due], today, per_page=20)
    overdue_actions = None  # issue 6: open actions past their due date, for those who act on them
    if current_user.role in ("admin", "trainer"):
        overdue_actions = overdue_action_count(current_account(), today)
    return render_template(
        "dashboard/index.html",
        summary=summary,
        labels=STATUS_LABELS,
        due=due,
        returns=returns,
        overdue_actions=overdue_actions,
    )


@bp.route("/my-sites", endpoint="my_sites")
@allow("admin", "trainer")
def my_sites_page() -> Any:
    user = current_account()
    today = date.today()
    trainer, unknown = chosen_trainer(user, request.args)
    chooser = None
    if user.role == "admin":
        chooser = TrainerChoiceForm(formdata=request.args)
        chooser.set_trainers(trainer_options())
        if unknown:
            chooser.trainer_id.errors = ["Choose a trainer from the list"]
    rows = my_sites(trainer.id, today) if trainer else []
    late = late_returns(today, site_ids=[row.site_id for row in rows]) if rows else {}
    rows = [replace(row, late_returns=late.get(row.site_id, 0)) for row in rows]
    return render_template(
        "dashboard/my_sites.html",
        trainer=trainer,
        own=trainer is not None and trainer.id == user.id,
        chooser=chooser,
        rows=rows,
        open_actions=sum(row.open_actions for row in rows),
        overdue_actions=sum(row.overdue_actions for row in rows),
        here=request.full_path.rstrip("?"),
        **display_labels(),
    )
