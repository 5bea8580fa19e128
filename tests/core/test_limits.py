"""The bounds of every input (core.limits) and the shared field types that hold them: the API's
text, count, id and date fields (core.schemas), the form date input and PortalForm's text fields
(core.web.forms), and the depth of a JSON body (core.web.json_limits)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField, TextAreaField

from core.limits import (
    COUNT_TOO_LARGE,
    DAY_OUT_OF_RANGE,
    HAS_LONE_SURROGATE,
    HAS_NUL,
    ID_OUT_OF_RANGE,
    text_problem,
)
from core.schemas import Count, Text, date_field, id_field
from core.web.forms import PortalForm, TypedDay, count_limit, read_day
from core.web.json_limits import json_depth


def refused(field, value) -> list[str]:
    with pytest.raises(ValidationError) as error:
        field.deserialize(value)
    return error.value.messages


@pytest.mark.parametrize(
    ("text", "problem"),
    [("Leeds", None), ("", None), ("a\x00b", HAS_NUL), ("a\ud800b", HAS_LONE_SURROGATE),
     ("\udfff", HAS_LONE_SURROGATE), ("Zürich 😀", None)],
)  # fmt: skip
def test_text_problem_names_what_postgresql_cannot_store(text, problem):
    assert text_problem(text) == problem


def test_the_api_text_field_refuses_nul_and_lone_surrogates():
    assert Text().deserialize("Bradford IPS") == "Bradford IPS"
    assert refused(Text(), "Brad\x00ford") == [HAS_NUL]
    assert refused(Text(), json.loads('"Brad\\ud800ford"')) == [HAS_LONE_SURROGATE]


@pytest.mark.parametrize("number", [1_000_001, 2**31, 10**20])
def test_a_count_is_at_most_a_million(number):
    assert Count().deserialize(1_000_000) == 1_000_000
    assert refused(Count(), number) == [COUNT_TOO_LARGE]


@pytest.mark.parametrize("number", [0, -1, 2**31, 10**20])
def test_an_id_is_from_1_to_2147483647(number):
    assert id_field().deserialize(2**31 - 1) == 2**31 - 1
    assert refused(id_field(), number) == [ID_OUT_OF_RANGE]
    assert refused(id_field(strict=False), str(number)) == [ID_OUT_OF_RANGE]


@pytest.mark.parametrize("text", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
def test_an_api_date_is_from_1990_to_2100(text):
    assert date_field().deserialize("1990-01-01") == date(1990, 1, 1)
    assert date_field().deserialize("2100-12-31") == date(2100, 12, 31)
    assert refused(date_field(), text) == [DAY_OUT_OF_RANGE]


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [("1989", "12", "31"), ("2101", "1", "1"), ("9999", "12", "31"), ("1000", "1", "1")],
)
def test_a_typed_date_outside_1990_to_2100_is_a_message_at_its_year(year, month, day):
    typed = read_day({"day": day, "month": month, "year": year}, "the start date")
    assert typed == TypedDay(
        None, "The start date must be between 1 January 1990 and 31 December 2100", ("year",)
    )
    assert read_day({"day": "1", "month": "1", "year": "1990"}, "x") == TypedDay(date(1990, 1, 1))


class NameForm(PortalForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    summary = TextAreaField("Summary (optional)")
    target = IntegerField("Target", validators=[count_limit("the target")])


@pytest.mark.parametrize("field", ["name", "summary"])
def test_every_text_field_of_a_portal_form_refuses_a_nul_at_the_field(app, field):
    with app.test_request_context():
        form = NameForm(formdata=MultiDict({field: "Leeds\x00", "target": "1"}))
        assert not form.validate()
        label = form[field].label.text.removesuffix(" (optional)")
        assert form.errors == {
            field: [f"{label} must not contain NUL or other unstorable characters"]
        }
        assert NameForm(formdata=MultiDict({field: "Leeds", "target": "1"})).validate()


@pytest.mark.parametrize("typed", ["1000001", "2147483648", "99999999999999999999"])
def test_a_count_limit_caps_a_form_number_at_a_million(app, typed):
    with app.test_request_context():
        form = NameForm(formdata=MultiDict({"target": typed}))
        assert not form.validate()
        assert form.errors == {"target": ["The target must be 1,000,000 or less"]}


@pytest.mark.parametrize(
    ("body", "depth"),
    [(b"1", 0), (b"{}", 1), (b'{"a": [1, {"b": []}]}', 4), (b'{"a": "[[[[{{{{"}', 1),
     (b'["\\"[[[", []]', 2), (b"[" * 1000 + b"]" * 1000, 1000), (b"[[[", 3)],
)  # fmt: skip
def test_json_depth_counts_nesting_outside_strings(body, depth):
    assert json_depth(body) == depth
