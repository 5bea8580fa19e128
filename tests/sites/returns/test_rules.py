"""The rules of a monthly return's figures: each error and warning, and that checking never
raises, whatever arrives."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sites.returns.rules import (
    COUNTS,
    FIGURES,
    FTE,
    Change,
    changes_between,
    check_return,
    figures_snapshot,
    parse_count,
    parse_fte,
)

TODAY = date(2026, 11, 23)
MARCH = date(2026, 3, 1)
GOOD = {
    "referrals": 10,
    "caseload": 40,
    "new_to_service": 8,
    "first_contact_within_4_weeks": 6,
    "job_starts": 3,
    "in_work": 15,
    "sustained_13_weeks": 2,
    "employment_specialists_fte": "2.5",
    "discharges": 4,
}
GOOD_SECTORS = {"retail": 2, "hospitality": 1}


def check(figures=None, **options):
    options = {"month": MARCH, "today": TODAY} | options
    return check_return(GOOD | (figures or {}), **options)


def test_a_good_return_passes_with_clean_values():
    checked = check(sectors=GOOD_SECTORS)
    assert checked.ok
    assert checked.errors == {}
    assert checked.warnings == []
    assert checked.values["job_starts"] == 3
    assert checked.values[FTE] == Decimal("2.50")
    assert checked.sectors == {"retail": 2, "hospitality": 1}


def test_strings_from_a_form_or_csv_are_read():
    checked = check({name: f" {value} " for name, value in GOOD.items()})
    assert checked.ok
    assert checked.values["caseload"] == 40
    assert check({"caseload": "1,040", "in_work": "1000"}).values["caseload"] == 1040


@pytest.mark.parametrize("value", [-1, "-1", 2.5, "2.5", "two", "", True, [3], {"a": 1}, "٣"])
def test_a_count_must_be_a_whole_number_0_or_more(value):
    checked = check({"job_starts": value})
    assert checked.errors["job_starts"] == (
        ["is needed to submit: enter 0 if there were none"]
        if value == ""
        else ["must be a whole number, 0 or more"]
    )


def test_whole_floats_are_whole_numbers():
    assert parse_count(3.0) == (3, None)
    assert parse_count(float("nan")) == (None, "must be a whole number, 0 or more")


def test_counts_have_a_ceiling():
    assert check({"referrals": 100_001}).errors["referrals"] == ["must be 100,000 or less"]
    assert check({"referrals": "9" * 40}).errors["referrals"] == ["must be 100,000 or less"]
    assert check({"referrals": 100_000}).ok


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.5", "must be a number, 0 or more, like 2.5"),
        ("abc", "must be a number, 0 or more, like 2.5"),
        ("NaN", "must be a number, 0 or more, like 2.5"),
        ("Infinity", "must be a number, 0 or more, like 2.5"),
        ("2.555", "must have no more than 2 decimal places"),
        ("1000", "must be 999.99 or less"),
        (True, "must be a number, 0 or more, like 2.5"),
    ],
)
def test_the_specialists_fte_is_a_decimal_0_or_more(value, message):
    assert check({FTE: value}).errors[FTE] == [message]


def test_fte_values():
    assert parse_fte("0") == (Decimal("0.00"), None)
    assert parse_fte(1.25) == (Decimal("1.25"), None)
    assert parse_fte(3) == (Decimal("3.00"), None)


def test_in_work_cannot_exceed_the_caseload():
    checked = check({"in_work": 41})
    assert checked.errors == {"in_work": ["must be no more than the caseload (40)"]}
    assert check({"in_work": 40}).ok


def test_first_contacts_cannot_exceed_those_new_to_the_service():
    checked = check({"first_contact_within_4_weeks": 9})
    assert checked.errors == {
        "first_contact_within_4_weeks": ["must be no more than the number new to the service (8)"]
    }
    assert check({"first_contact_within_4_weeks": 8}).ok


def test_sectors_must_add_up_to_the_job_starts():
    checked = check(sectors={"retail": 1, "other": 1})
    assert checked.errors == {"sectors": ["add up to 2; they must add up to the job starts (3)"]}
    assert check(sectors={"retail": 3, "other": 0}).ok


def test_sector_values_and_names_are_checked():
    checked = check(sectors={"retail": -1, "mining": 2})
    assert checked.errors["sectors.retail"] == ["must be a whole number, 0 or more"]
    assert "unknown sector 'mining'" in checked.errors["sectors"][0]
    assert check(sectors=["retail"]).errors["sectors"] == [
        "must be an object of sector: job starts"
    ]


def test_no_breakdown_is_not_checked_against_the_job_starts():
    """The CSV import has no sector columns: sectors=None means none was given."""
    assert check(sectors=None).ok
    assert check(sectors=None).sectors is None


def test_a_submitted_return_with_an_empty_breakdown_must_still_add_up():
    assert check(sectors={}).errors == {
        "sectors": ["add up to 0; they must add up to the job starts (3)"]
    }
    assert check({"job_starts": 0, "sustained_13_weeks": 0}, sectors={}).ok


def test_the_month_cannot_be_in_the_future():
    assert check(month=date(2026, 12, 1)).errors == {"month": ["must not be in the future"]}
    assert check(month=date(2026, 11, 1)).ok  # the current month may be entered
    assert check(month=None).errors == {"month": ["must be a month, like 2024-03"]}


def test_sustained_jobs_cannot_exceed_the_job_starts_three_months_before():
    checked = check({"sustained_13_weeks": 3}, job_starts_three_months_before=2)
    assert checked.errors == {
        "sustained_13_weeks": ["must be no more than the job starts of December 2025 (2)"]
    }
    assert check({"sustained_13_weeks": 2}, job_starts_three_months_before=2).ok
    assert check({"sustained_13_weeks": 30}, job_starts_three_months_before=None).ok


def test_to_submit_every_figure_is_needed():
    checked = check({"referrals": None, FTE: ""})
    assert checked.errors == {
        "referrals": ["is needed to submit: enter 0 if there were none"],
        FTE: ["is needed to submit: enter 0 if there were none"],
    }


def test_a_draft_may_leave_figures_and_sectors_blank():
    blanks = dict.fromkeys(FIGURES, "")
    checked = check(blanks | {"caseload": "12"}, complete=False, sectors=dict.fromkeys(["retail"]))
    assert checked.ok
    assert checked.values["caseload"] == 12
    assert checked.values["referrals"] is None
    assert checked.sectors is None


def test_a_draft_still_gets_the_rules_between_figures():
    checked = check({"in_work": 50, "referrals": None}, complete=False)
    assert checked.errors == {"in_work": ["must be no more than the caseload (40)"]}


def test_warnings_for_a_large_caseload_per_specialist_and_job_starts_above_caseload():
    checked = check({"caseload": 60, FTE: "2", "in_work": 10})
    assert checked.ok
    assert len(checked.warnings) == 1
    assert "Caseload per specialist is 30.0, above 25" in checked.warnings[0]
    assert check({"caseload": 50, FTE: "2", "in_work": 10}).warnings == []  # 25 is allowed

    both = check({"caseload": 2, "in_work": 1, "job_starts": 3}, sectors={"retail": 3})
    assert both.warnings == [
        "Job starts (3) are more than the caseload (2): check that everyone who started a job "
        "is counted on the caseload"
    ]


def test_no_fte_gives_no_caseload_warning():
    assert check({"caseload": 90, FTE: "0", "in_work": 10}).warnings == []


def test_errors_come_before_warnings():
    checked = check({"caseload": 90, FTE: "1", "in_work": 91})
    assert checked.errors and checked.warnings == []


def test_changes_between_versions():
    before = figures_snapshot(check(sectors=GOOD_SECTORS).values, GOOD_SECTORS)
    after_values = check({"job_starts": 4, "in_work": 16}, sectors={"retail": 4}).values
    after = figures_snapshot(after_values, {"retail": 4})
    assert changes_between(before, after) == [
        Change("job_starts", "Job starts", 3, 4),
        Change("in_work", "In work", 15, 16),
        Change("sectors.retail", "Job starts in retail", 2, 4),
        Change("sectors.hospitality", "Job starts in hospitality", 1, 0),
    ]
    assert changes_between(before, before) == []
    assert before[FTE] == "2.50"


anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.decimals(allow_nan=True),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=300)
@given(
    figures=st.dictionaries(st.sampled_from([*FIGURES, "other", ""]), anything)
    | anything.filter(lambda value: not isinstance(value, dict)),
    sectors=anything,
    month=st.none() | st.dates(),
    complete=st.booleans(),
    base=st.none() | st.integers(min_value=0, max_value=10**6),
)
def test_checking_never_raises_and_answers_messages(figures, sectors, month, complete, base):
    checked = check_return(
        figures,
        month=month,
        today=TODAY,
        sectors=sectors,
        complete=complete,
        job_starts_three_months_before=base,
    )
    assert isinstance(checked.errors, dict)
    for field, messages in checked.errors.items():
        assert isinstance(field, str)
        assert messages and all(isinstance(m, str) and m for m in messages)
    if checked.ok:
        for name in COUNTS:
            value = checked.values[name]
            assert value is None or (isinstance(value, int) and 0 <= value <= 100_000)
        if complete:
            assert all(checked.values[name] is not None for name in FIGURES)
