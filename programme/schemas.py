"""The programme API's bodies and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.months import MonthField
from core.paging import PageArgs
from core.schemas import Count, Text, date_field, id_field, one_of_message
from programme.models import PARTICIPATION_ROLES
from programme.progress import ProgressStatus

# In the order API.md lists them.
STATUSES = [
    status.value
    for status in (
        ProgressStatus.ON_TRACK,
        ProgressStatus.AT_RISK,
        ProgressStatus.OFF_TRACK,
        ProgressStatus.MET,
        ProgressStatus.MISSED,
        ProgressStatus.NOT_STARTED,
    )
]


class TargetPoint(Schema):
    month = MonthField(required=True)
    cumulative = Count(required=True)


class ProgrammeIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    funder = Text(required=True, validate=validate.Length(min=1, max=200))
    summary = Text(allow_none=True)
    starts_on = date_field(required=True)
    ends_on = date_field(required=True)
    job_start_target = Count(required=True)
    target_profile = fields.List(fields.Nested(TargetPoint), allow_none=True)
    lead_organisation_id = id_field(
        allow_none=True,
        metadata={"description": "The organisation that leads the programme; null for none"},
    )
    partner_organisation_ids = fields.List(
        id_field(),
        validate=validate.Length(max=500, error="Name 500 partners or fewer"),
        metadata={"description": "The organisations that run it with the lead; replaces them all"},
    )


class ProgrammePatch(ProgrammeIn):
    """Any of the programme's fields, and the version that was read."""

    version = fields.Integer(required=True, strict=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(partial=tuple(ProgrammeIn._declared_fields), **kwargs)


class Programme(Schema):
    id = fields.Integer()
    name = fields.String()
    funder = fields.Function(lambda p: p.funder.name)
    funder_id = fields.Integer()
    summary = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    job_start_target = fields.Integer()
    target_profile = fields.List(fields.Nested(TargetPoint))
    lead_organisation_id = fields.Integer(allow_none=True)
    partner_organisation_ids = fields.Function(
        lambda p: [partner.organisation_id for partner in p.partners],
        metadata={"type": "array", "items": {"type": "integer"}},
    )
    version = fields.Integer()


class ProgrammePage(Schema):
    items = fields.List(fields.Nested(Programme))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ProgrammeListArgs(PageArgs):
    pass


class ParticipationIn(Schema):
    site_id = id_field(required=True)
    joined_on = date_field(required=True)
    left_on = date_field(allow_none=True)
    site_target = Count(allow_none=True)
    role = Text(
        load_default="new_service",
        validate=validate.OneOf(PARTICIPATION_ROLES, error=one_of_message(PARTICIPATION_ROLES)),
        metadata={"description": "The site's part in the programme; new_service when not sent"},
    )


class Participation(Schema):
    id = fields.Integer()
    programme_id = fields.Integer()
    site_id = fields.Integer()
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    site_target = fields.Integer(allow_none=True)
    role = fields.String(metadata={"enum": list(PARTICIPATION_ROLES)})
    version = fields.Integer()


class ProgressArgs(Schema):
    on = date_field()


class ProgressMonth(Schema):
    month = MonthField()
    job_starts = fields.Integer()
    cumulative = fields.Integer()
    expected = fields.Float()


class ProgressSite(Schema):
    site_id = fields.Integer()
    name = fields.String()
    job_starts = fields.Integer()
    site_target = fields.Integer(allow_none=True)
    late_returns = fields.Integer()


class Progress(Schema):
    target = fields.Integer()
    achieved = fields.Integer()
    expected = fields.Float()
    percent = fields.Float(allow_none=True)
    run_rate = fields.Float()
    projected = fields.Float()
    status = fields.String(validate=validate.OneOf(STATUSES))
    awaiting_approval = fields.Integer(
        metadata={
            "description": "Of the job starts achieved, those in submitted returns not yet "
            "approved; 0 for a funder, whose figures count approved returns only"
        }
    )
    by_month = fields.List(fields.Nested(ProgressMonth))
    sites = fields.List(fields.Nested(ProgressSite))


class NetworkSummary(Schema):
    sites = fields.Integer()
    active_sites = fields.Integer()
    closed_sites = fields.Integer()
    centres_of_excellence = fields.Integer()
    programmes_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    job_starts_this_year = fields.Integer()
    job_starts_total = fields.Integer()
    financial_year_starts_on = fields.Date()
    late_returns = fields.Integer()
    sites_with_late_returns = fields.Integer()
