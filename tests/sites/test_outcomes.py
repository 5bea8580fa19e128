"""Outcome rates and their periods: hand-worked figures and properties of the rules."""

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sites.outcomes import (
    BENCHMARKS,
    OutcomeRates,
    OutcomeTotals,
    Period,
    benchmarks,
    calendar_year,
    chosen_period,
    financial_year,
    last_12_months,
    median,
    months_or_default,
    network_medians,
    outcome_rates,
    parse_period,
    period_choices,
    rate,
    sustainment_base_months,
    with_choice,
)

# Three months of a site: caseloads 40, 42, 38; in work 15, 16, 14; job starts 3, 4, 2;
# sustained 13 weeks 2, 3, 1 against 8 job starts three months earlier; 24 new, 15 contacted
# within 4 weeks; 2.0 + 2.0 + 2.5 specialists.
THREE_MONTHS = OutcomeTotals(
    referrals=30,
    caseload=120,
    new_to_service=24,
    first_contact_within_4_weeks=15,
    job_starts=9,
    in_work=45,
    sustained_13_weeks=6,
    discharges=12,
    employment_specialists_fte=Decimal("6.5"),
    months_reported=3,
    job_starts_three_months_earlier=8,
)
RATES = ("employment_rate", "job_start_rate", "sustainment_13_weeks", "contact_within_4_weeks")


# Rates


def test_hand_worked_rates():
    rates = outcome_rates(THREE_MONTHS)
    assert rates.employment_rate == pytest.approx(45 / 120)  # 0.375
    assert rates.job_start_rate == pytest.approx(9 / 120)  # 0.075
    assert rates.sustainment_13_weeks == pytest.approx(6 / 8)  # 0.75
    assert rates.contact_within_4_weeks == pytest.approx(15 / 24)  # 0.625
    assert rates.caseload_per_specialist == pytest.approx(120 / 6.5)  # 18.46...


def test_rounded_as_the_api_reports_them():
    totals = OutcomeTotals(
        caseload=90,
        in_work=30,
        job_starts=7,
        new_to_service=3,
        first_contact_within_4_weeks=2,
        sustained_13_weeks=1,
        job_starts_three_months_earlier=6,
        employment_specialists_fte=Decimal("4.5"),
        months_reported=3,
    )
    assert outcome_rates(totals).rounded() == OutcomeRates(
        employment_rate=0.3333,
        job_start_rate=0.0778,
        sustainment_13_weeks=0.1667,
        contact_within_4_weeks=0.6667,
        caseload_per_specialist=20.0,
    )
    assert outcome_rates(THREE_MONTHS).rounded().caseload_per_specialist == 18.5


def test_no_returns_at_all_is_not_available_everywhere():
    assert outcome_rates(OutcomeTotals()) == OutcomeRates(None, None, None, None, None)


def test_each_zero_denominator_is_not_available_never_zero():
    totals = OutcomeTotals(
        caseload=0,
        in_work=0,
        job_starts=0,
        new_to_service=0,
        first_contact_within_4_weeks=0,
        sustained_13_weeks=0,
        job_starts_three_months_earlier=0,
        employment_specialists_fte=Decimal("0.00"),
        months_reported=2,
    )
    assert outcome_rates(totals) == OutcomeRates(None, None, None, None, None)


def test_a_zero_numerator_is_zero_not_unavailable():
    totals = OutcomeTotals(
        caseload=10, new_to_service=4, job_starts_three_months_earlier=3, months_reported=1
    )
    rates = outcome_rates(totals)
    assert (rates.employment_rate, rates.job_start_rate) == (0.0, 0.0)
    assert (rates.sustainment_13_weeks, rates.contact_within_4_weeks) == (0.0, 0.0)
    assert rates.caseload_per_specialist is None  # no specialists reported


def test_sustainment_needs_returns_in_the_period():
    # Job starts three months before, but nothing sent in the period: nothing sustained to count.
    totals = OutcomeTotals(job_starts_three_months_earlier=5, months_reported=0)
    assert outcome_rates(totals).sustainment_13_weeks is None


def test_rates_above_one_are_clamped_but_caseload_per_specialist_is_not():
    totals = OutcomeTotals(
        sustained_13_weeks=10,
        job_starts_three_months_earlier=4,
        caseload=45,
        employment_specialists_fte=Decimal("1.5"),
        months_reported=1,
    )
    rates = outcome_rates(totals)
    assert rates.sustainment_13_weeks == 1.0
    assert rates.caseload_per_specialist == pytest.approx(30.0)


def test_rate():
    assert rate(1, 4) == 0.25
    assert rate(0, 4) == 0.0
    assert rate(3, 0) is None
    assert rate(0, 0) is None
    assert rate(5, 4) == 1.0
    assert rate(Decimal("1.5"), 3) == 0.5
    assert rate(10**400, 10**401) == pytest.approx(0.1)  # no overflow, no error


@st.composite
def totals(draw):
    count = st.integers(min_value=0, max_value=10**9)
    return OutcomeTotals(
        **{
            f.name: draw(count)
            for f in fields(OutcomeTotals)
            if f.name != "employment_specialists_fte"
        },
        employment_specialists_fte=draw(
            st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
        ),
    )


@given(totals())
def test_any_non_negative_totals_give_rates_in_zero_to_one_or_none(totals):
    rates = outcome_rates(totals)
    for name in RATES:
        value = getattr(rates, name)
        assert value is None or 0.0 <= value <= 1.0
    assert (rates.employment_rate is None) == (totals.caseload == 0)
    assert (rates.contact_within_4_weeks is None) == (totals.new_to_service == 0)
    assert (rates.caseload_per_specialist is None) == (totals.employment_specialists_fte == 0)
    assert rates.caseload_per_specialist is None or rates.caseload_per_specialist >= 0
    rounded = rates.rounded()
    for name in RATES:
        value = getattr(rounded, name)
        assert value is None or 0.0 <= value <= 1.0


# Medians and benchmarks


def test_median_skips_sites_without_a_rate():
    assert median([]) is None
    assert median([None, None]) is None
    assert median([0.2, None, 0.6, 0.4]) == pytest.approx(0.4)
    assert median([0.2, 0.5]) == pytest.approx(0.35)


def test_network_medians_of_sustainment_and_contact():
    sites = [
        OutcomeRates(0.3, 0.1, 0.5, None, 12.0),
        OutcomeRates(0.5, 0.1, 0.8, 0.9, 15.0),
        OutcomeRates(0.4, 0.1, None, 0.6, None),
    ]
    assert network_medians(sites) == {
        "sustainment_13_weeks": pytest.approx(0.65),
        "contact_within_4_weeks": pytest.approx(0.75),
    }


def test_benchmarks_are_the_us_measure_and_the_network_medians():
    assert BENCHMARKS["employment_rate"] == {"average": 0.41, "excellent": 0.50}
    shown = benchmarks({"sustainment_13_weeks": 0.8, "contact_within_4_weeks": None})
    assert shown == {
        "employment_rate": {"average": 0.41, "excellent": 0.5},
        "sustainment_13_weeks": {"network_median": 0.8},
        "contact_within_4_weeks": {"network_median": None},
        "caseload_per_specialist": {"at_most": 20},
    }
    assert 0.40 not in BENCHMARKS["employment_rate"].values()  # not the UK measure


# Periods


def test_last_12_months_crosses_the_year_end():
    period = last_12_months(date(2025, 1, 15))
    assert (period.first, period.last) == (date(2024, 1, 1), date(2024, 12, 1))
    assert period.slug == "last-12-months"
    assert period.label == "Last 12 complete months (January 2024 to December 2024)"
    march = last_12_months(date(2025, 3, 31))
    assert (march.first, march.last, march.months) == (date(2024, 3, 1), date(2025, 2, 1), 12)
    assert last_12_months(date(2025, 1, 1)).last == date(2024, 12, 1)


def test_financial_year_runs_april_to_march():
    period = financial_year(2024)
    assert period == Period(
        date(2024, 4, 1), date(2025, 3, 1), "Financial year 2024-25", "fy-2024-25"
    )
    assert period.months == 12
    assert financial_year(1999).slug == "fy-1999-00"


def test_calendar_year():
    assert calendar_year(2024) == Period(
        date(2024, 1, 1), date(2024, 12, 1), "Calendar year 2024", "2024"
    )


def test_sustainment_divides_by_the_months_three_earlier():
    assert sustainment_base_months(date(2024, 1, 1), date(2024, 12, 1)) == (
        date(2023, 10, 1),
        date(2024, 9, 1),
    )
    assert sustainment_base_months(date(2024, 4, 1), date(2025, 3, 1)) == (
        date(2024, 1, 1),
        date(2024, 12, 1),
    )
    # At the calendar's start there is nothing earlier to count, and no error.
    assert sustainment_base_months(date(1, 1, 1), date(1, 2, 1)) is None
    assert sustainment_base_months(date(1, 1, 1), date(1, 6, 1)) == (date(1, 1, 1), date(1, 3, 1))


TODAY = date(2026, 3, 31)  # the last day of financial year 2025-26


@pytest.mark.parametrize(
    ("slug", "first", "last"),
    [
        ("last-12-months", date(2025, 3, 1), date(2026, 2, 1)),
        ("2024", date(2024, 1, 1), date(2024, 12, 1)),
        ("2026", date(2026, 1, 1), date(2026, 12, 1)),  # this year so far
        ("fy-2024-25", date(2024, 4, 1), date(2025, 3, 1)),
        ("2024-25", date(2024, 4, 1), date(2025, 3, 1)),
        ("FY-2025-26", date(2025, 4, 1), date(2026, 3, 1)),
        ("fy-1999-00", date(1999, 4, 1), date(2000, 3, 1)),
    ],
)
def test_parse_period(slug, first, last):
    period = parse_period(slug, TODAY)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    "slug",
    [
        None,
        "",
        " ",
        12,
        "last-13-months",
        "2024-26",  # not the next year
        "fy-2024-2025",
        "fy-2024",
        "2027",  # starts after today
        "fy-2026-27",  # starts on 1 April 2026, after today
        "1989",  # before MIN_YEAR
        "0000",
        "99999999999999999999",
        "２０２４",  # full-width digits
        "2024\x00",
        "-2024",
        "<script>",
    ],
)
def test_parse_period_of_bad_input_is_none(slug):
    assert parse_period(slug, TODAY) is None


SLUGS = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.from_regex(r"(fy-)?[0-9]{4}(-[0-9]{2})?|last-12-months", fullmatch=True),
)


@given(SLUGS, st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)))
def test_parse_period_never_raises_and_round_trips(slug, today):
    period = parse_period(slug, today)
    if period is not None:
        assert period.first.day == period.last.day == 1
        assert period.first <= period.last
        assert period.first <= today
        assert parse_period(period.slug, today) == period


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=1900, max_value=2100),
)
def test_every_choice_parses_back_to_itself(today, earliest_year):
    choices = period_choices(today, earliest_year)
    assert choices[0] == last_12_months(today)
    assert len({p.slug for p in choices}) == len(choices)
    for period in choices:
        assert parse_period(period.slug, today) == period


def test_period_choices_from_the_earliest_year_newest_first():
    slugs = [p.slug for p in period_choices(date(2025, 5, 10), 2023)]
    assert slugs == [
        "last-12-months",
        "fy-2025-26",
        "fy-2024-25",
        "fy-2023-24",
        "fy-2022-23",  # holds January to March 2023
        "2025",
        "2024",
        "2023",
    ]
    # An earliest year after today's counts as today's.
    assert [p.slug for p in period_choices(date(2025, 2, 1), 2030)] == [
        "last-12-months",
        "fy-2024-25",
        "2025",
    ]


def test_chosen_period_falls_back_to_the_default_with_a_message():
    default = last_12_months(TODAY)
    assert chosen_period(None, TODAY) == (default, None)
    assert chosen_period("", TODAY) == (default, None)
    assert chosen_period("2024", TODAY) == (calendar_year(2024), None)
    assert chosen_period("banana", TODAY) == (default, "Choose a period from the list")


def test_with_choice_adds_a_period_missing_from_the_list():
    choices = period_choices(TODAY, 2024)
    assert with_choice(choices, calendar_year(2024)) is choices
    assert with_choice(choices, calendar_year(1995))[-1] == calendar_year(1995)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, (date(2024, 1, 1), date(2024, 12, 1))),
        (date(2024, 6, 1), None, (date(2024, 6, 1), date(2024, 12, 1))),
        (date(2025, 1, 1), None, (date(2025, 1, 1), date(2025, 1, 1))),  # this month only
        (None, date(2024, 3, 1), (date(2023, 4, 1), date(2024, 3, 1))),
        (date(2023, 2, 1), date(2023, 5, 1), (date(2023, 2, 1), date(2023, 5, 1))),
        (None, date(1, 5, 1), (date(1, 1, 1), date(1, 5, 1))),
    ],
)
def test_months_or_default(first, last, expected):
    assert months_or_default(first, last, date(2025, 1, 15)) == expected
