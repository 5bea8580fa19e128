"""The mentoring API's body and answers (API.md: POST /sites/{id}/mentoring, and `mentored_by`
and `mentoring` of GET /sites/{id})."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.schemas import Text, date_field, id_field


class MentoringIn(Schema):
    mentee_site_id = id_field(
        required=True, error_messages={"required": "Send the id of the site that is mentored"}
    )
    starts_on = date_field(required=True, error_messages={"required": "Enter the start date"})
    ends_on = date_field(allow_none=True)
    programme_id = id_field(
        allow_none=True,
        metadata={"description": "The programme the mentoring happens within, if any"},
    )
    note = Text(
        allow_none=True,
        validate=validate.Length(max=2000, error="Use 2,000 characters or fewer"),
        metadata={"description": "For staff: never shown to funders"},
    )


class MentoringOut(Schema):
    id = fields.Integer()
    mentor_site_id = fields.Integer()
    mentee_site_id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    programme_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class MentoringLinkOut(Schema):
    """The other site of a mentoring: its mentor (`mentored_by`) or the site it mentors."""

    site_id = fields.Integer()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
