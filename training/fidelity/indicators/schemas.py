"""The JSON shape of a site's live fidelity indicators (API.md)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from core.months import month_slug
from sites.outcomes import CASELOAD_PLACES, RATE_PLACES
from training.fidelity.indicators import rules
from training.fidelity.indicators.queries import SiteIndicators


class FidelityIndicatorsOut(Schema):
    months = fields.List(
        fields.String(metadata={"pattern": r"^\d{4}-\d{2}$"}),
        metadata={
            "description": f"The last {rules.INDICATOR_MONTHS} months with a submitted or "
            "approved return, oldest first (YYYY-MM); empty when there are none"
        },
    )
    caseload_per_specialist = fields.Float(
        allow_none=True,
        metadata={
            "description": "People on the caseload per full-time employment specialist over "
            "those months (sum of caseload / sum of FTE), to 1 place; null without returns "
            "or specialist time"
        },
    )
    caseload_item_score = fields.Integer(
        allow_none=True,
        metadata={
            "description": "That ratio scored by the anchors of item 1, caseload size (20 or "
            "fewer: 5; up to 25: 4; up to 30: 3; up to 40: 2; more: 1), compared unrounded"
        },
    )
    contact_within_4_weeks = fields.Float(
        allow_none=True,
        metadata={
            "description": "Of the people new to the service in those months, the share whose "
            "first employer contact came within 4 weeks (0 to 1, 4 places): shown beside "
            "item 15, rapid job search; null when nobody was new"
        },
    )
    drift = fields.List(
        fields.Integer(),
        metadata={
            "description": "The items whose live score is below the site's score at its last "
            "final review"
        },
    )


def indicators_payload(found: SiteIndicators) -> dict[str, Any]:
    live = found.live
    per_specialist = live.caseload_per_specialist
    contact = live.contact_within_4_weeks
    return {
        "months": [month_slug(month) for month in live.months],
        "caseload_per_specialist": None
        if per_specialist is None
        else round(per_specialist, CASELOAD_PLACES),
        "caseload_item_score": live.caseload_item_score,
        "contact_within_4_weeks": None if contact is None else round(contact, RATE_PLACES),
        "drift": found.drift,
    }
