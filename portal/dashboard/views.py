"""Each role's home (what needs the user today; "Programmes you fund" for a funder), the network's
figures, and a trainer's sites (My sites)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from core.web.access import allow
from portal.dashboard.queries import my_sites, site_lead_tasks, staff_tasks, trainer_tasks
from programme.figures import network_summary
from programme.late_returns import late_returns
from programme.progress import STATUS_LABELS
from programme.reports.funded import funded_page
from sites.returns.workflow import counted_statuses
from training.visits.forms import TrainerChoiceForm, chosen_trainer, display_labels
from training.visits.queries import trainer_options

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    """Each role's home is what needs them today; a funder's is "Programmes you fund"."""
    user = current_account()
    today = date.today()
    if user.role == "funder":
        return funded_page(user)
    if user.role == "site_lead":
        return render_template(
            "dashboard/site_lead.html", tasks=site_lead_tasks(user, today), today=today
        )
    if user.role == "trainer":
        return render_template(
            "dashboard/trainer.html", tasks=trainer_tasks(user, today), today=today
        )
    return render_template(
        "dashboard/staff.html", tasks=staff_tasks(user, today), labels=STATUS_LABELS, today=today
    )


@bp.route("/network")
@allow(*EVERY_ROLE)
def network() -> Any:
    """The network's figures today: sites, Centres, job starts, late returns, programmes."""
    today = date.today()
    summary = network_summary(today, counted_statuses(current_account().role))
    return render_template(
        "dashboard/network.html", summary=summary, labels=STATUS_LABELS, today=today
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
