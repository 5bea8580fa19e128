"""The one Month type: its parser, its arithmetic, its URL converter and its schema field."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from core.months import (
    MonthField,
    add_months,
    financial_year_start,
    month_end,
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


@given(days)
def test_a_month_reads_back_from_its_slug(day):
    assert parse_month(month_slug(day)) == month_start(day)


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
