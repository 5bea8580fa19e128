"""A site with a submitted return, and the people around it: programme staff, the site's lead,
its assigned trainer, a trainer of another site, a lead of another site and a funder of its
programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from accounts.models import User
from sites.models import MonthlyReturn, Site

MONTH = date(2020, 3, 1)
MONTH_SLUG = "2020-03"


@dataclass
class World:
    site: Site
    monthly_return: MonthlyReturn
    admin: User
    lead: User
    trainer: User
    other_trainer: User
    other_lead: User
    funder: User

    @property
    def queries_url(self) -> str:
        return f"/api/v1/sites/{self.site.id}/returns/{MONTH_SLUG}/queries"

    @property
    def page_url(self) -> str:
        return f"/sites/{self.site.id}/returns/{MONTH_SLUG}/queries"

    @property
    def return_url(self) -> str:
        return f"/sites/{self.site.id}/returns/{MONTH_SLUG}"


@pytest.fixture
def world(make) -> World:
    funder = make.funder()
    programme = make.programme(funder=funder)
    site = make.site(name="Bradford IPS")
    other_site = make.site()
    make.participation(programme, site)
    monthly_return = make.monthly_return(site, MONTH)
    return World(
        site=site,
        monthly_return=monthly_return,
        admin=make.user("admin", name="Pat Staff"),
        lead=make.user("site_lead", sites=[site], name="Lee Lead"),
        trainer=make.user("trainer", sites=[site], name="Tess Trainer"),
        other_trainer=make.user("trainer", sites=[other_site]),
        other_lead=make.user("site_lead", sites=[other_site]),
        funder=make.user("funder", funder=funder),
    )


def raised(world: World, by: User | None = None, figure: str | None = "job_starts", **kw: Any):
    """A query raised through the service, committed."""
    from flask import current_app

    from core.extensions import db
    from sites.returns.questions.services import raise_query

    with current_app.test_request_context():
        query = raise_query(
            by or world.trainer, world.monthly_return, figure, kw.get("text", "High?")
        )
        db.session.commit()
    return query
