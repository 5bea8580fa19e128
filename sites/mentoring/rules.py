"""The rules of a mentoring, pure: who may mentor whom, and when.

A site does not mentor itself; both dates lie in 1990..2100; the end is on or after the start;
and two sites are not in two mentorings at once (in either direction), so a lineage of who seeded
whom has one link per pair at any date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.limits import DAY_OUT_OF_RANGE, FIRST_DAY, LAST_DAY

Fields = dict[str, list[str]]

NOT_ITSELF = "Choose another site: a site does not mentor itself"
ENDS_BEFORE_START = "The end date must be on or after the start date"
OVERLAPS = "These two sites already have a mentoring on some of these dates"


@dataclass(frozen=True)
class Span:
    """A mentoring's dates; no end while it goes on."""

    starts_on: date
    ends_on: date | None = None

    def overlaps(self, other: Span) -> bool:
        """Whether the two share a day (both ends included)."""
        self_end = self.ends_on or date.max
        other_end = other.ends_on or date.max
        return self.starts_on <= other_end and other.starts_on <= self_end


def mentoring_problems(
    mentor_site_id: int,
    mentee_site_id: int,
    starts_on: date,
    ends_on: date | None,
    pair_spans: Iterable[Span] = (),
) -> Fields:
    """A message per field for a mentoring of these sites on these dates; {} when it is allowed.
    `pair_spans` are the other mentorings between the same two sites, either way round."""
    fields: Fields = {}
    if mentor_site_id == mentee_site_id:
        fields["mentee_site_id"] = [NOT_ITSELF]
    if not FIRST_DAY <= starts_on <= LAST_DAY:
        fields["starts_on"] = [DAY_OUT_OF_RANGE]
    if ends_on is not None and not FIRST_DAY <= ends_on <= LAST_DAY:
        fields["ends_on"] = [DAY_OUT_OF_RANGE]
    elif ends_on is not None and ends_on < starts_on:
        fields["ends_on"] = [ENDS_BEFORE_START]
    if not fields and any(Span(starts_on, ends_on).overlaps(span) for span in pair_spans):
        fields["starts_on"] = [OVERLAPS]
    return fields


def end_problems(starts_on: date, ends_on: date, pair_spans: Iterable[Span] = ()) -> Fields:
    """A message for ending on `ends_on` a mentoring that began on `starts_on`; {} when it may.
    `pair_spans` are the pair's other mentorings, which the new dates may not overlap."""
    if not FIRST_DAY <= ends_on <= LAST_DAY:
        return {"ends_on": [DAY_OUT_OF_RANGE]}
    if ends_on < starts_on:
        return {"ends_on": [ENDS_BEFORE_START]}
    if any(Span(starts_on, ends_on).overlaps(span) for span in pair_spans):
        return {"ends_on": [OVERLAPS]}
    return {}
