"""The demo network (`flask demo load`, `demo logins`) and the account commands of portal/cli.py.

The demo's figures are checked by SQL of our own: sums of received (submitted or approved) returns
inside each site's participation and the programme's period must reproduce the public record, and
every return must obey the rules of the numbers. Returns older than the last two months are
approved; the last two await approval, but for one of Bradford's, sent back, and two queries.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays as bank_holidays
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.models import ApiToken, User
from accounts.services import user_for_token
from core.extensions import db as _db
from core.months import add_months, month_start
from core.working_days import last_due_month
from portal.demo import LOGINS
from programme.models import Participation, Programme
from sites.models import (
    SECTORS,
    MonthlyReturn,
    ReturnQuery,
    ReturnSector,
    ReturnStep,
    Site,
    UserSite,
)
from tests.conftest import empty_database
from training.fidelity import scoring
from training.models import Assignment, FidelityReview, FidelityScore

R = MonthlyReturn
TODAY = date.today()
RECEIVED = ["submitted", "approved"]


def invoke(app, args, input=None):
    """Runs a CLI command; it shares the test's app context, so its session too."""
    _db.session.rollback()
    return app.test_cli_runner().invoke(args=args, input=input)


def table_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


# --- Loading --------------------------------------------------------------------------------


def test_load_then_load_if_empty_adds_nothing(app, db):
    result = invoke(app, ["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo network" in result.output
    counts = table_counts()
    assert counts["site"] >= 18
    assert counts["monthly_return"] > 1000
    # and two without a login: the former trainer and a Centre's site lead in the reviewer pool
    assert counts["user_account"] == len(LOGINS) + 2

    again = invoke(app, ["demo", "load", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "not loaded again" in again.output
    assert table_counts() == counts

    refused = invoke(app, ["demo", "load"])
    assert refused.exit_code != 0
    assert "empty database" in refused.stderr
    assert table_counts() == counts


def in_programme(
    programme: str, *columns, sites: tuple[str, ...] = (), statuses: list[str] = RECEIVED
):
    """Sums of received returns inside the participation and the programme's period."""
    p, g = Participation, Programme
    query = (
        sa.select(*(sa.func.coalesce(sa.func.sum(c), 0) for c in columns))
        .select_from(R)
        .join(p, p.site_id == R.site_id)
        .join(g, g.id == p.programme_id)
        .join(Site, Site.id == R.site_id)
        .where(
            g.name == programme,
            R.status.in_(statuses),
            R.month >= g.starts_on,
            R.month <= g.ends_on,
            R.month >= p.joined_on,
            sa.or_(p.left_on.is_(None), R.month <= p.left_on),
        )
    )
    if sites:
        query = query.where(Site.name.in_(sites))
    return _db.session.execute(query).one()


def month_index(column):
    return sa.extract("year", column) * 12 + sa.extract("month", column)


def violations(*conditions, joins=()) -> int:
    query = sa.select(sa.func.count()).select_from(R)
    for target, on in joins:
        query = query.outerjoin(target, on)
    return _db.session.scalar(query.where(*conditions))


@pytest.fixture(scope="class")
def demo(app):
    """One load of the demo for a class of read-only tests, emptied after the class."""
    with app.app_context():
        empty_database()
        result = invoke(app, ["demo", "load"])
        assert result.exit_code == 0, result.output
        yield _db
        empty_database()
        _db.session.remove()


class TestTheDemoNetwork:
    """Read-only checks on one load of the demo per database backend."""

    def test_programme_and_participation_dates_start_on_a_first_of_the_month(self, demo):
        # So that `month >= joined_on` above is the same as "from the month of joining".
        days = [d.day for d in demo.session.scalars(sa.select(Programme.starts_on))]
        days += [d.day for d in demo.session.scalars(sa.select(Participation.joined_on))]
        assert set(days) == {1}

    def test_sums_reproduce_the_public_record(self, demo):
        assert in_programme("Sussex regional trainer pilot", R.job_starts) == (286,)
        assert (
            demo.session.scalar(
                sa.select(Programme.job_start_target).where(
                    Programme.name == "Sussex regional trainer pilot"
                )
            )
            == 125
        )

        bradford = ("Bradford IPS service",)
        first_three = (*bradford, "Berkshire IPS service", "Lincolnshire IPS service")
        job_starts, referrals = in_programme(
            "Making IPS Work", R.job_starts, R.referrals, sites=bradford
        )
        assert job_starts == 61
        assert referrals > 240
        assert in_programme("Making IPS Work", R.job_starts, sites=first_three) == (217,)
        site_targets = demo.session.scalar(
            sa.select(sa.func.sum(Participation.site_target))
            .join(Programme)
            .join(Site)
            .where(Programme.name == "Making IPS Work", Site.name.in_(first_three))
        )
        assert site_targets == 180
        making_ips_work = demo.session.scalar(
            sa.select(Programme).where(Programme.name == "Making IPS Work")
        )
        assert making_ips_work.job_start_target == 340
        assert making_ips_work.funder.name == "Department of Health"
        assert len(making_ips_work.participations) == 6
        assert making_ips_work.target_profile[-1].cumulative == 340

        network = "IPS Centres of Excellence network"
        assert in_programme(network, R.job_starts, sites=("CNTW IPS",)) == (149,)
        (blackpool,) = in_programme(network, R.job_starts, sites=("Blackpool Council IPS",))
        assert blackpool > 800

        improve = demo.session.scalar(sa.select(Programme).where(Programme.name == "Improve"))
        assert len(improve.participations) == 6

    def test_cntw_sustains_about_81_percent_of_job_starts(self, demo):
        earlier = aliased(R)
        sustained, eligible = demo.session.execute(
            sa.select(sa.func.sum(R.sustained_13_weeks), sa.func.sum(earlier.job_starts))
            .join(Site, Site.id == R.site_id)
            .join(
                earlier,
                sa.and_(
                    earlier.site_id == R.site_id,
                    month_index(earlier.month) == month_index(R.month) - 3,
                ),
            )
            .where(Site.name == "CNTW IPS", R.status.in_(RECEIVED), earlier.status.in_(RECEIVED))
        ).one()
        assert 0.79 <= sustained / eligible <= 0.83

    def test_centres_of_excellence_are_designated(self, demo):
        designated = set(demo.session.scalars(sa.select(Site.name).where(Site.designations.any())))
        assert {"Bradford IPS service", "Enable IPS service", "Worcestershire IPS"} <= designated
        bradford = demo.session.scalar(sa.select(Site).where(Site.name == "Bradford IPS service"))
        assert bradford.launched_on == date(2015, 4, 1)
        assert [d.awarded_on for d in bradford.designations] == [date(2016, 10, 1)]

    def test_every_return_obeys_the_rules(self, demo):
        counts = [
            getattr(R, name)
            for name in (
                "referrals",
                "caseload",
                "new_to_service",
                "first_contact_within_4_weeks",
                "job_starts",
                "in_work",
                "sustained_13_weeks",
                "discharges",
            )
        ]
        assert violations(sa.or_(*(c < 0 for c in counts), R.employment_specialists_fte <= 0)) == 0
        assert violations(R.month >= TODAY.replace(day=1)) == 0  # only months that have ended
        assert violations(sa.extract("day", R.month) != 1) == 0
        assert violations(R.in_work > R.caseload) == 0
        assert violations(R.first_contact_within_4_weeks > R.new_to_service) == 0
        assert violations(R.job_starts > R.caseload) == 0
        # Within IPS's 20 per specialist, but for Coventry's last 3 months (fidelity drift).
        drifting = sa.and_(
            R.site_id
            == sa.select(Site.id).where(Site.name == "Coventry IPS team").scalar_subquery(),
            R.month >= add_months(month_start(TODAY), -3),
        )
        assert violations(R.caseload > 20 * R.employment_specialists_fte, ~drifting) == 0
        assert violations(R.caseload < 26 * R.employment_specialists_fte, drifting) == 0
        assert violations(R.caseload < 15 * R.employment_specialists_fte) == 0
        earlier = aliased(R)
        assert (
            violations(
                R.sustained_13_weeks > sa.func.coalesce(earlier.job_starts, 0),
                joins=[
                    (
                        earlier,
                        sa.and_(
                            earlier.site_id == R.site_id,
                            month_index(earlier.month) == month_index(R.month) - 3,
                        ),
                    )
                ],
            )
            == 0
        )
        assert violations(R.status.not_in(["draft", "submitted", "returned", "approved"])) == 0
        assert violations(R.status != "draft", R.submitted_at.is_(None)) == 0
        assert violations(R.status != "draft", R.first_submitted_at != R.submitted_at) == 0
        assert violations(R.status == "draft", R.first_submitted_at.is_not(None)) == 0

    def test_returns_are_approved_but_the_last_two_months(self, demo):
        awaiting_from = add_months(month_start(TODAY), -2)
        admin = demo.session.scalar(sa.select(User).where(User.email == LOGINS[0][1]))
        assert violations(R.month < awaiting_from, R.status == "submitted") == 0
        assert violations(R.month >= awaiting_from, R.status == "approved") == 0
        assert (
            violations(
                R.status == "approved",
                sa.or_(
                    R.approved_at.is_(None),
                    R.approved_at < R.submitted_at,
                    R.approved_by_id.is_distinct_from(admin.id),
                ),
            )
            == 0
        )
        assert violations(R.status != "approved", R.approved_at.is_not(None)) == 0
        # Each approved return has one step in its history: the demo admin's approval.
        approved = violations(R.status == "approved")
        assert approved > 1000
        steps = demo.session.execute(
            sa.select(ReturnStep.move, ReturnStep.status, ReturnStep.actor_id, sa.func.count())
            .join(R, R.id == ReturnStep.return_id)
            .where(R.status == "approved", ReturnStep.created_at == R.approved_at)
            .group_by(ReturnStep.move, ReturnStep.status, ReturnStep.actor_id)
        ).all()
        assert steps == [("approve", "approved", admin.id, approved)]
        # Funders count approved returns only: every programme has them.
        for (programme,) in demo.session.execute(sa.select(Programme.name)):
            (job_starts,) = in_programme(programme, R.job_starts, statuses=["approved"])
            assert job_starts > 0, programme

    def test_bradford_has_a_return_sent_back_and_queries_on_another(self, demo):
        last_ended = add_months(month_start(TODAY), -1)
        bradford = sa.select(Site.id).where(Site.name == "Bradford IPS service").scalar_subquery()
        recent = dict(
            demo.session.execute(
                sa.select(R.month, R).where(
                    R.site_id == bradford, R.month >= add_months(last_ended, -1)
                )
            ).all()
        )
        sent_back, queried = recent[last_ended], recent[add_months(last_ended, -1)]
        assert (sent_back.status, queried.status) == ("returned", "submitted")
        assert violations(R.status == "returned") == 1
        (step,) = demo.session.scalars(
            sa.select(ReturnStep).where(ReturnStep.return_id == sent_back.id)
        )
        assert (step.move, step.status, step.actor.role) == ("send_back", "returned", "admin")
        assert step.reason and len(step.reason) > 20
        assert step.created_at >= sent_back.submitted_at

        queries = demo.session.scalars(
            sa.select(ReturnQuery).order_by(ReturnQuery.status.desc())
        ).all()
        assert [(q.return_id, q.status, len(q.answers)) for q in queries] == [
            (queried.id, "open", 0),
            (queried.id, "closed", 1),
        ]
        unanswered, answered = queries
        assert unanswered.figure == "job_starts" and unanswered.raised_by.role == "trainer"
        assert answered.closed_at is not None
        assert answered.answers[0].answered_by.email == LOGINS[2][1]

    def test_fidelity_reviews_match_the_public_record(self, demo):
        def totals(site_name: str, before: date | None = None) -> list[int]:
            query = (
                sa.select(FidelityReview.total)
                .join(Site, Site.id == FidelityReview.site_id)
                .where(Site.name == site_name, FidelityReview.status == "final")
                .order_by(FidelityReview.reviewed_on)
            )
            if before:
                query = query.where(FidelityReview.reviewed_on < before)
            return list(demo.session.scalars(query))

        worcestershire = totals("Worcestershire IPS")
        assert worcestershire[-1] == 118
        assert [scoring.band_for(t) for t in worcestershire] == ["exemplary"] * 3
        assert scoring.band_for(totals("Blackpool Council IPS")[-1]) == "exemplary"
        before_award = totals("Bradford IPS service", before=date(2016, 10, 1))
        assert scoring.band_for(before_award[-1]) == "good"
        assert len(before_award) >= 2, "a trajectory, not one review"

    def test_every_review_total_is_the_sum_of_its_25_scores(self, demo):
        per_review = demo.session.execute(
            sa.select(
                FidelityReview.total,
                sa.func.sum(FidelityScore.score),
                sa.func.count(FidelityScore.id),
                sa.func.min(FidelityScore.score),
                sa.func.max(FidelityScore.score),
            )
            .join(FidelityScore, FidelityScore.review_id == FidelityReview.id)
            .group_by(FidelityReview.id, FidelityReview.total)
        ).all()
        assert len(per_review) >= 40
        for total, summed, count, lowest, highest in per_review:
            assert (total, count) == (summed, 25)
            assert lowest >= 1 and highest <= 5

    def test_sector_counts_sum_to_job_starts(self, demo):
        by_return = (
            sa.select(ReturnSector.return_id, sa.func.sum(ReturnSector.job_starts).label("total"))
            .group_by(ReturnSector.return_id)
            .subquery()
        )
        assert (
            violations(
                sa.func.coalesce(by_return.c.total, 0) != R.job_starts,
                joins=[(by_return, by_return.c.return_id == R.id)],
            )
            == 0
        )
        assert (
            demo.session.scalar(
                sa.select(sa.func.count()).where(ReturnSector.sector.not_in(list(SECTORS)))
            )
            == 0
        )
        assert (
            demo.session.scalar(sa.select(sa.func.count()).where(ReturnSector.job_starts <= 0)) == 0
        )

    def test_returns_run_without_gaps_and_only_the_latest_may_be_late(self, demo):
        first, last, n = (sa.func.min(R.month), sa.func.max(R.month), sa.func.count(R.id))
        for site, lo, hi, count in demo.session.execute(
            sa.select(R.site_id, first, last, n).group_by(R.site_id)
        ):
            lo, hi = (date.fromisoformat(str(d)) for d in (lo, hi))
            assert count == (hi.year - lo.year) * 12 + hi.month - lo.month + 1, site
        latest = (
            sa.select(R.site_id, sa.func.max(R.month).label("month")).group_by(R.site_id).subquery()
        )
        drafts = demo.session.execute(
            sa.select(R.month, latest.c.month)
            .join(latest, latest.c.site_id == R.site_id)
            .where(R.status == "draft")
        ).all()
        assert drafts and all(month == newest for month, newest in drafts)

        years = range(TODAY.year - 1, TODAY.year + 1)
        due = last_due_month(
            TODAY, frozenset(bank_holidays.country_holidays("GB", subdiv="ENG", years=years))
        )
        submitted_due = sa.select(R.id).where(
            R.site_id == Participation.site_id, R.month == due, R.status.in_(RECEIVED)
        )
        late_sites = demo.session.scalars(
            sa.select(Participation.site_id)
            .distinct()
            .join(Programme)
            .where(
                Programme.starts_on <= due,
                Programme.ends_on >= TODAY,
                Participation.joined_on <= due,
                ~submitted_due.exists(),
            )
        ).all()
        assert len(late_sites) >= 2

    def test_demo_users_are_roles_not_people_and_are_scoped(self, demo):
        emails = [email for _, email, _ in LOGINS]
        users = {
            u.role: u for u in demo.session.scalars(sa.select(User).where(User.email.in_(emails)))
        }
        assert (
            set(users)
            == {role for role, _, _ in LOGINS}
            == {"admin", "trainer", "site_lead", "funder"}
        )
        for role, email, password in LOGINS:
            assert users[role].email == email
            assert email.endswith("@demo.ips.example")
            assert len(password) >= 10
            assert users[role].check_password(password)
            assert "(demo)" in users[role].name
        assert [s.name for s in users["site_lead"].sites] == ["Bradford IPS service"]
        assert users["funder"].funder.name == "Department of Health"
        assignments = demo.session.scalars(
            sa.select(Assignment).where(Assignment.user_id == users["trainer"].id)
        ).all()
        assert 4 <= len(assignments) <= 6
        assert "Bradford IPS service" in {a.site.name for a in assignments}
        assert all(
            a.ends_on is None and a.starts_on <= TODAY - timedelta(days=365) for a in assignments
        )

    def test_trainers_visits_and_actions_span_years_with_some_overdue(self, demo):
        from portal.demo import FORMER_TRAINER, TRAINER_SITES
        from training.models import Action, Visit

        trainer = demo.session.scalar(
            sa.select(User).where(User.email == "trainer@demo.ips.example")
        )
        former = demo.session.scalar(sa.select(User).where(User.email == FORMER_TRAINER[0]))
        assert (former.name, former.role, former.active) == (
            "Regional trainer, South (demo)",
            "trainer",
            False,
        )
        former_assignments = demo.session.scalars(
            sa.select(Assignment).where(Assignment.user_id == former.id)
        ).all()
        assert len(former_assignments) >= 4
        assert all(a.ends_on is not None and a.ends_on < TODAY for a in former_assignments)

        def visit_years(user):
            return set(
                demo.session.scalars(
                    sa.select(sa.extract("year", Visit.visited_on))
                    .where(Visit.trainer_id == user.id)
                    .distinct()
                )
            )

        assert len(visit_years(trainer)) >= 3  # from April 2023 to today
        assert {2012, 2016} <= {int(y) for y in visit_years(former)}
        site_names = set(
            demo.session.scalars(
                sa.select(Site.name)
                .join(Visit, Visit.site_id == Site.id)
                .where(Visit.trainer_id == trainer.id)
                .distinct()
            )
        )
        assert len(site_names) == len(TRAINER_SITES)
        # Every visit falls inside its trainer's assignment to the site, and never in the future.
        outside = demo.session.scalar(
            sa.select(sa.func.count(Visit.id)).where(
                sa.or_(
                    Visit.visited_on > TODAY,
                    ~sa.exists().where(
                        Assignment.user_id == Visit.trainer_id,
                        Assignment.site_id == Visit.site_id,
                        Assignment.starts_on <= Visit.visited_on,
                        sa.or_(
                            Assignment.ends_on.is_(None), Assignment.ends_on >= Visit.visited_on
                        ),
                    ),
                )
            )
        )
        assert outside == 0

        overdue, done, dropped = demo.session.execute(
            sa.select(
                sa.func.count(Action.id).filter(Action.status == "open", Action.due_on < TODAY),
                sa.func.count(Action.id).filter(Action.status == "done"),
                sa.func.count(Action.id).filter(Action.status == "dropped"),
            )
        ).one()
        by_state = {"overdue": overdue, "done": done, "dropped": dropped}
        assert by_state.get("overdue", 0) >= 2
        assert by_state["done"] > by_state["dropped"] > 0
        # Closed actions have a closing date, not after today; open ones have none.
        assert (
            demo.session.scalar(
                sa.select(sa.func.count(Action.id)).where(
                    sa.or_(
                        sa.and_(Action.status == "open", Action.closed_on.is_not(None)),
                        sa.and_(
                            Action.status != "open",
                            sa.or_(Action.closed_on.is_(None), Action.closed_on > TODAY),
                        ),
                    )
                )
            )
            == 0
        )
        # The former trainer's actions are all closed; the overdue ones are the demo trainer's.
        assert (
            demo.session.scalar(
                sa.select(sa.func.count(Action.id))
                .join(Visit, Visit.id == Action.visit_id)
                .where(Visit.trainer_id == former.id, Action.status == "open")
            )
            == 0
        )


# --- Logins and account commands -------------------------------------------------------


def test_demo_logins_prints_every_role(app, db):
    result = invoke(app, ["demo", "logins"])
    assert result.exit_code == 0
    for role, email, password in LOGINS:
        assert role in result.output
        assert email in result.output
        assert password in result.output


# --- users create and tokens create ---------------------------------------------------------

PASSWORD = "a long password\n"


def create_user(app, *args):
    return invoke(app, ["users", "create", *args, "--password-stdin"], input=PASSWORD)


def test_users_create_scopes_a_site_lead(app, make):
    site = make.site()
    result = create_user(
        app,
        "Lead@Example.org",
        "--name",
        "Site lead",
        "--role",
        "site_lead",
        "--site",
        str(site.id),
    )
    assert result.exit_code == 0, result.output
    assert "Created site_lead lead@example.org" in result.output
    user = _db.session.scalar(sa.select(User).where(User.email == "lead@example.org"))
    assert user.role == "site_lead"
    assert user.check_password("a long password")
    assert [s.id for s in user.sites] == [site.id]


def test_users_create_assigns_a_trainer_from_today(app, make):
    site = make.site()
    result = create_user(
        app, "trainer@example.org", "--name", "Trainer", "--role", "trainer", "--site", str(site.id)
    )
    assert result.exit_code == 0, result.output
    user = _db.session.scalar(sa.select(User).where(User.email == "trainer@example.org"))
    assignment = _db.session.scalar(sa.select(Assignment).where(Assignment.user_id == user.id))
    assert (assignment.site_id, assignment.starts_on, assignment.ends_on) == (
        site.id,
        date.today(),
        None,
    )
    assert _db.session.scalar(sa.select(sa.func.count(UserSite.id))) == 0


def test_users_create_scopes_a_funder(app, make):
    funder = make.funder()
    result = create_user(
        app,
        "funder@example.org",
        "--name",
        "Funder",
        "--role",
        "funder",
        "--funder",
        str(funder.id),
    )
    assert result.exit_code == 0, result.output
    user = _db.session.scalar(sa.select(User).where(User.email == "funder@example.org"))
    assert user.funder_id == funder.id


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "wizard"], PASSWORD, "Invalid value for '--role'"),
        (["--role", "admin"], "short\n", "password: Password must be 12 characters or more"),
        (["--role", "trainer", "--site", "{site}"], "too short\n", "password: Password must be"),
        (["--role", "site_lead"], PASSWORD, "site_ids: Choose at least one site"),
        (["--role", "site_lead", "--site", "999"], PASSWORD, "site_ids: No site with id 999"),
        (["--role", "funder", "--funder", "999"], PASSWORD, "funder_id: Choose the funder"),
    ],
)
def test_users_create_refuses_bad_input_and_creates_nothing(app, make, args, stdin, message):
    site = make.site()
    before = table_counts()
    command = ["users", "create", "x@example.org", "--name", "X", *args, "--password-stdin"]
    result = invoke(app, [arg.format(site=site.id) for arg in command], input=stdin)
    assert result.exit_code != 0
    assert message in result.stderr
    assert table_counts() == before


def test_tokens_create_prints_a_working_token_on_its_last_line(app, make):
    user = make.user("admin")
    result = invoke(app, ["tokens", "create", user.email.upper(), "--name", "nightly export"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert " " not in token and len(token) >= 32
    assert user_for_token(token).id == user.id
    stored = _db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.name == "nightly export"
    assert token not in stored.token_hash


def test_tokens_create_for_an_unknown_email_fails(app, db):
    result = invoke(app, ["tokens", "create", "nobody@example.org", "--name", "x"])
    assert result.exit_code == 1
    assert "No user with email nobody@example.org" in result.stderr
    assert _db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
