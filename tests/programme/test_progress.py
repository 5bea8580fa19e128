"""Programme progress: hand-worked figures and properties of the rules."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.months import month_start, months_between
from programme.progress import (
    MonthPoint,
    ProgressStatus,
    expected_at,
    expected_line,
    programme_progress,
    run_rate,
)

# 2024 is a leap year: 366 days, so its middle falls exactly on 1 July.
YEAR_2024 = {"starts_on": date(2024, 1, 1), "ends_on": date(2024, 12, 31)}
SUSSEX = {"starts_on": date(2012, 1, 1), "ends_on": date(2012, 12, 31), "target": 125}
SUSSEX_MONTHS = dict(
    zip(
        months_between(date(2012, 1, 1), date(2012, 12, 31)),
        [10, 14, 18, 20, 22, 24, 26, 28, 30, 30, 32, 32],
        strict=True,
    )
)


def months(year: int, *values: int, first_month: int = 1) -> dict[date, int]:
    return {date(year, first_month + i, 1): value for i, value in enumerate(values)}


# Dates and months


def test_month_start():
    assert month_start(date(2024, 2, 29)) == date(2024, 2, 1)
    assert month_start(date(2024, 2, 1)) == date(2024, 2, 1)


def test_months_between_crosses_years():
    assert months_between(date(2023, 11, 30), date(2024, 2, 1)) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]


def test_months_between_same_month_and_reversed():
    assert months_between(date(2024, 3, 5), date(2024, 3, 20)) == [date(2024, 3, 1)]
    assert months_between(date(2024, 3, 20), date(2024, 3, 5)) == []
    assert months_between(date(2024, 4, 1), date(2024, 3, 31)) == []


# Expected, linear


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 12, 31), 0.0),
        (date(2024, 1, 1), 120 / 366),
        (date(2024, 6, 30), 120 * 182 / 366),
        (date(2024, 7, 1), 60.0),
        (date(2024, 12, 30), 120 * 365 / 366),
        (date(2024, 12, 31), 120.0),
        (date(2025, 6, 1), 120.0),
    ],
)
def test_linear_expected(on, expected):
    assert expected_at(on, **YEAR_2024, target=120) == pytest.approx(expected)


def test_linear_expected_one_day_programme():
    day = date(2024, 5, 5)
    assert expected_at(day, starts_on=day, ends_on=day, target=7) == 7.0
    assert expected_at(day - timedelta(days=1), starts_on=day, ends_on=day, target=7) == 0.0


def test_empty_profile_is_linear():
    assert expected_at(date(2024, 7, 1), **YEAR_2024, target=120, profile={}) == 60.0


# Expected, with a profile

# March and May are missing: they carry February's and April's figures forward.
PROFILE = {date(2024, 1, 1): 5, date(2024, 2, 1): 15, date(2024, 4, 1): 40, date(2024, 6, 1): 60}
HALF_2024 = {"starts_on": date(2024, 1, 1), "ends_on": date(2024, 6, 30), "target": 60}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 12, 31), 0.0),
        (date(2024, 1, 16), 5 * 16 / 31),
        (date(2024, 1, 31), 5.0),
        (date(2024, 2, 15), 5 + 10 * 15 / 29),
        (date(2024, 2, 29), 15.0),
        (date(2024, 3, 10), 15.0),
        (date(2024, 3, 31), 15.0),
        (date(2024, 4, 15), 15 + 25 * 15 / 30),
        (date(2024, 4, 30), 40.0),
        (date(2024, 5, 20), 40.0),
        (date(2024, 6, 15), 50.0),
        (date(2024, 6, 30), 60.0),
        (date(2024, 9, 1), 60.0),
    ],
)
def test_profile_interpolates_by_day_and_carries_forward(on, expected):
    assert expected_at(on, **HALF_2024, profile=PROFILE) == pytest.approx(expected)


def test_profile_starting_late_is_zero_before_its_first_month():
    profile = {date(2024, 3, 1): 30}
    assert expected_at(date(2024, 2, 20), **HALF_2024, profile=profile) == 0.0
    assert expected_at(date(2024, 3, 16), **HALF_2024, profile=profile) == pytest.approx(
        30 * 16 / 31
    )
    assert expected_at(date(2024, 3, 31), **HALF_2024, profile=profile) == 30.0


def test_profile_ending_below_target_stays_at_its_last_value():
    profile = {date(2024, 1, 1): 10, date(2024, 3, 1): 50}
    assert expected_at(date(2024, 3, 31), **HALF_2024, profile=profile) == 50.0
    assert expected_at(date(2024, 6, 30), **HALF_2024, profile=profile) == 50.0
    assert expected_at(date(2025, 1, 1), **HALF_2024, profile=profile) == 50.0


@pytest.mark.parametrize(
    "profile",
    [
        {date(2024, 1, 1): 10, date(2024, 2, 1): 9},
        {date(2024, 1, 1): -1},
        {date(2024, 1, 1): 1, date(2024, 1, 15): 2},
    ],
    ids=["falling", "negative", "month twice"],
)
def test_bad_profile_is_refused(profile):
    with pytest.raises(ValueError, match="profile"):
        expected_at(date(2024, 2, 1), **HALF_2024, profile=profile)


def test_expected_line_linear():
    line = expected_line(**YEAR_2024, target=120)
    assert [month for month, _ in line] == months_between(date(2024, 1, 1), date(2024, 12, 1))
    assert line[0] == (date(2024, 1, 1), 10.2)
    assert line[5] == (date(2024, 6, 1), 59.7)
    assert line[-1] == (date(2024, 12, 1), 120.0)


def test_expected_line_part_months_end_on_target():
    line = expected_line(starts_on=date(2024, 1, 15), ends_on=date(2024, 3, 10), target=56)
    # 56 days in all: 17 in January, 29 in February, 10 in March.
    assert line == [(date(2024, 1, 1), 17.0), (date(2024, 2, 1), 46.0), (date(2024, 3, 1), 56.0)]


def test_expected_line_with_profile():
    line = expected_line(**HALF_2024, profile=PROFILE)
    assert [value for _, value in line] == [5.0, 15.0, 15.0, 40.0, 40.0, 60.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda **kw: expected_at(date(2024, 1, 1), **kw),
        lambda **kw: expected_line(**kw),
        lambda **kw: programme_progress(**kw, monthly_job_starts={}, on=date(2024, 1, 1)),
    ],
    ids=["expected_at", "expected_line", "programme_progress"],
)
def test_arguments_are_checked(call):
    with pytest.raises(ValueError, match="ends"):
        call(starts_on=date(2024, 1, 2), ends_on=date(2024, 1, 1), target=10)
    with pytest.raises(ValueError, match="target"):
        call(starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 1), target=-1)


# Run rate


def test_run_rate_none_complete():
    assert run_rate(months(2024, 5), on=date(2024, 1, 31), starts_on=date(2024, 1, 1)) == 0.0


def test_run_rate_fewer_than_six_months():
    job_starts = months(2024, 3, 6, 9, 100)
    assert run_rate(job_starts, on=date(2024, 4, 10), starts_on=date(2024, 1, 1)) == 6.0


def test_run_rate_month_is_complete_only_after_its_last_day():
    job_starts = months(2024, 3, 6, 9)
    assert run_rate(job_starts, on=date(2024, 3, 31), starts_on=date(2024, 1, 1)) == 4.5
    assert run_rate(job_starts, on=date(2024, 4, 1), starts_on=date(2024, 1, 1)) == 6.0


def test_run_rate_gaps_count_as_zero():
    job_starts = {date(2024, 1, 1): 6, date(2024, 3, 1): 6}
    assert run_rate(job_starts, on=date(2024, 4, 10), starts_on=date(2024, 1, 1)) == 4.0


def test_run_rate_uses_last_six_months_only():
    job_starts = months(2024, 100, 100, 1, 2, 3, 4, 5, 6, 100)
    assert run_rate(job_starts, on=date(2024, 9, 1), starts_on=date(2024, 1, 1)) == 3.5


def test_run_rate_ignores_months_before_the_start():
    job_starts = {date(2023, 12, 1): 100, **months(2024, 2, 4)}
    assert run_rate(job_starts, on=date(2024, 3, 1), starts_on=date(2024, 1, 20)) == 3.0


# Progress


def test_sussex_pilot_met():
    progress = programme_progress(**SUSSEX, monthly_job_starts=SUSSEX_MONTHS, on=date(2013, 3, 31))
    assert sum(SUSSEX_MONTHS.values()) == 286
    assert progress.achieved == 286
    assert progress.percent == 228.8
    assert progress.expected == 125.0
    assert progress.status == "met"
    assert progress.projected == 286.0
    # Frozen at the close: July to December 2012.
    assert progress.run_rate == 29.67
    assert len(progress.by_month) == 12
    assert progress.by_month[-1] == MonthPoint(date(2012, 12, 1), 32, 286, 125.0)


def test_closed_and_missed():
    progress = programme_progress(
        **SUSSEX, monthly_job_starts=months(2012, *[10] * 12), on=date(2013, 1, 1)
    )
    assert (progress.achieved, progress.percent, progress.status) == (120, 96.0, "missed")


def test_not_started():
    progress = programme_progress(**SUSSEX, monthly_job_starts=SUSSEX_MONTHS, on=date(2011, 12, 31))
    assert progress.status == "not_started"
    assert (progress.achieved, progress.expected, progress.percent) == (0, 0.0, 0.0)
    assert (progress.run_rate, progress.projected, progress.by_month) == (0.0, 0.0, [])


def test_not_started_within_the_first_month():
    progress = programme_progress(
        starts_on=date(2024, 1, 15),
        ends_on=date(2024, 12, 31),
        target=10,
        monthly_job_starts={date(2024, 1, 1): 3},
        on=date(2024, 1, 10),
    )
    assert (progress.status, progress.achieved, progress.by_month) == ("not_started", 0, [])


# A two-year programme, target 240, seen on 1 January 2024: 366 of 731 days have passed, so 120.2
# are expected; 11.99 months remain.
TWO_YEARS = {"starts_on": date(2023, 1, 1), "ends_on": date(2024, 12, 31), "target": 240}
NEW_YEAR = date(2024, 1, 1)


def test_on_track():
    progress = programme_progress(
        **TWO_YEARS,
        monthly_job_starts=months(2023, 20, 20, 20, 20, 20, 30, first_month=7),
        on=NEW_YEAR,
    )
    assert (progress.achieved, progress.expected, progress.status) == (130, 120.2, "on_track")
    assert progress.percent == 54.2


def test_at_risk():
    progress = programme_progress(
        **TWO_YEARS, monthly_job_starts=months(2023, *[19] * 6, first_month=7), on=NEW_YEAR
    )
    assert (progress.achieved, progress.run_rate, progress.projected) == (114, 19.0, 341.8)
    assert progress.status == "at_risk"


def test_off_track():
    progress = programme_progress(
        **TWO_YEARS, monthly_job_starts=months(2023, *[5] * 6, first_month=7), on=NEW_YEAR
    )
    assert (progress.achieved, progress.run_rate, progress.projected) == (30, 5.0, 90.0)
    assert progress.status == "off_track"


def test_on_the_first_day():
    on = date(2024, 1, 1)
    quiet = programme_progress(**YEAR_2024, target=366, monthly_job_starts={}, on=on)
    assert (quiet.expected, quiet.achieved, quiet.run_rate, quiet.status) == (
        1.0,
        0,
        0.0,
        "off_track",
    )
    assert quiet.by_month == [MonthPoint(date(2024, 1, 1), 0, 0, 31.0)]
    busy = programme_progress(**YEAR_2024, target=366, monthly_job_starts=months(2024, 1), on=on)
    assert busy.status == "on_track"


def test_on_the_last_day_is_still_open():
    on = date(2024, 12, 31)
    short = programme_progress(**YEAR_2024, target=120, monthly_job_starts=months(2024, 119), on=on)
    assert (short.expected, short.projected, short.status) == (120.0, 119.0, "off_track")
    hit = programme_progress(**YEAR_2024, target=120, monthly_job_starts=months(2024, 120), on=on)
    assert hit.status == "on_track"


def test_on_the_last_day_of_a_month():
    progress = programme_progress(
        **YEAR_2024,
        target=120,
        monthly_job_starts=months(2024, 10, 10, 10, 10),
        on=date(2024, 3, 31),
    )
    assert [point.month for point in progress.by_month] == months_between(
        date(2024, 1, 1), date(2024, 3, 1)
    )
    assert progress.achieved == 30
    assert progress.expected == progress.by_month[-1].expected == 29.8
    assert progress.run_rate == 10.0


def test_by_month_runs_to_the_month_of_on():
    progress = programme_progress(
        **YEAR_2024, target=120, monthly_job_starts=months(2024, 4, 0, 7, 9), on=date(2024, 4, 2)
    )
    assert progress.by_month == [
        MonthPoint(date(2024, 1, 1), 4, 4, 10.2),
        MonthPoint(date(2024, 2, 1), 0, 4, 19.7),
        MonthPoint(date(2024, 3, 1), 7, 11, 29.8),
        MonthPoint(date(2024, 4, 1), 9, 20, 39.7),
    ]
    assert progress.achieved == 20
    assert progress.expected == 30.5


def test_months_outside_the_programme_are_ignored():
    job_starts = {date(2023, 12, 1): 50, date(2024, 2, 1): 3, date(2024, 7, 1): 50}
    progress = programme_progress(
        starts_on=date(2024, 1, 15),
        ends_on=date(2024, 6, 10),
        target=10,
        monthly_job_starts=job_starts,
        on=date(2024, 9, 1),
    )
    assert (progress.achieved, progress.status) == (3, "missed")


def test_profile_drives_expected_and_status():
    job_starts = months(2024, 5, 10, 0)
    progress = programme_progress(
        **HALF_2024, monthly_job_starts=job_starts, on=date(2024, 3, 31), profile=PROFILE
    )
    assert (progress.achieved, progress.expected, progress.status) == (15, 15.0, "on_track")
    assert [point.expected for point in progress.by_month] == [5.0, 15.0, 15.0]


def test_zero_target():
    job_starts = months(2024, 2)
    open_ = programme_progress(**YEAR_2024, target=0, monthly_job_starts=job_starts, on=NEW_YEAR)
    assert (open_.percent, open_.expected, open_.status) == (None, 0.0, "on_track")
    closed = programme_progress(
        **YEAR_2024, target=0, monthly_job_starts=job_starts, on=date(2025, 1, 1)
    )
    assert (closed.percent, closed.status) == (None, "met")


# Properties

DAY = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def programmes(draw, with_profile=True):
    starts_on = draw(DAY)
    ends_on = starts_on + timedelta(days=draw(st.integers(0, 1100)))
    target = draw(st.integers(0, 500))
    profile = None
    if with_profile and draw(st.booleans()):
        period = months_between(starts_on, ends_on)
        chosen = draw(st.lists(st.sampled_from(period), min_size=1, unique=True))
        values = sorted(
            draw(st.lists(st.integers(0, target), min_size=len(chosen), max_size=len(chosen)))
        )
        profile = dict(zip(sorted(chosen), values, strict=True))
    return {"starts_on": starts_on, "ends_on": ends_on, "target": target, "profile": profile}


@st.composite
def job_starts_around(draw, programme):
    around = months_between(
        programme["starts_on"] - timedelta(days=400), programme["ends_on"] + timedelta(days=400)
    )
    return draw(st.dictionaries(st.sampled_from(around), st.integers(0, 60), max_size=30))


def a_day_near(programme):
    return st.dates(
        min_value=programme["starts_on"] - timedelta(days=60),
        max_value=programme["ends_on"] + timedelta(days=60),
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_expected_is_monotone_and_bounded(data):
    programme = data.draw(programmes())
    first, second = sorted([data.draw(a_day_near(programme)), data.draw(a_day_near(programme))])
    earlier, later = expected_at(first, **programme), expected_at(second, **programme)
    assert 0 <= earlier <= later + 1e-9
    assert later <= programme["target"] + 1e-9


@settings(max_examples=60, deadline=None)
@given(programme=programmes(with_profile=False))
def test_linear_profile_agrees_with_linear_at_month_ends(programme):
    del programme["profile"]
    period = months_between(programme["starts_on"], programme["ends_on"])
    month_ends = [month.replace(day=28) + timedelta(days=4) for month in period]
    month_ends = [day - timedelta(days=day.day) for day in month_ends]
    profile = {
        month: expected_at(end, **programme) for month, end in zip(period, month_ends, strict=True)
    }
    for end in month_ends:
        assert expected_at(end, **programme, profile=profile) == pytest.approx(
            expected_at(end, **programme), abs=1e-6
        )
    assert [value for _, value in expected_line(**programme, profile=profile)] == [
        value for _, value in expected_line(**programme)
    ]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_progress_properties(data):
    programme = data.draw(programmes())
    job_starts = data.draw(job_starts_around(programme))
    on = data.draw(a_day_near(programme))
    progress = programme_progress(**programme, monthly_job_starts=job_starts, on=on)

    assert 0 <= progress.achieved <= sum(job_starts.values())
    assert progress.status in tuple(ProgressStatus)
    assert (progress.percent is None) == (programme["target"] == 0)
    assert progress.projected >= progress.achieved
    if on < programme["starts_on"]:
        assert progress.by_month == []
        assert progress.status == "not_started"
    else:
        assert progress.by_month[-1].cumulative == progress.achieved
        assert [point.month for point in progress.by_month] == months_between(
            programme["starts_on"], min(on, programme["ends_on"])
        )
        expected = [point.expected for point in progress.by_month]
        assert expected == sorted(expected)
    if on > programme["ends_on"]:
        assert progress.status in {"met", "missed"}
