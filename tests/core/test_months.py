"""The one Month type: its parser, its arithmetic, its URL converter and its schema field."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from core.limits import FIRST_DAY, LAST_DAY
from core.months import (
    MONTH_FORMAT,
    MONTH_OUT_OF_RANGE,
    MonthField,
    add_months,
    financial_year_start,
    month_end,
    month_error,
    month_slug,
    month_start,
    months_between,
    months_in,
    next_month,
    parse_month,
    previous_month,
)

days = st.dates(min_value=date(1, 2, 1), max_value=date(9999, 11, 30))
# Spans short enough that listing every month between two of them stays quick.
near_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-03", date(2024, 3, 1)), ("1990-01", date(1990, 1, 1)), ("2024-12", date(2024, 12, 1))],
)
def test_a_month_is_written_yyyy_mm(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "text",
    ["2024-3", "2024-13", "2024-00", "0000-05", "24-03", " 2024-03", "2024-03 ", "2024/03",
     "2024-٠٣", "٢٠٢٤-03", "", None, 202403, "2024-03-01"],
)  # fmt: skip
def test_anything_else_is_not_a_month(text):
    assert parse_month(text) is None


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_a_month_reads_back_from_its_slug(day):
    assert parse_month(month_slug(day)) == month_start(day)


@given(days)
def test_only_the_months_from_1990_to_2100_are_read(day):
    """Outside them a month is "not found" in a path and a message in a body or a form."""
    slug = month_slug(day)
    inside = FIRST_DAY <= day <= LAST_DAY
    assert (parse_month(slug) is not None) == inside
    assert month_error(slug) == (None if inside else MONTH_OUT_OF_RANGE)


@pytest.mark.parametrize(
    ("text", "message"),
    [("2024-03", None), ("1990-01", None), ("2100-12", None), ("1989-12", MONTH_OUT_OF_RANGE),
     ("2101-01", MONTH_OUT_OF_RANGE), ("0000-05", MONTH_OUT_OF_RANGE), ("2024-13", MONTH_FORMAT),
     ("\ud800", MONTH_FORMAT), (None, MONTH_FORMAT)],
)  # fmt: skip
def test_month_error_says_why_a_month_is_not_read(text, message):
    assert month_error(text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [("1989-12", MONTH_OUT_OF_RANGE), ("9999-12", MONTH_OUT_OF_RANGE), ("2024-13", MONTH_FORMAT)],
)
def test_the_schema_field_refuses_months_outside_the_years_with_their_message(text, message):
    with pytest.raises(ValidationError) as refused:
        MonthField().deserialize(text)
    assert refused.value.messages == [message]


@given(days, st.integers(min_value=-1200, max_value=1200))
def test_adding_months_then_taking_them_away_returns(day, n):
    month = month_start(day)
    try:
        moved = add_months(month, n)
    except ValueError:  # beyond year 1 or 9999
        return
    assert add_months(moved, -n) == month
    assert months_in(min(month, moved), max(month, moved)) == abs(n) + 1


@given(days)
def test_next_and_previous_months_border_the_month(day):
    month = month_start(day)
    assert previous_month(next_month(month)) == month
    assert month_end(month) < next_month(month) <= month_end(next_month(month))
    assert (next_month(month) - month_end(month)).days == 1


@given(near_days, near_days)
def test_months_between_lists_every_month_once_in_order(first, last):
    months = months_between(first, last)
    assert len(months) == (months_in(first, last) if first <= last else 0)
    assert months == sorted(set(months))
    assert all(month.day == 1 for month in months)


def test_financial_years_start_in_april():
    assert financial_year_start(date(2026, 3, 31)) == date(2025, 4, 1)
    assert financial_year_start(date(2026, 4, 1)) == date(2026, 4, 1)


def test_the_schema_field_speaks_yyyy_mm():
    field = MonthField()
    assert field.deserialize("2024-03") == date(2024, 3, 1)
    assert field.serialize("month", {"month": date(2024, 3, 1)}) == "2024-03"
    with pytest.raises(ValidationError, match="YYYY-MM"):
        field.deserialize("March 2024")


def test_the_url_converter_answers_not_found_for_a_bad_month(client, login_as, make):
    login_as("admin")
    site = make.site()
    assert client.get(f"/sites/{site.id}/returns/2024-03").status_code == 200
    assert client.get(f"/sites/{site.id}/returns/2024-13").status_code == 404
    assert client.get(f"/sites/{site.id}/returns/2024-3").status_code == 404
