"""Does mentoring work: a page for programme staff and trainers (it names sites and their rates
across the network; funders are not shown it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template

from core.web.access import allow
from sites.outcomes import last_12_months
from training.fidelity.scale import BANDS
from training.fidelity.scoring import band_of_total
from training.mentoring_effect import rules
from training.mentoring_effect.charts import employment_funnel_chart
from training.mentoring_effect.queries import employment_funnel, mentored_sites

bp = Blueprint("mentoring_effect", __name__)


@bp.route("/network/mentoring")
@allow("admin", "trainer")
def index() -> Any:
    today = date.today()
    funnel = employment_funnel(last_12_months(today))
    return render_template(
        "training/mentoring_effect/index.html",
        mentored=mentored_sites(today),
        funnel=funnel,
        chart=employment_funnel_chart(funnel) if funnel.sites else None,
        window_months=rules.WINDOW_MONTHS,
        z_95=rules.Z_95,
        z_998=rules.Z_998,
        band_of=band_of_total,
        bands=BANDS,
    )
