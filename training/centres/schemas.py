"""The JSON shapes of the Centres of Excellence and of the sites eligible to be invited."""

from __future__ import annotations

from marshmallow import Schema, fields

from sites.models import REGIONS


class MenteeOut(Schema):
    site_id = fields.Integer()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class CentreOut(Schema):
    site_id = fields.Integer()
    name = fields.String()
    organisation = fields.String(metadata={"description": "The name of the site's organisation"})
    awarded_on = fields.Date(metadata={"description": "When the award held now was made"})
    next_review_due = fields.Date(
        metadata={
            "description": "36 months (the Centre cadence) after its latest final review, or "
            "after its award when it has had none since"
        }
    )
    re_review_overdue = fields.Boolean(
        metadata={"description": "The re-review date has passed with no final review since"}
    )
    mentees = fields.List(
        fields.Nested(MenteeOut), metadata={"description": "The sites it mentors now"}
    )


class CentreList(Schema):
    items = fields.List(fields.Nested(CentreOut))


class EligibleSiteOut(Schema):
    site_id = fields.Integer()
    name = fields.String()
    organisation = fields.String()
    region = fields.String(metadata={"enum": list(REGIONS)})
    reviewed_on = fields.Date(metadata={"description": "The latest final review's date"})
    total = fields.Integer()
    band = fields.String(metadata={"enum": ["good", "exemplary"]})


class EligiblePage(Schema):
    items = fields.List(fields.Nested(EligibleSiteOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
