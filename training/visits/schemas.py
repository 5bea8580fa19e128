"""The JSON shapes of visits, their actions and trainer assignments (API.md).

Input schemas check types and enumerations; training/services.py checks the rest (a visit in the
future, an action without an owner, overlapping assignments) and answers in the same shape, with
the same words as the visit form.
"""

from __future__ import annotations

from collections.abc import Iterable

from marshmallow import Schema, fields, validate

from core.schemas import Text, date_field, id_field
from training.models import VISIT_PURPOSES
from training.visits.actions import ActionStatus
from training.visits.services import MAX_NOTE

NOTE_TOO_LONG = f"The note must be {MAX_NOTE:,} characters or fewer"


def _choose(options: Iterable[str]) -> str:
    return f"Choose one of: {', '.join(options)}"


def _version(what: str) -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        error_messages={"required": f"Send the version of the {what} you read"},
        metadata={"description": "The version you read; a stale one answers 409"},
    )


class VisitActionIn(Schema):
    description = Text(allow_none=True, metadata={"description": "What the site agreed to do"})
    owner = Text(allow_none=True, metadata={"description": "A role or team, not a person"})
    due_on = date_field(allow_none=True)


class VisitIn(Schema):
    visited_on = date_field(
        required=True, error_messages={"required": "Enter the date of the visit"}
    )
    purpose = Text(
        required=True,
        validate=validate.OneOf(VISIT_PURPOSES, error=_choose(VISIT_PURPOSES)),
        error_messages={"required": _choose(VISIT_PURPOSES)},
    )
    summary = Text(
        required=True,
        error_messages={"required": "Enter a summary of the visit"},
        metadata={"description": "What was done. No names or details of any individual."},
    )
    actions = fields.List(
        fields.Nested(VisitActionIn),
        load_default=list,
        metadata={"description": "The actions agreed: [{description, owner, due_on}]"},
    )


class VisitActionOut(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": list(tuple(ActionStatus))})
    closed_on = fields.Date(allow_none=True)
    note = fields.String(
        allow_none=True, metadata={"description": "Said when it was done or dropped"}
    )
    version = fields.Integer()


class VisitOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    trainer_id = fields.Integer(allow_none=True)
    visited_on = fields.Date()
    purpose = fields.String(metadata={"enum": list(VISIT_PURPOSES)})
    summary = fields.String()
    version = fields.Integer()
    actions = fields.List(fields.Nested(VisitActionOut))


class VisitPage(Schema):
    items = fields.List(fields.Nested(VisitOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ActionPatch(Schema):
    status = Text(
        required=True,
        validate=validate.OneOf(tuple(ActionStatus), error=_choose(tuple(ActionStatus))),
        error_messages={"required": _choose(tuple(ActionStatus))},
    )
    closed_on = date_field(
        allow_none=True,
        metadata={"description": "When it was done or dropped; today when not sent"},
    )
    note = Text(
        allow_none=True,
        validate=validate.Length(max=MAX_NOTE, error=NOTE_TOO_LONG),
        metadata={
            "description": "How it was done or why it was dropped (no names or details of any "
            "individual); null or blank clears it, and opening the action again clears it; "
            "kept when not sent"
        },
    )
    version = _version("action")


class AgreedActionOut(VisitActionOut):
    site_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    review_id = fields.Integer(allow_none=True)
    item = fields.Integer(allow_none=True, metadata={"description": "A review action's item"})


class AssignmentIn(Schema):
    user_id = id_field(required=True, error_messages={"required": "Choose the trainer"})
    starts_on = date_field(
        required=True, error_messages={"required": "Enter the first day of the assignment"}
    )
    ends_on = date_field(
        allow_none=True, metadata={"description": "The last day; null while it goes on"}
    )


class AssignmentOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    site_id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    version = fields.Integer()
