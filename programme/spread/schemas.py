"""GET /api/v1/network/spread: its answer (API.md, "The Centre of Excellence network")."""

from __future__ import annotations

from marshmallow import Schema, fields


class SpreadYear(Schema):
    year = fields.Integer(required=True)
    sites_launched = fields.Integer(
        required=True, metadata={"description": "Sites launched in the year"}
    )
    active_sites = fields.Integer(
        required=True,
        metadata={
            "description": "Sites launched by the year's end (today, for this year) and not "
            "closed by it"
        },
    )
    good_or_better = fields.Integer(
        required=True,
        metadata={
            "description": "Active sites whose latest final fidelity review by the year's end is "
            "good or exemplary"
        },
    )
    centres = fields.Integer(
        required=True,
        metadata={
            "description": "Active sites holding a Centre of Excellence award at the year's end"
        },
    )


class NetworkSpread(Schema):
    years = fields.List(
        fields.Nested(SpreadYear),
        required=True,
        metadata={"description": "From the year of the first launch to this year, oldest first"},
    )
