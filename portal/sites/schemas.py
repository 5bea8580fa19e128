"""The JSON shapes of the sites list and a site's detail, which carry the site's latest fidelity
and its programmes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.paging import PageArgs
from core.schemas import Text, id_field, one_of_message
from sites.mentoring.schemas import MentoringLinkOut
from sites.models import REGIONS
from sites.schemas import DesignationOut
from training.fidelity.scale import BANDS


class SiteListArgs(PageArgs):
    region = Text(validate=validate.OneOf(REGIONS, error=one_of_message(REGIONS)))
    programme_id = id_field(strict=False)
    band = Text(validate=validate.OneOf(BANDS, error=one_of_message(BANDS)))
    centre_of_excellence = fields.Boolean(
        error_messages={"invalid": "Use true or false"},
        metadata={"description": "true: only current Centres of Excellence"},
    )
    q = Text(
        validate=validate.Length(max=200, error="Use 200 characters or fewer"),
        metadata={"description": "Matches the site's name, organisation or locality"},
    )


class FidelityOut(Schema):
    reviewed_on = fields.Date()
    total = fields.Integer()
    band = fields.String(metadata={"enum": list(BANDS)})


class SiteOut(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    organisation_name = fields.String()
    name = fields.String()
    locality = fields.String(allow_none=True)
    region = fields.String(metadata={"enum": list(REGIONS)})
    launched_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    centre_of_excellence = fields.Boolean()
    version = fields.Integer()


class SitePage(Schema):
    items = fields.List(fields.Nested(SiteOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class SiteProgrammeOut(Schema):
    id = fields.Integer(metadata={"description": "The programme's id"})
    name = fields.String()
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    site_target = fields.Integer(allow_none=True)


class SiteDetailOut(SiteOut):
    latest_fidelity = fields.Nested(
        FidelityOut,
        allow_none=True,
        metadata={"description": "The latest final fidelity review, or null when none"},
    )
    programmes = fields.List(fields.Nested(SiteProgrammeOut))
    designations = fields.List(fields.Nested(DesignationOut))
    mentored_by = fields.List(
        fields.Nested(MentoringLinkOut),
        metadata={"description": "The sites that mentor or mentored this one, latest first"},
    )
    mentoring = fields.List(
        fields.Nested(MentoringLinkOut),
        metadata={"description": "The sites this one mentors or mentored, latest first"},
    )
    next_review_due = fields.Date(
        allow_none=True,
        metadata={
            "description": "When the next fidelity review is due by the cadence; null "
            "for a closed site or one with neither a final review nor a launch date"
        },
    )
