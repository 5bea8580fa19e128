"""The JSON shapes of the review cycle's API: the reviews due (API.md, "The Centre of Excellence
network")."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_WITHIN_DAYS = 36_500  # a century: far beyond any cadence


class ReviewsDueArgs(Schema):
    within_days = fields.Integer(
        load_default=90,
        validate=validate.Range(
            min=0, max=MAX_WITHIN_DAYS, error=f"Must be from 0 to {MAX_WITHIN_DAYS:,}"
        ),
        error_messages={"invalid": "Must be a whole number"},
        metadata={
            "description": "Sites whose next review is due within this many days from today, "
            "or overdue; 0: overdue and due today. 90 by default"
        },
    )


class ReviewDueOut(Schema):
    site_id = fields.Integer()
    name = fields.String()
    next_review_due = fields.Date()
    overdue = fields.Boolean(metadata={"description": "Due before today"})


class ReviewsDueOut(Schema):
    items = fields.List(
        fields.Nested(ReviewDueOut), metadata={"description": "Overdue first, then by due date"}
    )
