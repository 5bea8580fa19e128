"""The review cycle's pure rules: report and action-plan due dates, overdue steps, and the
conflict of interest that refuses a reviewer."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from training.reviews.rules import (
    Conflict,
    MentoringSpan,
    Step,
    action_plan_due_on,
    conflict_message,
    overdue_steps,
    report_due_on,
    review_date,
    reviewer_conflict,
)

REVIEW = date(2026, 3, 2)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 10, 31))


def steps(today, report=None, plan=None, cancelled=None, review_on=REVIEW):
    found = overdue_steps(
        review_on,
        report_sent_on=report,
        action_plan_agreed_on=plan,
        cancelled_on=cancelled,
        today=today,
    )
    return [(step.step, step.due_on) for step in found]


def test_the_report_is_due_four_weeks_and_the_action_plan_six_weeks_after_the_review():
    assert report_due_on(REVIEW) == date(2026, 3, 30)
    assert action_plan_due_on(REVIEW) == date(2026, 4, 13)


def test_the_review_date_is_the_recorded_reviews_once_linked():
    assert review_date(REVIEW) == REVIEW
    assert review_date(REVIEW, date(2026, 3, 9)) == date(2026, 3, 9)


def test_a_step_is_overdue_from_the_day_after_its_due_date():
    assert steps(date(2026, 3, 30)) == []
    assert steps(date(2026, 3, 31)) == [(Step.REPORT, date(2026, 3, 30))]
    assert steps(date(2026, 4, 13)) == [(Step.REPORT, date(2026, 3, 30))]
    assert steps(date(2026, 4, 14)) == [
        (Step.REPORT, date(2026, 3, 30)),
        (Step.ACTION_PLAN, date(2026, 4, 13)),
    ]


def test_a_step_done_is_never_overdue_even_when_done_late():
    assert steps(date(2026, 6, 1), report=date(2026, 5, 1)) == [
        (Step.ACTION_PLAN, date(2026, 4, 13))
    ]
    assert steps(date(2026, 6, 1), report=date(2026, 5, 1), plan=date(2026, 5, 2)) == []


def test_a_cancelled_review_has_no_steps():
    assert steps(date(2027, 1, 1), cancelled=date(2026, 2, 1)) == []


@given(days, st.integers(0, 400))
def test_overdue_steps_are_those_whose_due_date_has_passed(review_on, after):
    today = review_on + timedelta(days=after)
    found = steps(today, review_on=review_on)
    assert [step for step, _ in found] == [Step.REPORT, Step.ACTION_PLAN][
        : (after > 28) + (after > 42)
    ]
    assert all(due < today for _, due in found)


def span(organisation_id, starts_on, ends_on=None):
    return MentoringSpan(organisation_id, starts_on, ends_on)


def test_no_reviewer_may_review_a_site_of_their_own_organisation():
    assert reviewer_conflict(7, 7, [], REVIEW) is Conflict.OWN_ORGANISATION


def test_nor_a_site_their_organisation_mentors_on_the_review_date():
    mentoring = [span(3, date(2025, 1, 1), REVIEW)]
    assert reviewer_conflict(3, 7, mentoring, REVIEW) is Conflict.MENTORS_NOW  # its last day
    assert reviewer_conflict(3, 7, mentoring, REVIEW + timedelta(days=1)) is None  # ended
    assert reviewer_conflict(3, 7, [span(3, REVIEW + timedelta(days=1))], REVIEW) is None
    assert reviewer_conflict(3, 7, [span(3, date(2020, 1, 1))], REVIEW) is Conflict.MENTORS_NOW


def test_another_organisations_mentoring_and_no_organisation_are_no_conflict():
    assert reviewer_conflict(4, 7, [span(3, date(2020, 1, 1))], REVIEW) is None
    assert reviewer_conflict(None, 7, [span(3, date(2020, 1, 1))], REVIEW) is None


@given(
    st.none() | st.integers(1, 5),
    st.integers(1, 5),
    st.lists(st.tuples(st.integers(1, 5), days, st.none() | days)),
    days,
)
def test_a_conflict_is_exactly_own_organisation_or_a_current_mentoring(reviewer, site, spans, on):
    mentorings = [span(org, start, end) for org, start, end in spans]
    found = reviewer_conflict(reviewer, site, mentorings, on)
    current = any(
        m.mentor_organisation_id == reviewer
        and m.starts_on <= on
        and (m.ends_on is None or m.ends_on >= on)
        for m in mentorings
    )
    if reviewer is None:
        assert found is None
    elif reviewer == site:
        assert found is Conflict.OWN_ORGANISATION
    else:
        assert found is (Conflict.MENTORS_NOW if current else None)


def test_the_messages_say_why_and_what_to_do():
    own = conflict_message(Conflict.OWN_ORGANISATION, "Sam Reviewer", "Enable")
    mentors = conflict_message(Conflict.MENTORS_NOW, "Sam Reviewer", "Enable")
    assert "Sam Reviewer works at Enable" in own and "own organisation" in own
    assert "mentors this site" in mentors
    assert own.endswith("Choose another reviewer") and mentors.endswith("Choose another reviewer")
