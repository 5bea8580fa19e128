"""The JSON shapes of organisations, sites, designations and returns (API.md).

Input schemas check the shape: types, required fields, enumerations and lengths, with the same
wording as the forms. Rules that need the database or several fields (a duplicate ODS code, a site
closed before it launched) are the services' (sites/services.py), which answer in the same shape.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.paging import PageArgs
from sites.models import ORGANISATION_KINDS, REGIONS, RETURN_STATUSES
from sites.returns import rules as return_rules
from training.fidelity.scale import BANDS

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def _choose(options: Any) -> str:
    return f"Choose one of: {', '.join(options)}"


class Text(fields.String):
    """A string that PostgreSQL can store: no NUL characters."""

    default_error_messages = {"nul": "Must not contain NUL characters"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class Month(fields.String):
    """A calendar month as "YYYY-MM"; loaded as the month's first day."""

    default_error_messages = {"invalid_month": "Enter a month as YYYY-MM, like 2024-03"}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": MONTH_PATTERN, "example": "2024-03"} | kwargs.pop("metadata", {})
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value.year:04d}-{value.month:02d}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(MONTH_PATTERN, value):
            raise self.make_error("invalid_month")
        year, month = int(value[:4]), int(value[5:])
        if year < 1:
            raise self.make_error("invalid_month")
        return date(year, month, 1)


def _date(error_messages: dict[str, str] | None = None, **kwargs: Any) -> fields.Date:
    messages = {"invalid": "Enter a date as YYYY-MM-DD"} | (error_messages or {})
    return fields.Date(error_messages=messages, **kwargs)


def _id(
    error_messages: dict[str, str] | None = None, strict: bool = True, **kwargs: Any
) -> fields.Integer:
    """An id: a JSON integer in bodies (strict), digits in a query string (not strict)."""
    messages = {"invalid": "Must be a whole number"} | (error_messages or {})
    return fields.Integer(
        strict=strict,
        validate=validate.Range(min=1, max=MAX_ID, error=f"Must be from 1 to {MAX_ID}"),
        error_messages=messages,
        **kwargs,
    )


# Organisations


class OrganisationIn(Schema):
    name = Text(
        required=True,
        validate=validate.Length(max=200, error="Use 200 characters or fewer"),
        error_messages={"required": "Enter the organisation's name"},
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf(ORGANISATION_KINDS, error=_choose(ORGANISATION_KINDS)),
        error_messages={"required": _choose(ORGANISATION_KINDS)},
    )
    ods_code = Text(
        allow_none=True,
        validate=validate.Length(max=20, error="An ODS code is letters and digits, 10 at most"),
        metadata={"description": "NHS Organisation Data Service code, like RXE; unique"},
    )
    region = fields.String(
        required=True,
        validate=validate.OneOf(REGIONS, error=_choose(REGIONS)),
        error_messages={"required": _choose(REGIONS)},
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

    organisation_id = _id(
        error_messages={"required": "Choose the organisation that runs this service"}
    )
    name = Text(
        validate=validate.Length(max=200, error="Use 200 characters or fewer"),
        error_messages={"required": "Enter the service's name"},
    )
    locality = Text(
        allow_none=True, validate=validate.Length(max=120, error="Use 120 characters or fewer")
    )
    region = fields.String(
        validate=validate.OneOf(REGIONS, error=_choose(REGIONS)),
        error_messages={"required": _choose(REGIONS)},
    )
    launched_on = _date(allow_none=True)
    closed_on = _date(allow_none=True)
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


class SiteListArgs(PageArgs):
    region = fields.String(validate=validate.OneOf(REGIONS, error=_choose(REGIONS)))
    programme_id = _id(strict=False)
    band = fields.String(validate=validate.OneOf(BANDS, error=_choose(BANDS)))
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


class DesignationIn(Schema):
    awarded_on = _date(required=True, error_messages={"required": "Enter the award date"})
    ended_on = _date(allow_none=True)


class DesignationOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    awarded_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    version = fields.Integer()


class SiteDetailOut(SiteOut):
    latest_fidelity = fields.Nested(
        FidelityOut,
        allow_none=True,
        metadata={"description": "The latest final fidelity review, or null when none"},
    )
    programmes = fields.List(fields.Nested(SiteProgrammeOut))
    designations = fields.List(fields.Nested(DesignationOut))


# Monthly returns


class ReturnListArgs(PageArgs):
    from_month = Month(data_key="from")
    to_month = Month(data_key="to")

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("from_month"), data.get("to_month")
        if start and end and end < start:
            raise ValidationError("Must be on or after 'from'", field_name="to")


class ReturnOut(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    month = Month()
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
    submitted_at = fields.DateTime(allow_none=True)
    version = fields.Integer()

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


class ReturnSaved(ReturnOut):
    warnings = fields.List(
        fields.String(), metadata={"description": "Unusual figures the sender confirmed"}
    )


# Outcome rates


class OutcomeArgs(Schema):
    from_month = Month(
        data_key="from",
        metadata={
            "description": "The first month. Without it, the 12 months that end with `to`; "
            "with neither, the last 12 complete months"
        },
    )
    to_month = Month(
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
    months_reported = fields.Integer(metadata={"description": "Months with a submitted return"})
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
    from_month = Month(data_key="from")
    to_month = Month(data_key="to")
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
