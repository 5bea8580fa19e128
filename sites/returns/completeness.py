"""Reporting completeness and timeliness. Pure: no Flask, no SQLAlchemy.

Over a period, for a site (and summed for a programme or region): returns expected (months in
which the site takes part, up to the last month that has ended), received (submitted or
approved), received on time (first submitted by the month's due date under the late-returns
rule), approved; the reporting rate is received / expected and the on-time rate on time /
expected, each None when nothing was expected (DESIGN.md, "Completeness").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RECEIVED = frozenset({"submitted", "approved"})


@dataclass(frozen=True)
class Completeness:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    approved: int = 0

    def __add__(self, other: Completeness) -> Completeness:
        return Completeness(
            self.expected + other.expected,
            self.received + other.received,
            self.on_time + other.on_time,
            self.approved + other.approved,
        )

    @property
    def reporting_rate(self) -> float | None:
        return rate(self.received, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.expected)

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "approved": self.approved,
            "reporting_rate": self.reporting_rate,
            "on_time_rate": self.on_time_rate,
        }


def rate(part: int, whole: int) -> float | None:
    """A share from 0 to 1, rounded to 4 places as the API gives rates; None when none expected."""
    if whole <= 0:
        return None
    return round(min(max(part, 0), whole) / whole, 4)


def month_counts(status: str | None, first_submitted_on: date | None, due_on: date) -> Completeness:
    """One expected month of one site: what it adds to the counts. `status` is its return's
    (None when there is none); `first_submitted_on` the day it was first submitted."""
    received = status in RECEIVED
    on_time = received and first_submitted_on is not None and first_submitted_on <= due_on
    return Completeness(1, int(received), int(on_time), int(status == "approved"))


def total(parts: list[Completeness]) -> Completeness:
    return sum(parts, Completeness())
