"""A naive programme page, kept only as the benchmark's baseline: the same template and the same
numbers, worked out the way an ORM loop does it, with queries per site (the site, its returns,
its latest review) and the sums in Python. The app never uses this.

Render it inside a request context with a user logged in (see bench.scenarios).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import render_template

from core import months
from core.extensions import db
from programme.charts import progress_chart
from programme.completeness.queries import programme_completeness
from programme.figures import SiteFigures
from programme.late_returns import last_due_month, late_window
from programme.models import PARTICIPATION_ROLES, Programme
from programme.progress import STATUS_LABELS, programme_progress
from programme.queries import leadership
from sites.models import RETURN_COUNTS, MonthlyReturn
from sites.outcomes import (
    OutcomeTotals,
    chosen_period,
    outcome_rates,
    period_choices,
    sustainment_base_months,
    with_choice,
)
from sites.returns import deadlines
from sites.returns.workflow import COUNTED, Status
from training.fidelity.scale import BANDS
from training.fidelity.scoring import band_for
from training.models import FidelityReview

SUBMITTED = Status.SUBMITTED  # a counted return awaiting approval


def _totals(returns: list[MonthlyReturn], first: date, last: date) -> OutcomeTotals:
    base = sustainment_base_months(first, last)
    in_period = [r for r in returns if first <= r.month <= last]
    in_base = [r for r in returns if base and base[0] <= r.month <= base[1]]
    return OutcomeTotals(
        **{name: sum(getattr(r, name) or 0 for r in in_period) for name in RETURN_COUNTS},
        employment_specialists_fte=sum(
            (r.employment_specialists_fte or Decimal(0) for r in in_period), Decimal(0)
        ),
        months_reported=len(in_period),
        job_starts_three_months_earlier=sum(r.job_starts or 0 for r in in_base),
        job_starts_awaiting_approval=sum(
            r.job_starts or 0 for r in in_period if r.status == SUBMITTED
        ),
    )


def naive_programme_context(programme_id: int, today: date) -> dict[str, Any]:
    """The programme page's template context, one site at a time."""
    programme = db.session.get(Programme, programme_id)
    due = last_due_month(today)
    period, period_error = chosen_period(None, today)
    monthly: Counter[date] = Counter()
    awaiting: Counter[date] = Counter()
    sites, site_rates, fidelity = [], {}, {}
    for p in programme.participations:  # one query, then one or more per site
        site = p.site
        organisation = site.organisation
        returns = db.session.scalars(
            sa.select(MonthlyReturn).where(
                MonthlyReturn.site_id == site.id, MonthlyReturn.status.in_(COUNTED)
            )
        ).all()
        inside = [
            r
            for r in returns
            if r.month >= months.month_start(p.joined_on)
            and (p.left_on is None or r.month <= p.left_on)
            and months.month_start(programme.starts_on) <= r.month <= programme.ends_on
        ]
        counted = [r for r in inside if r.month <= today]
        for r in counted:
            monthly[r.month] += r.job_starts or 0
            if r.status == SUBMITTED:
                awaiting[r.month] += r.job_starts or 0
        first, last = late_window(
            p.joined_on,
            p.left_on,
            programme.starts_on,
            programme.ends_on,
            site.launched_on,
            site.closed_on,
            due,
        )
        sent = {r.month for r in inside if first <= r.month <= last}
        sites.append(
            SiteFigures(
                site_id=site.id,
                name=site.name,
                organisation=organisation.name,
                region=site.region,
                joined_on=p.joined_on,
                left_on=p.left_on,
                site_target=p.site_target,
                job_starts=sum(r.job_starts or 0 for r in counted),
                late_returns=max(0, deadlines.months_owed([(first, last)]) - len(sent)),
                awaiting_approval=sum(r.job_starts or 0 for r in counted if r.status == SUBMITTED),
                role=p.role,
            )
        )
        site_rates[site.id] = outcome_rates(_totals(list(returns), period.first, period.last))
        latest = db.session.scalars(
            sa.select(FidelityReview)
            .where(FidelityReview.site_id == site.id, FidelityReview.status == "final")
            .order_by(FidelityReview.reviewed_on.desc(), FidelityReview.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.total is not None:
            fidelity[site.id] = {
                "reviewed_on": latest.reviewed_on,
                "total": latest.total,
                "band": band_for(latest.total),
            }
    sites.sort(key=lambda s: (s.name, s.joined_on))
    profile = {t.month: t.cumulative for t in programme.target_profile} or None
    progress = programme_progress(
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        target=programme.job_start_target,
        monthly_job_starts=dict(monthly),
        on=today,
        profile=profile,
        monthly_awaiting=dict(awaiting),
    )
    return {
        "programme": programme,
        "progress": progress,
        "sites": sites,
        "period": period,
        "period_error": period_error,
        "periods": with_choice(period_choices(today, programme.starts_on.year), period),
        "site_rates": site_rates,
        "fidelity": fidelity,
        "bands": BANDS,
        "labels": STATUS_LABELS,
        "chart": progress_chart(programme, progress, today),
        "late_total": sum(s.late_returns for s in sites),
        "approved_only": False,
        "roles": PARTICIPATION_ROLES,
        "leadership": leadership(programme),
        # Reporting completeness (issue 16): the app's own two queries, so the page renders.
        "completeness": programme_completeness(programme.id, period.first, period.last, today),
        "today": today,
        "remaining_days": max((programme.ends_on - today).days, 0),
    }


def naive_programme_page(programme_id: int, today: date) -> str:
    return render_template("programme/detail.html", **naive_programme_context(programme_id, today))
