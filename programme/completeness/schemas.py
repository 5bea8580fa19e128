"""GET /api/v1/reporting/completeness: its query and its answer (API.md)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.months import MonthField
from core.schemas import Text, id_field, one_of_message
from sites.models import REGIONS

RATE = "From 0 to 1, 4 places; null when no return was expected"


class CompletenessArgs(Schema):
    from_month = MonthField(
        data_key="from",
        metadata={
            "description": "The first month. Without from and to: the last 12 months that have "
            "ended, or the programme's own run for a programme that has ended; with only to, "
            "the 12 months to it; with only from, the months from it to the last that has ended"
        },
    )
    to_month = MonthField(
        data_key="to",
        metadata={"description": "The last month (months not yet ended expect no return)"},
    )
    programme_id = id_field(strict=False, metadata={"description": "Only this programme"})
    region = Text(
        validate=validate.OneOf(REGIONS, error=one_of_message(REGIONS)),
        metadata={"description": "Only the sites of this region"},
    )

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        first, last = data.get("from_month"), data.get("to_month")
        if first and last and last < first:
            raise ValidationError("Must be on or after 'from'", field_name="to")


class CompletenessCounts(Schema):
    expected = fields.Integer(
        metadata={"description": "Months in which the sites took part, up to the last ended"}
    )
    received = fields.Integer(metadata={"description": "Of those, returns submitted or approved"})
    on_time = fields.Integer(
        metadata={"description": "Of those received, first submitted by the due date"}
    )
    approved = fields.Integer()
    reporting_rate = fields.Float(
        allow_none=True, metadata={"description": f"received / expected. {RATE}"}
    )
    on_time_rate = fields.Float(
        allow_none=True, metadata={"description": f"on_time / expected. {RATE}"}
    )


class SiteCompletenessOut(CompletenessCounts):
    site_id = fields.Integer()
    name = fields.String()


class CompletenessOut(CompletenessCounts):
    from_month = MonthField(data_key="from", metadata={"description": "The first month read"})
    to_month = MonthField(data_key="to", metadata={"description": "The last month read"})
    sites = fields.List(
        fields.Nested(SiteCompletenessOut),
        metadata={"description": "Each site with a return expected, by name"},
    )
