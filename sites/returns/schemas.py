"""The JSON shapes of monthly returns (API.md): the list, one return, and the body of a PUT."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.months import MonthField
from core.paging import PageArgs
from core.schemas import Text, UtcDateTime
from sites.models import RETURN_STATUSES
from sites.returns import rules as return_rules
from sites.returns.approval.services import MAX_REASON


class ReturnListArgs(PageArgs):
    from_month = MonthField(data_key="from")
    to_month = MonthField(data_key="to")

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("from_month"), data.get("to_month")
        if start and end and end < start:
            raise ValidationError("Must be on or after 'from'", field_name="to")


class UnusualOut(Schema):
    figure = fields.String(metadata={"description": "The figure's name, as in the return"})
    value = fields.Float()
    median = fields.Float(metadata={"description": "Its median over the site's last 12 months"})
    low = fields.Float(metadata={"description": "The usual range's low end"})
    high = fields.Float(metadata={"description": "The usual range's high end"})


HISTORY_MOVES = [
    "submit",
    "resubmit",
    "amend",
    "approve",
    "send_back",
    "reopen",
    "ask_to_reopen",
]


class StepOut(Schema):
    move = fields.String(metadata={"enum": HISTORY_MOVES})
    status = fields.String(
        metadata={"enum": list(RETURN_STATUSES), "description": "The status it led to"}
    )
    reason = fields.String(allow_none=True)
    by = fields.Function(
        lambda step: step.actor.name if step.actor else None,
        metadata={"type": "string", "nullable": True, "description": "Who made the step"},
    )
    at = UtcDateTime(attribute="created_at")


class ReturnOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    month = MonthField()
    status = fields.String(metadata={"enum": list(RETURN_STATUSES)})
    referrals = fields.Integer()
    caseload = fields.Integer()
    new_to_service = fields.Integer()
    first_contact_within_4_weeks = fields.Integer()
    job_starts = fields.Integer()
    in_work = fields.Integer()
    sustained_13_weeks = fields.Integer()
    employment_specialists_fte = fields.Float()
    discharges = fields.Integer()
    sectors = fields.Method(
        "_sectors",
        metadata={"type": "object", "additionalProperties": {"type": "integer"}},
    )
    submitted_at = UtcDateTime(allow_none=True)
    first_submitted_at = UtcDateTime(allow_none=True)
    approved_at = UtcDateTime(allow_none=True)
    unusual_figures = fields.Method(
        "_unusual",
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "Unusual figures its sender confirmed (figure, value, median, low, "
            "high), shown to its approver",
        },
    )
    version = fields.Integer()

    def _unusual(self, monthly_return: Any) -> list[dict[str, Any]]:
        return UnusualOut(many=True).dump(monthly_return.unusual_figures or [])

    def _sectors(self, monthly_return: Any) -> dict[str, int]:
        return {row.sector: row.job_starts for row in monthly_return.sectors}


class ReturnPage(Schema):
    items = fields.List(fields.Nested(ReturnOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class Figure(fields.Field):
    """A figure of a return, passed on as sent: sites/return_rules.py checks it, so the API, the
    form and the CSV import give the same message for the same mistake."""

    def __init__(self, description: str, number: bool = False, **kwargs: Any) -> None:
        kind = {"type": "number", "multipleOf": 0.01} if number else {"type": "integer"}
        metadata = kind | {"minimum": 0, "nullable": True, "description": description}
        super().__init__(allow_none=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return value


FIGURE_HELP = {
    "referrals": "People referred to the service in the month",
    "caseload": "People supported at the month's end, in-work support included",
    "new_to_service": "People who joined the caseload in the month",
    "first_contact_within_4_weeks": "Of those new to the service, people whose first employer "
    "contact came within 4 weeks",
    "job_starts": "Paid jobs started in the month",
    "in_work": "People on the caseload in paid work at the month's end; at most the caseload",
    "sustained_13_weeks": "People whose job start was three months earlier and who are still in "
    "work; at most that month's job starts",
    "employment_specialists_fte": "Employment specialists, full-time equivalent (2 places)",
    "discharges": "People who left the caseload in the month",
}


class ReturnIn(Schema):
    """PUT body. Every figure is needed to submit; a draft may leave some out."""

    submit = fields.Boolean(
        load_default=False,
        metadata={"description": "true submits; a submitted return stays submitted"},
    )
    version = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "The version you read; needed when the return exists"},
    )
    confirm_warnings = fields.Boolean(
        load_default=False,
        metadata={"description": "true saves a return whose figures raise warnings"},
    )
    sectors = fields.Raw(
        allow_none=True,
        metadata={
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
            "description": "Job starts by sector; they must add up to job_starts. Sectors: "
            + ", ".join(return_rules.SECTORS),
        },
    )
    referrals = Figure(FIGURE_HELP["referrals"])
    caseload = Figure(FIGURE_HELP["caseload"])
    new_to_service = Figure(FIGURE_HELP["new_to_service"])
    first_contact_within_4_weeks = Figure(FIGURE_HELP["first_contact_within_4_weeks"])
    job_starts = Figure(FIGURE_HELP["job_starts"])
    in_work = Figure(FIGURE_HELP["in_work"])
    sustained_13_weeks = Figure(FIGURE_HELP["sustained_13_weeks"])
    employment_specialists_fte = Figure(FIGURE_HELP["employment_specialists_fte"], number=True)
    discharges = Figure(FIGURE_HELP["discharges"])


class ReturnDetail(ReturnOut):
    """One return with its approval history, oldest step first."""

    steps = fields.List(fields.Nested(StepOut))


class ReasonIn(Schema):
    """The body of send-back and reopen: the version read and why."""

    version = fields.Integer(
        required=True,
        strict=True,
        error_messages={
            "required": "Send the version of the return you read",
            "invalid": "Must be a whole number",
        },
        metadata={"description": "The version you read; a stale one answers 409"},
    )
    reason = Text(
        required=True,
        validate=validate.Length(
            max=MAX_REASON, error=f"The reason must be {MAX_REASON:,} characters or fewer"
        ),
        error_messages={
            "required": "Enter the reason",
            "null": "Enter the reason",
            "invalid": "Write the reason as text",
        },
        metadata={"description": "Why: the site lead sees it on the return"},
    )

    @validates_schema
    def _not_blank(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "reason" in data and not data["reason"].strip():
            raise ValidationError("Enter the reason", field_name="reason")


class VersionIn(Schema):
    """The body of approve: the version read."""

    version = fields.Integer(
        required=True,
        strict=True,
        error_messages={
            "required": "Send the version of the return you read",
            "invalid": "Must be a whole number",
        },
        metadata={"description": "The version you read; a stale one answers 409"},
    )


class ReturnSaved(ReturnDetail):
    warnings = fields.List(
        fields.String(), metadata={"description": "Unusual figures the sender confirmed"}
    )
