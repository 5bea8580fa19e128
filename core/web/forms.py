"""The small field types every package's forms share: dates typed as text, record choices with a
blank first option, whole numbers with a floor, and the hidden version of an edit."""

from __future__ import annotations

from typing import Any

from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
)
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import HiddenInput

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]


DATE_HINT = "For example, 1 April 2015"


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to a record id; the blank 'Choose...' option is None."""
    if value in (None, ""):
        return None
    return int(value)


def day_field(label: str, what: str, *, required: str | None = None, hint: str = DATE_HINT) -> Any:
    """A date typed as an HTML date input; `what` names it in the message for a bad date."""
    return DateField(
        label,
        format=DATE_FORMATS,
        description=hint,
        invalid_value_message=f"Enter {what} as a real date, for example 1 April 2015",
        validators=[InputRequired(required)] if required else [Optional()],
    )


def at_least(minimum: int, message: str) -> Any:
    """Like NumberRange(min=...), but silent when there is no number: the field's own message
    (blank, or not a number) is the one to show."""

    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data < minimum:
            raise ValidationError(message)

    return check


def version_field() -> Any:
    """The version of the record an edit started from, sent back to the service."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def options(choices: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in choices.items()]


def blank(text: str, choices: dict[str, str] | list[SelectChoice]) -> list[SelectChoice]:
    """The choices after a first, empty one ('Choose a region') that nothing is chosen yet."""
    return [SelectChoice("", text), *(options(choices) if isinstance(choices, dict) else choices)]
