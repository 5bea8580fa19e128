"""Reading a date typed in the three boxes of the NHS.UK date input (core.web.forms.read_day):
the date, or the message and the boxes it is about."""

from __future__ import annotations

from datetime import date

import pytest

from core.web.forms import TypedDay, read_day

REAL = "Enter the date of the visit as a real date, for example 1 April 2015"


def typed(day: str, month: str, year: str) -> TypedDay:
    return read_day({"day": day, "month": month, "year": year}, "the date of the visit")


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("1", "4", "2015", date(2015, 4, 1)),
        ("01", "04", "2015", date(2015, 4, 1)),
        (" 1 ", " 4", "2015 ", date(2015, 4, 1)),
        ("1", "April", "2015", date(2015, 4, 1)),
        ("1", "apr", "2015", date(2015, 4, 1)),
        ("29", "2", "2024", date(2024, 2, 29)),
    ],
)
def test_a_real_date_is_read(day, month, year, expected):
    assert typed(day, month, year) == TypedDay(expected)


def test_three_blank_boxes_are_no_date_and_no_message():
    assert typed("", " ", "") == TypedDay(None)
    assert read_day({}, "the date of the visit") == TypedDay(None)


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("", "4", "2015", "The date of the visit must include a day", ("day",)),
        ("1", "", "2015", "The date of the visit must include a month", ("month",)),
        ("1", "4", "", "The date of the visit must include a year", ("year",)),
        ("", "", "2015", "The date of the visit must include a day and month", ("day", "month")),
        ("1", "", "", "The date of the visit must include a month and year", ("month", "year")),
    ],
)
def test_a_missing_box_is_named_and_marked(day, month, year, message, parts):
    assert typed(day, month, year) == TypedDay(None, message, parts)


@pytest.mark.parametrize(
    ("day", "month", "year", "parts"),
    [
        ("31", "2", "2025", ("day",)),  # a day February does not have
        ("29", "2", "2025", ("day",)),  # not a leap year
        ("32", "1", "2025", ("day",)),
        ("0", "1", "2025", ("day",)),
        ("1", "13", "2025", ("month",)),
        ("1", "Smarch", "2025", ("month",)),
        ("1", "4", "25", ("year",)),  # two figures: which century?
        ("1", "4", "0999", ("year",)),
        ("first", "4", "2015", ("day",)),
        ("1", "4", "twenty", ("year",)),
        ("1.5", "4", "2015", ("day",)),
        ("١", "4", "2015", ("day",)),  # an Arabic-Indic one: digits are 0 to 9
        ("x", "y", "z", ("day", "month", "year")),
    ],
)
def test_a_date_that_cannot_be_is_not_real_and_its_wrong_boxes_are_marked(day, month, year, parts):
    assert typed(day, month, year) == TypedDay(None, REAL, parts)
