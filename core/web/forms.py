"""The small field types every package's forms share: dates typed in the three boxes of the
NHS.UK date input, record choices with a blank first option, whole numbers with a floor and a
ceiling, and the hidden version of an edit; and PortalForm, the base of every form, whose text
fields refuse what PostgreSQL cannot store. Their limits are core.limits'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectChoice, StringField
from wtforms.meta import DefaultMeta
from wtforms.utils import unset_value
from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from core.limits import FIRST_DAY, LAST_DAY, MAX_COUNT, day_in_range, id_in_range, text_problem

DATE_HINT = "For example, 1 April 2015"
DAY_RANGE = f"must be between {FIRST_DAY.day} {FIRST_DAY:%B %Y} and {LAST_DAY.day} {LAST_DAY:%B %Y}"
DATE_PARTS = ("day", "month", "year")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to a record id; the blank 'Choose...' option is None."""
    if value in (None, ""):
        return None
    return int(value)


def box_name(name: str, part: str) -> str:
    """The name one box of a date posts under, as the NHS.UK dateInput macro names it from its
    namePrefix: `name[day]`, `name[month]`, `name[year]` (and the box's id is `id-day`...)."""
    return f"{name}[{part}]"


@dataclass(frozen=True)
class TypedDay:
    """The three boxes of a date, read: the date (None when blank or wrong), the message when
    wrong, and the boxes the message is about (none: the whole date)."""

    day: date | None
    message: str | None = None
    parts: tuple[str, ...] = ()


def read_day(boxes: Mapping[str, str], what: str) -> TypedDay:
    """A date typed as day, month and year, checked as the NHS.UK date input pattern asks: every
    box blank is no date; a blank box is named (`what` must include a month); a box that cannot
    be right, or a date that does not exist, is not a real date. The month may be a number or its
    name ("April", "apr")."""
    typed = {part: str(boxes.get(part) or "").strip() for part in DATE_PARTS}
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if len(missing) == len(DATE_PARTS):
        return TypedDay(None)
    if missing:
        named = " and ".join(missing)
        return TypedDay(None, f"{what[:1].upper()}{what[1:]} must include a {named}", missing)
    not_real = f"Enter {what} as a real date, for example 1 April 2015"
    day = _whole(typed["day"], 2)
    month = _whole(typed["month"], 2)
    if month is None and len(typed["month"]) >= 3:
        month = next(
            (n for n, name in enumerate(MONTHS, 1) if name.startswith(typed["month"].lower())), None
        )
    year = _whole(typed["year"], 4) if len(typed["year"]) == 4 else None
    wrong = tuple(
        part
        for part, value, low, high in (
            ("day", day, 1, 31),
            ("month", month, 1, 12),
            ("year", year, 1000, 9999),
        )
        if value is None or not low <= value <= high
    )
    if wrong or day is None or month is None or year is None:
        return TypedDay(None, not_real, wrong)
    try:
        typed_day = date(year, month, day)
    except ValueError:  # a day the month does not have, like 31 February
        return TypedDay(None, not_real, ("day",))
    if not day_in_range(typed_day):
        return TypedDay(None, f"{what[:1].upper()}{what[1:]} {DAY_RANGE}", ("year",))
    return TypedDay(typed_day)


def _whole(text: str, digits: int) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


class DayMonthYearField(Field):  # type: ignore[misc]
    """A date typed in the three boxes of the NHS.UK date input (render it with the `date_field`
    macro of templates/macros.html). Its data is a date, or None when left blank or wrong; after a
    post the boxes show what was typed, and `error_parts` names the boxes a message is about."""

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        what: str,
        required: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what, self.required = what, required
        self.typed: dict[str, str] | None = None
        self.error_parts: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(None, data, extra_filters)  # the record's date, or the default
        self.typed, self.error_parts, self.raw_data = None, (), []
        names = {part: box_name(self.name, part) for part in DATE_PARTS}
        if formdata is None or not any(name in formdata for name in names.values()):
            return  # as other fields do, a post without the field keeps the record's value
        self.typed = {part: str(formdata.get(name) or "").strip() for part, name in names.items()}
        self.raw_data = list(self.typed.values())
        typed = read_day(self.typed, self.what)
        self.data, self.error_parts = typed.day, typed.parts
        if typed.message:
            self.process_errors.append(typed.message)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.required and self.data is None:
            raise StopValidation(self.required)

    @property
    def boxes(self) -> dict[str, str]:
        """What the boxes show: what was typed, else the date's numbers, else nothing."""
        if self.typed is not None:
            return dict(self.typed)
        if isinstance(self.data, date):
            return {
                "day": str(self.data.day),
                "month": str(self.data.month),
                "year": str(self.data.year),
            }
        return dict.fromkeys(DATE_PARTS, "")

    @property
    def focus_id(self) -> str:
        """The box an error summary links to: the first one with an error, else the day."""
        return f"{self.id}-{(self.error_parts or DATE_PARTS)[0]}"


def day_field(label: str, what: str, *, required: str | None = None, hint: str = DATE_HINT) -> Any:
    """A date typed in the NHS.UK date input; `what` names it in its messages ("the launch
    date"); `required` is the message when it is left blank (else it is optional)."""
    return DayMonthYearField(label, what=what, required=required, description=hint)


def error_href(field: Any) -> str:
    """An error summary's link to a field: a date's first box with an error, else the field."""
    return "#" + str(getattr(field, "focus_id", field.id))


def at_least(minimum: int, message: str) -> Any:
    """Like NumberRange(min=...), but silent when there is no number: the field's own message
    (blank, or not a number) is the one to show."""

    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data < minimum:
            raise ValidationError(message)

    return check


def at_most(maximum: int, message: str) -> Any:
    """Like NumberRange(max=...), silent when there is no number (see at_least)."""

    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data > maximum:
            raise ValidationError(message)

    return check


def count_limit(what: str) -> Any:
    """The ceiling of a whole-number count or target: "The job-start target must be 1,000,000
    or less"."""
    return at_most(MAX_COUNT, f"{what[:1].upper()}{what[1:]} must be {MAX_COUNT:,} or less")


def query_id(name: str) -> int | None:
    """A record's id from the query string: None when absent, not a number or out of range (the
    page then shows everything, as for an id that is not found)."""
    number = request.args.get(name, type=int)
    return number if number is not None and id_in_range(number) else None


def refuse_unstorable_text(label: str) -> Any:
    """A filter that makes text PostgreSQL cannot store (a NUL) the field's error."""
    name = label.removesuffix(" (optional)")

    def check(value: Any) -> Any:
        if isinstance(value, str) and text_problem(value):
            raise ValueError(f"{name} must not contain NUL or other unstorable characters")
        return value

    return check


class PortalForm(FlaskForm):  # type: ignore[misc]
    """The base of every form: each of its text fields (StringField and the fields built on it:
    text areas, e-mail, password, hidden) refuses unstorable text with a message at the field,
    so no text field can be forgotten."""

    class Meta(DefaultMeta):  # type: ignore[misc]
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.filters = (refuse_unstorable_text(str(field.label.text)), *field.filters)
            return field


def version_field() -> Any:
    """The version of the record an edit started from, sent back to the service."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def options(choices: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in choices.items()]


def blank(text: str, choices: dict[str, str] | list[SelectChoice]) -> list[SelectChoice]:
    """The choices after a first, empty one ('Choose a region') that nothing is chosen yet."""
    return [SelectChoice("", text), *(options(choices) if isinstance(choices, dict) else choices)]
