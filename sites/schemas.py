"""The JSON shapes of organisations, sites and designations (API.md).

Input schemas check the shape: types, required fields, enumerations and lengths, with the same
wording as the forms. Rules that need the database or several fields (a duplicate ODS code, a site
closed before it launched) are the services' (sites/services.py), which answer in the same shape.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.months import MonthField
from core.schemas import Text, date_field, id_field, one_of_message
from sites.models import ORGANISATION_KINDS, REGIONS


class OrganisationIn(Schema):
    name = Text(
        required=True,
        validate=validate.Length(max=200, error="Use 200 characters or fewer"),
        error_messages={"required": "Enter the organisation's name"},
    )
    kind = Text(
        required=True,
        validate=validate.OneOf(ORGANISATION_KINDS, error=one_of_message(ORGANISATION_KINDS)),
        error_messages={"required": one_of_message(ORGANISATION_KINDS)},
    )
    ods_code = Text(
        allow_none=True,
        validate=validate.Length(max=20, error="An ODS code is letters and digits, 10 at most"),
        metadata={"description": "NHS Organisation Data Service code, like RXE; unique"},
    )
    region = Text(
        required=True,
        validate=validate.OneOf(REGIONS, error=one_of_message(REGIONS)),
        error_messages={"required": one_of_message(REGIONS)},
    )


class OrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(ORGANISATION_KINDS)})
    ods_code = fields.String(allow_none=True)
    region = fields.String(metadata={"enum": list(REGIONS)})
    version = fields.Integer()


class OrganisationPage(Schema):
    items = fields.List(fields.Nested(OrganisationOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


# Sites


class SiteFields(Schema):
    """The writable fields of a site; what POST requires is marked in SiteIn."""

    organisation_id = id_field(
        error_messages={"required": "Choose the organisation that runs this service"}
    )
    name = Text(
        validate=validate.Length(max=200, error="Use 200 characters or fewer"),
        error_messages={"required": "Enter the service's name"},
    )
    locality = Text(
        allow_none=True, validate=validate.Length(max=120, error="Use 120 characters or fewer")
    )
    region = Text(
        validate=validate.OneOf(REGIONS, error=one_of_message(REGIONS)),
        error_messages={"required": one_of_message(REGIONS)},
    )
    launched_on = date_field(allow_none=True)
    closed_on = date_field(allow_none=True)
    latitude = fields.Float(
        allow_none=True,
        validate=validate.Range(min=-90, max=90, error="Latitude must be between -90 and 90"),
    )
    longitude = fields.Float(
        allow_none=True,
        validate=validate.Range(min=-180, max=180, error="Longitude must be between -180 and 180"),
    )


class SiteIn(SiteFields):
    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if field_name in {"organisation_id", "name", "region"}:
            field_obj.required = True


class SitePatch(SiteFields):
    version = fields.Integer(
        required=True,
        strict=True,
        error_messages={"required": "Send the version of the site you read"},
        metadata={"description": "The version you read; a stale one answers 409"},
    )


class DesignationIn(Schema):
    awarded_on = date_field(required=True, error_messages={"required": "Enter the award date"})
    ended_on = date_field(allow_none=True)


class DesignationOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    awarded_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    version = fields.Integer()


# Monthly returns


# Outcome rates


class OutcomeArgs(Schema):
    from_month = MonthField(
        data_key="from",
        metadata={
            "description": "The first month. Without it, the 12 months that end with `to`; "
            "with neither, the last 12 complete months"
        },
    )
    to_month = MonthField(
        data_key="to",
        metadata={
            "description": "The last month. Without it, the last complete month (or `from`, "
            "when that is later)"
        },
    )

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("from_month"), data.get("to_month")
        if start and end and end < start:
            raise ValidationError("Must be on or after 'from'", field_name="to")


class OutcomeTotalsOut(Schema):
    """Sums over the months of the site's submitted returns."""

    referrals = fields.Integer()
    caseload = fields.Integer(metadata={"description": "Month-end caseloads, summed"})
    new_to_service = fields.Integer()
    first_contact_within_4_weeks = fields.Integer()
    job_starts = fields.Integer()
    in_work = fields.Integer(metadata={"description": "Month-end figures, summed"})
    sustained_13_weeks = fields.Integer()
    discharges = fields.Integer()
    employment_specialists_fte = fields.Float(
        metadata={"description": "Monthly full-time equivalents, summed"}
    )
    months_reported = fields.Integer(
        metadata={
            "description": "Months with a counted return: submitted or approved (approved only "
            "for a funder)"
        }
    )
    job_starts_three_months_earlier = fields.Integer(
        metadata={
            "description": "Job starts of the months three months before each month: the "
            "denominator of sustainment_13_weeks"
        }
    )


def _rate(description: str) -> fields.Float:
    return fields.Float(
        allow_none=True,
        metadata={
            "minimum": 0,
            "maximum": 1,
            "description": f"{description}; 4 places; null when the denominator is 0",
        },
    )


class EmploymentBenchmarkOut(Schema):
    average = fields.Float()
    excellent = fields.Float()


class MedianBenchmarkOut(Schema):
    network_median = fields.Float(
        allow_none=True,
        metadata={"description": "Median over the sites with this rate for the same months"},
    )


class CaseloadBenchmarkOut(Schema):
    at_most = fields.Integer()


class OutcomeBenchmarksOut(Schema):
    employment_rate = fields.Nested(
        EmploymentBenchmarkOut,
        metadata={"description": "The US IPS learning community: people working / served"},
    )
    sustainment_13_weeks = fields.Nested(MedianBenchmarkOut)
    contact_within_4_weeks = fields.Nested(MedianBenchmarkOut)
    caseload_per_specialist = fields.Nested(
        CaseloadBenchmarkOut, metadata={"description": "The IPS fidelity scale's caseload item"}
    )


class SiteOutcomesOut(Schema):
    site_id = fields.Integer()
    from_month = MonthField(data_key="from")
    to_month = MonthField(data_key="to")
    totals = fields.Nested(OutcomeTotalsOut)
    employment_rate = _rate("in_work / caseload")
    job_start_rate = _rate("job_starts / caseload")
    sustainment_13_weeks = _rate("sustained_13_weeks / job_starts_three_months_earlier")
    contact_within_4_weeks = _rate("first_contact_within_4_weeks / new_to_service")
    caseload_per_specialist = fields.Float(
        allow_none=True,
        metadata={
            "description": "caseload / employment_specialists_fte: people per full-time "
            "specialist, 1 place; null when no FTE was reported"
        },
    )
    benchmarks = fields.Nested(OutcomeBenchmarksOut)
