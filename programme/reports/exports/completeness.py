"""The completeness export: returns expected, received, on time and approved over a period, as
one table whose rows are told apart by `level`: the total, then each region, each programme and
each site (programme.completeness.queries reads them). Counts of returns, not of people: open
data publishes them as they are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.tables import ID, MONTH, NUMBER, RATE, TEXT, Column, Table
from programme.completeness.queries import (
    CompletenessFilters,
    CompletenessReport,
    default_months,
    reporting_completeness,
)
from programme.reports.exports.scope import TITLES, ExportScope
from sites.models import REGIONS
from sites.returns.completeness import Completeness

LEVELS = {"total": "Total", "region": "Region", "programme": "Programme", "site": "Site"}
COMPLETENESS_COLUMNS = (
    Column("level", TEXT, 11, label="Level", labels=LEVELS),
    Column("region", TEXT, 24, label="Region", labels=REGIONS),
    Column("programme_id", ID, 12, label="Programme ID"),
    Column("programme", TEXT, 32, label="Programme"),
    Column("site_id", ID, 8, label="Site ID"),
    Column("site", TEXT, 32, label="Site"),
    Column("organisation", TEXT, 36, label="Organisation"),
    Column("first_month", MONTH, 10, label="From"),
    Column("last_month", MONTH, 10, label="To"),
    Column("expected", NUMBER, 10, label="Returns expected"),
    Column("received", NUMBER, 10, label="Received"),
    Column("on_time", NUMBER, 10, label="Received on time"),
    Column("approved", NUMBER, 10, label="Approved"),
    Column("reporting_rate", RATE, 11, label="Reporting rate"),
    Column("on_time_rate", RATE, 11, label="On-time rate"),
)
NOTES = (
    "Expected: the months in which a site took part in a programme, up to the last month that "
    "has ended (each site once a month, whatever its programmes; a programme's row counts the "
    "months its sites took part in it). Received: returns submitted or approved. On time: "
    "first submitted by the due date, the 10th working day after the month ends (England and "
    "Wales bank holidays are not working days).",
    "Reporting rate: received over expected; on-time rate: on time over expected; empty when "
    "no return was expected.",
)


def _counts(counts: Completeness) -> tuple[Any, ...]:
    return (
        counts.expected,
        counts.received,
        counts.on_time,
        counts.approved,
        counts.reporting_rate,
        counts.on_time_rate,
    )


def report_table(report: CompletenessReport) -> Table:
    """The report as one table: the total, each region, each programme, each site."""
    months = (report.first, report.last)

    def rows() -> Iterator[tuple[Any, ...]]:
        yield ("total", None, None, None, None, None, None, *months, *_counts(report.total))
        for region in report.regions:
            yield (
                ("region", region.region, None, None, None, None, None)
                + months
                + _counts(region.counts)
            )
        for programme in report.programmes:
            yield (
                ("programme", None, programme.programme_id, programme.name, None, None, None)
                + months
                + _counts(programme.counts)
            )
        for site in report.sites:
            yield (
                ("site", site.region, None, None, site.site_id, site.name, site.organisation)
                + months
                + _counts(site.counts)
            )

    return Table("completeness", TITLES["completeness"], COMPLETENESS_COLUMNS, rows(), NOTES)


def completeness_table(scope: ExportScope) -> Table:
    """The export within `scope`: its period, or the last 12 months that have ended."""
    if scope.period is not None:
        first, last = scope.period.first, scope.period.last
    else:
        first, last = default_months(None, scope.on)
    filters = CompletenessFilters(
        first,
        last,
        programme_id=scope.programme_id,
        site_ids=scope.site_ids,
        programme_ids=scope.programme_ids,
        site_id=scope.site_id,
    )
    return report_table(reporting_completeness(filters, scope.on))
