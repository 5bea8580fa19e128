"""The Centres of Excellence page: each Centre now with its award history, next re-review (flagged
when it passed unrenewed), the trainers it hosts and the sites it mentors now; and, for programme
staff and trainers, the sites eligible to be invited. Every role reads it; funders do not see
trainers' names (staff names). Reads are training/centres/queries.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template

from accounts.current import current_account
from accounts.models import EVERY_ROLE, User
from accounts.scopes import site_scope
from core.extensions import db
from core.paging import page_href, page_number
from core.web.access import allow
from sites.models import REGIONS, Site
from training.centres.queries import centres_now, eligible_sites
from training.fidelity.scale import BANDS
from training.fidelity.scoring import band_of_total

bp = Blueprint("centres", __name__)

INVITERS = ("admin", "trainer")  # who sees the sites eligible to be invited
PER_PAGE = 50


def readable_site_ids(user: User, site_ids: Iterable[int]) -> set[int]:
    """Those of `site_ids` whose page `user` may open, to link only those: one query (none for
    programme staff, who read every site)."""
    wanted = set(site_ids)
    scope = site_scope(user)
    if scope is None or not wanted:
        return wanted
    return set(
        db.session.scalars(sa.select(Site.id).where(Site.id.in_(wanted), Site.id.in_(scope)))
    )


@bp.route("/centres")
@allow(*EVERY_ROLE)
def index() -> Any:
    user = current_account()
    today = date.today()
    centres = centres_now(today)
    eligible = eligible_sites(today, page_number(), PER_PAGE) if user.role in INVITERS else None
    shown = [centre.site_id for centre in centres]
    shown += [mentee.site_id for centre in centres for mentee in centre.mentees]
    shown += [row.site_id for row in eligible.rows] if eligible else []
    return render_template(
        "training/centres/index.html",
        centres=centres,
        eligible=eligible,
        linked=readable_site_ids(user, shown),
        show_trainers=user.role != "funder",
        regions=REGIONS,
        bands=BANDS,
        band_of=band_of_total,
        first_page=page_href("centres.index", 1),
        today=today,
    )
