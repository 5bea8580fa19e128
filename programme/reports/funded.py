""" "Programmes you fund": a funder's programmes with their progress, charts and late returns. Both
the reports blueprint (/funded) and a funder's home page (/) draw it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from accounts.scopes import programme_scope, site_scope
from core.extensions import db
from programme import late_returns, queries
from programme.charts import progress_chart
from programme.models import Funder, Programme
from programme.progress import STATUS_LABELS
from sites.returns.workflow import COUNTED_FOR_FUNDERS


def funded_programmes(user: User, funder_id: int | None) -> list[Programme]:
    """The programmes `user` funds (a funder), or those of `funder_id` (admin; None: all), newest
    first, with their funder and target profile loaded: two queries, however many."""
    query = (
        sa.select(Programme)
        .options(joinedload(Programme.funder), selectinload(Programme.target_profile))
        .order_by(Programme.starts_on.desc(), Programme.name, Programme.id)
    )
    scope = programme_scope(user)
    if scope is not None:
        query = query.where(Programme.id.in_(scope))
    if funder_id is not None:
        query = query.where(Programme.funder_id == funder_id)
    return list(db.session.scalars(query).unique())


def funded_page(user: User, funder: Funder | None = None) -> str:
    """The "Programmes you fund" page: each programme's progress and chart, and the returns its
    sites owe. A funder sees its own; admin sees `funder`'s, or every programme. The figures are
    the funder's, whoever reads them: approved returns only. A fixed number of queries, however
    many programmes."""
    today = date.today()
    programmes = funded_programmes(user, funder.id if funder else None)
    progress = queries.progress_of(programmes, today, COUNTED_FOR_FUNDERS)
    programme_ids = programme_scope(user)
    if funder is not None:
        programme_ids = sa.select(Programme.id).where(Programme.funder_id == funder.id)
    late = late_returns.late_return_months(
        today, site_ids=site_scope(user), programme_ids=programme_ids
    )
    funders = None
    if user.role == "admin":
        funders = db.session.execute(sa.select(Funder.id, Funder.name).order_by(Funder.name)).all()
    return render_template(
        "programme/reports/funded.html",
        programmes=programmes,
        progress=progress,
        figures={
            p.id: progress_chart(p, progress[p.id], today, approved_only=True) for p in programmes
        },
        labels=STATUS_LABELS,
        funder=funder,
        funders=funders,
        achieved=sum(p.achieved for p in progress.values()),
        late_months=sum(len(site.months) for site in late),
        late_sites=len(late),
        today=today,
    )
