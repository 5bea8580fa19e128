"""Dates in form posts as a browser sends them: each date in the three boxes of the NHS.UK date
input, `name[day]`, `name[month]` and `name[year]` (core.web.forms.DayMonthYearField): spelt
out here, as a browser sees them in the page, not taken from the code under test."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def boxes(name: str, day: str = "", month: str = "", year: str = "") -> dict[str, str]:
    """One date's boxes as typed, blank ones included."""
    return {f"{name}[day]": day, f"{name}[month]": month, f"{name}[year]": year}


def posted(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with each date (a key with `_on` in its name whose value is a date, YYYY-MM-DD or
    blank) typed in its three boxes; YYYY-MM-DD need not be a real date ("2020-02-31" is typed
    31, 2, 2020). Anything else typed in a date is written with `boxes`, to say which box."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        if "_on" not in key or "[" in key:
            result[key] = value
        elif isinstance(value, date):
            result |= boxes(key, str(value.day), str(value.month), str(value.year))
        elif value == "":
            result |= boxes(key)
        elif match := ISO_DAY.match(str(value)):
            year, month, day = match.groups()
            result |= boxes(key, str(int(day)), str(int(month)), year)
        else:
            raise ValueError(f"{key}={value!r}: type the boxes with tests.dates.boxes")
    return result
