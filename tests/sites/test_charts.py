"""A site's outcome charts give the figures they draw as tables: the same numbers as the traces,
months by name, people as whole numbers and rates as percentages."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from sites.charts import site_outcomes_chart, site_rates_chart

MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def figure(cell: str) -> float | None:
    """A cell's figure: '1,204' is 1204, '25.0%' is 0.25; 'not available' is None."""
    if not cell[:1].isdigit():
        return None
    if cell.endswith("%"):
        return float(cell[:-1]) / 100
    return float(cell.replace(",", ""))


def column(table, index: int) -> list[float | None]:
    return [figure(row[index]) for row in table.rows]


def test_the_outcomes_table_holds_the_bars_and_lines_figures():
    rows = [
        SimpleNamespace(month=m, job_starts=j, caseload=c, in_work=w, status="approved")
        for m, j, c, w in zip(MONTHS, [2, 0, 5], [1204, 20, 31], [15, 0, 9], strict=True)
    ]
    chart = site_outcomes_chart(rows, approved_only=True)
    traces = json.loads(chart)["data"]
    table = chart.table
    assert table.caption == "Approved monthly figures"
    assert [c.header for c in table.columns] == ["Month", "Job starts", "Caseload", "In work"]
    assert [row[0] for row in table.rows] == ["November 2025", "December 2025", "January 2026"]
    for index, trace in enumerate(traces, start=1):
        assert trace["name"] == table.columns[index].header
        assert column(table, index) == trace["y"]
    assert table.rows[0][2] == "1,204"


def test_the_outcomes_table_says_which_months_await_approval():
    rows = [
        SimpleNamespace(month=m, job_starts=2, caseload=20, in_work=5, status=status)
        for m, status in zip(MONTHS, ["approved", "submitted", "approved"], strict=True)
    ]
    table = site_outcomes_chart(rows).table
    assert table.caption == "Submitted and approved monthly figures"
    assert table.columns[-1].header == "Approval"
    assert [row[-1] for row in table.rows] == ["Approved", "Awaiting approval", "Approved"]


def test_the_rates_table_holds_the_lines_percentages():
    rows = [
        SimpleNamespace(month=MONTHS[0], employment_rate=0.25, job_start_rate=0.125),
        SimpleNamespace(month=MONTHS[1], employment_rate=None, job_start_rate=None),
        SimpleNamespace(month=MONTHS[2], employment_rate=1 / 3, job_start_rate=0.0),
    ]
    chart = site_rates_chart(rows, "The last 12 complete months")
    traces = json.loads(chart)["data"]
    table = chart.table
    assert table.caption == "Monthly rates: The last 12 complete months"
    assert table.rows == (
        ("November 2025", "25.0%", "12.5%"),
        ("December 2025", "not available", "not available"),
        ("January 2026", "33.3%", "0.0%"),
    )
    for index, trace in enumerate(traces, start=1):
        assert trace["name"] == table.columns[index].header
        # To the page's one decimal place of a percentage.
        expected = [None if y is None else round(y * 100, 1) for y in trace["y"]]
        assert [None if v is None else round(v * 100, 1) for v in column(table, index)] == expected
    assert site_rates_chart(rows).table.caption == "Monthly rates"
