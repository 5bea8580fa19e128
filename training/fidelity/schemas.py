"""The JSON shapes of the fidelity API (API.md): the scale's items, a site's trajectory, a review
as sent and as answered, and the network profile.

Input schemas check the shape (types, required fields); the rules of a review (scores from 1 to 5,
all 25 to finalise, an action's owner) are training/reviews.py's, which answers with the same
field names: "scores.7", "notes.7", "actions.7.owner".
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.schemas import Text, date_field, id_field
from sites.models import REGIONS
from training.fidelity import scale as fidelity
from training.fidelity.services import MAX_REOPEN_REASON
from training.models import REVIEW_KINDS, REVIEW_STATUSES


def _choose(options: Any) -> str:
    return f"Choose one of: {', '.join(options)}"


class ItemOut(Schema):
    number = fields.Integer()
    section = fields.String(metadata={"enum": list(fidelity.SECTIONS)})
    name = fields.String()
    description = fields.String()
    anchors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": 'What each score means, keyed "1" to "5"'},
    )


class TrajectoryPointOut(Schema):
    id = fields.Integer()
    reviewed_on = fields.Date()
    kind = fields.String(metadata={"enum": list(REVIEW_KINDS)})
    total = fields.Integer(allow_none=True)
    band = fields.String(allow_none=True, metadata={"enum": list(fidelity.BANDS)})
    change = fields.Integer(
        allow_none=True,
        metadata={"description": "The total minus the previous final review's; null for the first"},
    )


_DUE_ON = date_field()


class ActionsIn(fields.Field):
    """{"7": {"description", "owner", "due_on"?}}: due dates are read as YYYY-MM-DD; everything
    else is checked by the service, so its messages name the same fields."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError("Send the actions as an object keyed by item number")
        errors: dict[str, Any] = {}
        actions: dict[str, Any] = {}
        for key, plan in value.items():
            if not isinstance(plan, dict):
                actions[key] = plan  # the service reports it
                continue
            unknown = sorted(set(plan) - {"description", "owner", "due_on"})
            if unknown:
                errors[str(key)] = {name: ["Unknown field."] for name in unknown}
                continue
            due_on = plan.get("due_on")
            if due_on is not None:
                try:
                    due_on = _DUE_ON.deserialize(due_on)
                except ValidationError as error:
                    errors[str(key)] = {"due_on": error.messages}
                    continue
            actions[key] = {**plan, "due_on": due_on}
        if errors:
            raise ValidationError(errors)
        return actions


class ReviewIn(Schema):
    reviewed_on = date_field(
        required=True, error_messages={"required": "Enter the date of the review"}
    )
    kind = Text(required=True, validate=validate.OneOf(REVIEW_KINDS, error=_choose(REVIEW_KINDS)))
    status = Text(
        required=True,
        validate=validate.OneOf(REVIEW_STATUSES, error=_choose(REVIEW_STATUSES)),
        metadata={"description": "draft, or final (which needs all 25 scores)"},
    )
    lead_reviewer = Text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Defaults to your name"},
    )
    scores = fields.Dict(
        required=True,
        keys=Text(),
        values=fields.Raw(allow_none=True),
        metadata={"description": 'Item number to score (1 to 5), e.g. {"1": 5, "7": 4}'},
    )
    notes = fields.Dict(keys=Text(), values=fields.Raw(allow_none=True))
    actions = ActionsIn(
        metadata={
            "description": "Item number to {description, owner, due_on?}: created as the review's "
            "action plan when it is final; due_on defaults to six weeks after the review"
        }
    )


class PlannedActionOut(Schema):
    description = fields.String()
    owner = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True, metadata={"description": "null: six weeks after"})


class ActionOut(Schema):
    id = fields.Integer()
    item = fields.Integer(allow_none=True)
    description = fields.String()
    owner = fields.String()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["open", "done", "dropped"]})
    version = fields.Integer()


class ReviewOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    version = fields.Integer()
    reviewed_on = fields.Date()
    kind = fields.String(metadata={"enum": list(REVIEW_KINDS)})
    status = fields.String(metadata={"enum": list(REVIEW_STATUSES)})
    lead_reviewer = fields.String()
    total = fields.Integer(allow_none=True, metadata={"description": "null while incomplete"})
    band = fields.String(allow_none=True, metadata={"enum": list(fidelity.BANDS)})
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    notes = fields.Dict(keys=fields.String(), values=fields.String())
    actions = fields.Dict(keys=fields.String(), values=fields.Nested(PlannedActionOut))
    action_plan = fields.List(
        fields.Nested(ActionOut),
        metadata={"description": "The actions created when the review was finalised"},
    )
    reopen_reason = fields.String(
        allow_none=True,
        metadata={"description": "Why an admin reopened it; null unless it is a draft again"},
    )


class ReopenIn(Schema):
    version = fields.Integer(
        required=True,
        strict=True,
        error_messages={
            "required": "Send the version of the review you read",
            "invalid": "Must be a whole number",
        },
        metadata={"description": "The version you read; a stale one answers 409"},
    )
    reason = Text(
        required=True,
        validate=validate.Length(
            max=MAX_REOPEN_REASON,
            error=f"The reason must be {MAX_REOPEN_REASON:,} characters or fewer",
        ),
        error_messages={
            "required": "Enter why you are reopening this review",
            "null": "Enter why you are reopening this review",
            "invalid": "Write the reason as text",
        },
        metadata={"description": "Why: kept on the draft and in the audit log"},
    )


class ProfileArgs(Schema):
    programme_id = id_field(strict=False)
    region = Text(validate=validate.OneOf(REGIONS, error=_choose(REGIONS)))


class ItemProfileOut(Schema):
    number = fields.Integer()
    section = fields.String()
    name = fields.String()
    mean = fields.Float(allow_none=True, metadata={"description": "2 places; null: no sites"})
    below_4 = fields.Integer()


class ProfileOut(Schema):
    sites = fields.Integer(metadata={"description": "Sites with a final review in the filter"})
    items = fields.List(fields.Nested(ItemProfileOut))
