"""The JSON shapes of queries on returns (API.md, "Returns workflow, queries and completeness"):
a query with its answers, the list of a return's queries, raising one and answering one."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.paging import PageArgs
from core.schemas import StrictBoolean, Text, UtcDateTime
from sites.returns import rules as return_rules
from sites.returns.questions.services import (
    FIGURE_CHOICES,
    MAX_TEXT,
    STATUSES,
    TEXT_TOO_LONG,
)


def _name(user: Any) -> str | None:
    return None if user is None else str(user.name)


class AnswerOut(Schema):
    text = fields.String()
    by = fields.Function(
        lambda answer: _name(answer.answered_by),
        metadata={"type": "string", "nullable": True, "description": "Who answered"},
    )
    at = UtcDateTime(attribute="created_at")


class QueryOut(Schema):
    id = fields.Integer()
    return_id = fields.Integer()
    field = fields.String(
        attribute="figure",
        allow_none=True,
        metadata={"enum": list(return_rules.FIGURES), "description": "null: the whole return"},
    )
    text = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    raised_by = fields.Function(
        lambda query: _name(query.raised_by),
        metadata={"type": "string", "nullable": True, "description": "Who raised it"},
    )
    raised_at = UtcDateTime(attribute="created_at")
    closed_at = UtcDateTime(allow_none=True)
    answers = fields.List(fields.Nested(AnswerOut), metadata={"description": "Oldest first"})
    version = fields.Integer()


class QueryPage(Schema):
    items = fields.List(fields.Nested(QueryOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


QueryListArgs = PageArgs

_BOUNDED = validate.Length(max=MAX_TEXT, error=TEXT_TOO_LONG)


class QueryIn(Schema):
    field = Text(
        allow_none=True,
        validate=validate.OneOf(tuple(return_rules.FIGURES), error=FIGURE_CHOICES),
        metadata={"description": "The figure queried; leave it out to query the whole return"},
    )
    text = Text(
        required=True,
        validate=[validate.Length(min=1, error="Enter the query"), _BOUNDED],
        error_messages={"required": "Enter the query"},
        metadata={"description": "The question (no names or details of any individual)"},
    )


class AnswerIn(Schema):
    text = Text(
        required=True,
        validate=[validate.Length(min=1, error="Enter an answer"), _BOUNDED],
        error_messages={"required": "Enter an answer"},
        metadata={"description": "The answer (no names or details of any individual)"},
    )
    close = StrictBoolean(
        load_default=False, metadata={"description": "true: this answers the query; close it"}
    )
    version = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "The query's version as read; a stale one is 409"},
    )
