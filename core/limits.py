"""The bounds every input is held to, in the API and the pages alike (API.md, "Errors and
limits"): ids, counts and targets, dates, and text that PostgreSQL can store. Pure: the schema
fields (core.schemas), the month parser (core.months) and the form fields (core.web.forms) all
check through here, so that a limit lives in one place.
"""

from __future__ import annotations

import re
from datetime import date

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
MAX_COUNT = 1_000_000  # far above any programme's target; keeps typos out of the sums

# Nothing the network records happened before IPS reached the UK or lies beyond the century;
# bounding dates also bounds the month-by-month work a summary does between two of them.
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)

ID_OUT_OF_RANGE = f"Must be from 1 to {MAX_ID}"
COUNT_TOO_LARGE = f"must be {MAX_COUNT:,} or less"
DAY_OUT_OF_RANGE = f"Enter a date from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}"
HAS_NUL = "Must not contain NUL characters"
HAS_LONE_SURROGATE = "Must not contain unpaired surrogate characters"

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def id_in_range(number: int) -> bool:
    return 1 <= number <= MAX_ID


def day_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def text_problem(text: str) -> str | None:
    """Why PostgreSQL could not store `text` (a NUL, or half of a UTF-16 surrogate pair, as a
    JSON "\\ud800" decodes); None when it can."""
    if "\x00" in text:
        return HAS_NUL
    if _LONE_SURROGATE.search(text):
        return HAS_LONE_SURROGATE
    return None
