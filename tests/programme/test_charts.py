"""The programme progress chart: its target line, and its table of the same figures as its lines
(whole job starts, months by name), which the printable report keeps."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from programme.charts import progress_chart
from programme.progress import programme_progress
from programme.reports.views import print_sized

STARTS, ENDS, TARGET = date(2015, 4, 1), date(2016, 3, 31), 60
TODAY = date(2015, 9, 15)
JOB_STARTS = {date(2015, 4, 1): 3, date(2015, 5, 1): 4, date(2015, 6, 1): 6, date(2015, 8, 1): 5}


def chart(profile=(), awaiting=None):
    """The chart as a funder sees it (approved figures only: no column of figures awaiting
    approval), or with `awaiting` (job starts awaiting approval by month) as staff see it."""
    programme = SimpleNamespace(
        starts_on=STARTS, ends_on=ENDS, job_start_target=TARGET, target_profile=list(profile)
    )
    progress = programme_progress(
        starts_on=STARTS,
        ends_on=ENDS,
        target=TARGET,
        monthly_job_starts=JOB_STARTS,
        on=TODAY,
        profile={t.month: t.cumulative for t in profile} or None,
        monthly_awaiting=awaiting,
    )
    return progress_chart(programme, progress, TODAY, approved_only=awaiting is None)


def figure(cell: str) -> float | None:
    """A cell's figure: '1,204' is 1204; a blank cell is None."""
    return float(cell.replace(",", "")) if cell else None


def by_name(chart) -> dict[str, dict]:
    return {t["name"]: t for t in json.loads(chart)["data"]}


def test_the_target_is_a_level_line_across_the_programme_named_with_its_figure():
    traces = by_name(chart())
    target = traces["Target (60)"]
    assert target["y"] == [TARGET, TARGET]
    assert target["x"] == ["2015-04-01", "2016-03-01"]  # the programme's first and last months
    assert target["mode"] == "lines"
    assert list(traces) == ["Achieved", "Expected", "Projected", "Target (60)"]


def test_the_target_line_follows_a_profile_programme_to_its_end():
    profile = [
        SimpleNamespace(month=date(2015, 4 + n, 1), cumulative=5 * (n + 1)) for n in range(9)
    ]
    profile += [SimpleNamespace(month=date(2016, n, 1), cumulative=45 + 5 * n) for n in (1, 2, 3)]
    traces = by_name(chart(profile))
    assert traces["Target (60)"]["y"] == [TARGET, TARGET]
    assert traces["Expected"]["y"][-1] == TARGET  # the profile reaches the target at the end


def test_the_table_gives_the_lines_figures_month_by_month():
    progress = chart()
    table = progress.table
    assert table.caption == "Cumulative job starts by month, against a target of 60"
    assert [c.header for c in table.columns] == ["Month", "Achieved", "Expected", "Projected"]
    assert [c.numeric for c in table.columns] == [False, True, True, True]
    traces = by_name(progress)
    months = [date.fromisoformat(x) for x in traces["Expected"]["x"]]
    assert [row[0] for row in table.rows] == [f"{m:%B %Y}" for m in months]
    assert table.rows[0][0] == "April 2015"
    for column, name in enumerate(["Achieved", "Expected", "Projected"], start=1):
        line = dict(zip(traces[name]["x"], traces[name]["y"], strict=True))
        cells = [figure(row[column]) for row in table.rows]
        # People are whole numbers: each cell is its point rounded; no point, no figure.
        assert cells == [
            round(line[f"{m:%Y-%m-%d}"]) if f"{m:%Y-%m-%d}" in line else None for m in months
        ]
    assert table.rows[5] == ("September 2015", "18", "30", "18")
    assert table.rows[-1][1] == ""  # not achieved yet: the month is still to come


def test_the_printable_report_keeps_the_table():
    progress = chart()
    printed = print_sized(progress)
    assert json.loads(printed)["layout"]["width"] == 680
    assert printed.table == progress.table


def test_staff_see_how_many_of_the_achieved_await_approval_month_by_month():
    table = chart(awaiting={date(2015, 5, 1): 2, date(2015, 8, 1): 5}).table
    assert table.caption == (
        "Cumulative job starts by month, against a target of 60; 7 awaiting approval"
    )
    headers = [c.header for c in table.columns]
    assert headers == ["Month", "Achieved", "Of which awaiting approval", "Expected", "Projected"]
    assert [row[2] for row in table.rows[:6]] == ["0", "2", "2", "2", "7", "7"]
    assert table.rows[-1][2] == ""  # a month still to come
    assert "none awaiting approval" in chart(awaiting={}).table.caption
