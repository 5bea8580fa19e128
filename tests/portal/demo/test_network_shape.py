"""The demo network's shape (portal/demo/mentoring.py): who leads, partners and takes part in
which role; who mentored whom; where the trainers work; the reviews due, the Centre past its
re-review date, the site drifting on caseload and the reviews scheduled."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.models import User
from core.extensions import db as _db
from core.months import add_months, month_start
from portal.demo.mentoring import CENTRE_REVIEWER
from programme.models import Participation, Programme, ProgrammePartner
from sites.models import Designation, Mentoring, MonthlyReturn, Organisation, Site
from tests.conftest import empty_database
from training.centres.rules import Award, current_award, passed_unrenewed, re_review_due
from training.fidelity.indicators.rules import caseload_item_score
from training.fidelity.queries import latest_final_reviews, reviews_due
from training.models import FidelityScore, ScheduledReview, TrainerRegion, Visit

TODAY = date.today()


@pytest.fixture(scope="class")
def demo(app):
    """One load of the demo for the class's read-only tests, emptied after it."""
    from portal.demo import load

    with app.app_context():
        empty_database()
        load()
        _db.session.commit()
        yield _db.session
        empty_database()
        _db.session.remove()


def named(session, model, name):
    return session.scalar(sa.select(model).where(model.name == name))


class TestTheNetworksShape:
    def test_who_leads_and_partners_each_programme(self, demo):
        leads = dict(
            demo.execute(
                sa.select(Programme.name, Organisation.name).join(
                    Organisation, Organisation.id == Programme.lead_organisation_id
                )
            ).all()
        )
        charity = "Centre for Mental Health"
        assert leads["Sussex regional trainer pilot"] == leads["Making IPS Work"] == charity
        assert leads["Improve"] == leads["Improve 2"] == "Enable"
        partners = demo.execute(
            sa.select(Programme.name, Organisation.name)
            .join(ProgrammePartner, ProgrammePartner.programme_id == Programme.id)
            .join(Organisation, Organisation.id == ProgrammePartner.organisation_id)
        ).all()
        assert ("Improve", charity) in partners

    def test_roles_in_programmes(self, demo):
        roles = demo.execute(
            sa.select(Programme.name, Site.name, Participation.role)
            .join(Programme)
            .join(Site, Site.id == Participation.site_id)
        ).all()
        by_role = {(programme, site): role for programme, site, role in roles}
        assert by_role[("Making IPS Work", "Bradford IPS service")] == "pilot"
        assert by_role[("Making IPS Work", "Devon IPS service")] == "new_service"
        assert by_role[("IPS Centres of Excellence network", "Enable IPS service")] == "mentor"
        assert {role for _, _, role in roles} == {"pilot", "new_service", "mentor"}

    def test_who_mentored_whom(self, demo):
        mentor, mentee = aliased(Site), aliased(Site)
        rows = demo.execute(
            sa.select(mentor.name, mentee.name, Mentoring.starts_on, Mentoring.ends_on)
            .join(mentor, mentor.id == Mentoring.mentor_site_id)
            .join(mentee, mentee.id == Mentoring.mentee_site_id)
        ).all()
        by_mentor: dict[str, set[str]] = {}
        for mentor_name, mentee_name, _, _ in rows:
            by_mentor.setdefault(mentor_name, set()).add(mentee_name)
        pilot = set(
            demo.scalars(
                sa.select(Site.name)
                .join(Participation, Participation.site_id == Site.id)
                .join(Programme)
                .where(Programme.name == "Sussex regional trainer pilot")
            )
        )
        assert by_mentor["Sussex Partnership IPS service"] == pilot and len(pilot) == 4
        improve = set(
            demo.scalars(
                sa.select(Site.name)
                .join(Participation, Participation.site_id == Site.id)
                .join(Programme)
                .where(Programme.name == "Improve")
            )
        )
        assert improve <= by_mentor["Enable IPS service"]
        # Bradford, pilot site from April 2015 and Centre from 2016, mentored a later site.
        (cntw,) = by_mentor["Bradford IPS service"]
        assert named(demo, Site, cntw).launched_on > date(2016, 1, 1)
        # And a mentee mentors in turn.
        assert by_mentor["Walsall IPS team"] == {"Stoke-on-Trent IPS team"}
        assert all(ends is None or starts <= ends for _, _, starts, ends in rows)

    def test_the_sussex_centre_hosted_the_first_trainer_and_bradford_hosts_todays(self, demo):
        sussex = named(demo, Site, "Sussex Partnership IPS service")
        bradford = named(demo, Site, "Bradford IPS service")
        awards = demo.scalars(sa.select(Designation).where(Designation.site_id == sussex.id)).all()
        assert [a.awarded_on.year for a in awards] == [2011]
        hosts = dict(
            demo.execute(
                sa.select(User.email, User.organisation_id).where(User.role == "trainer")
            ).all()
        )
        assert hosts["trainer.south@demo.ips.example"] == sussex.organisation_id
        assert hosts["trainer@demo.ips.example"] == bradford.organisation_id
        first_visits = demo.scalar(
            sa.select(sa.func.min(Visit.visited_on))
            .join(User, User.id == Visit.trainer_id)
            .where(User.email == "trainer.south@demo.ips.example")
        )
        assert first_visits.year == 2012
        regions = demo.execute(
            sa.select(User.email, TrainerRegion.region).join(
                TrainerRegion, TrainerRegion.user_id == User.id
            )
        ).all()
        assert ("trainer@demo.ips.example", "north-east-and-yorkshire") in regions
        assert len({email for email, _ in regions}) == 2

    def test_one_centre_is_past_its_re_review_date_and_reviews_are_overdue(self, demo):
        awards: dict[int, list[Award]] = {}
        for site_id, awarded_on, ended_on in demo.execute(
            sa.select(Designation.site_id, Designation.awarded_on, Designation.ended_on)
        ):
            awards.setdefault(site_id, []).append(Award(awarded_on, ended_on))
        latest = latest_final_reviews()
        reviewed = dict(demo.execute(sa.select(latest.c.site_id, latest.c.reviewed_on)).all())
        past = []
        for site_id, held in awards.items():
            award = current_award(held, TODAY)
            if award is None:
                continue
            due = re_review_due(awarded_on=award.awarded_on, latest_review_on=reviewed.get(site_id))
            if passed_unrenewed(due=due, latest_review_on=reviewed.get(site_id), today=TODAY):
                past.append(demo.get(Site, site_id).name)
        assert past == ["Bradford IPS service"]
        overdue = [r for r in reviews_due(None, TODAY, by=TODAY) if r.overdue(TODAY)]
        assert len(overdue) >= 3

    def test_one_site_drifts_on_caseload(self, demo):
        since = add_months(month_start(TODAY), -3)
        recent = demo.execute(
            sa.select(
                MonthlyReturn.site_id,
                sa.func.sum(MonthlyReturn.caseload),
                sa.func.sum(MonthlyReturn.employment_specialists_fte),
            )
            .where(
                MonthlyReturn.month >= since, MonthlyReturn.status.in_(["submitted", "approved"])
            )
            .group_by(MonthlyReturn.site_id)
        ).all()
        latest = latest_final_reviews()
        item_1 = dict(
            demo.execute(
                sa.select(latest.c.site_id, FidelityScore.score)
                .join(FidelityScore, FidelityScore.review_id == latest.c.id)
                .where(FidelityScore.item == 1)
            ).all()
        )
        drifting = [
            demo.get(Site, site_id).name
            for site_id, caseload, fte in recent
            if site_id in item_1 and caseload_item_score(caseload / fte) < item_1[site_id]
        ]
        assert drifting == ["Coventry IPS team"]

    def test_reviews_are_scheduled_with_two_reviewers_of_the_pool(self, demo):
        booked = demo.scalars(sa.select(ScheduledReview).order_by(ScheduledReview.planned_on)).all()
        assert len(booked) == 2
        past, coming = booked
        assert past.report_sent_on and past.action_plan_agreed_on is None and past.review_id
        assert coming.planned_on > TODAY and coming.site.name == "Coventry IPS team"
        reviewer = demo.scalar(sa.select(User).where(User.email == CENTRE_REVIEWER[0]))
        for review in booked:
            pair = {review.lead_reviewer_id, review.second_reviewer_id}
            assert reviewer.id in pair and len(pair) == 2
            # Neither reviewer works where the site is, nor at a site mentoring it now.
            mentors_now = set(
                demo.scalars(
                    sa.select(Site.organisation_id)
                    .join(Mentoring, Mentoring.mentor_site_id == Site.id)
                    .where(
                        Mentoring.mentee_site_id == review.site_id,
                        sa.or_(Mentoring.ends_on.is_(None), Mentoring.ends_on >= TODAY),
                    )
                )
            )
            for user_id in pair:
                works_at = demo.get(User, user_id).organisation_id
                assert works_at != review.site.organisation_id and works_at not in mentors_now
