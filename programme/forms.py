"""Forms for funders, programmes (with their monthly target profile) and participations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
)

from core.extensions import db
from core.limits import MAX_COUNT
from core.months import MONTH_OUT_OF_RANGE, month_error, month_slug, parse_month
from core.web.forms import (
    PortalForm,
    at_least,
    blank,
    count_limit,
    day_field,
    optional_id,
    options,
    strip,
    version_field,
)
from programme.models import PARTICIPATION_ROLES, Funder, TargetMonth
from programme.progress import STATUS_LABELS
from sites.forms import organisation_choices, site_choices

PROFILE_LINE = re.compile(r"^(\S+)\s+(\S+)$")
PROFILE_EXAMPLE = "2024-04 10"


def parse_profile(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Lines of `YYYY-MM cumulative` into {month, cumulative} points, and a message per bad line.

    Blank lines are skipped. Whether the points make sense together (rising, inside the
    programme's dates) is the service's to say.
    """
    points: list[dict[str, Any]] = []
    messages: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = PROFILE_LINE.match(line)
        if match is None:
            messages.append(
                f"Line {number}: write a month and a number separated by a space, "
                f"like {PROFILE_EXAMPLE}"
            )
            continue
        month_text, value_text = match.groups()
        month = parse_month(month_text)
        if month is None and month_error(month_text) == MONTH_OUT_OF_RANGE:
            messages.append(
                f"Line {number}: {MONTH_OUT_OF_RANGE[:1].lower()}{MONTH_OUT_OF_RANGE[1:]}"
            )
        elif month is None:
            messages.append(
                f"Line {number}: write the month as year-month, like 2024-04, not {month_text!r}"
            )
        whole = value_text.isascii() and value_text.isdigit()
        if not whole:
            messages.append(
                f"Line {number}: the cumulative job starts must be a whole number, 0 or more, "
                f"not {value_text!r}"
            )
        elif len(value_text) > len(str(MAX_COUNT)) or int(value_text) > MAX_COUNT:
            messages.append(
                f"Line {number}: the cumulative job starts must be {MAX_COUNT:,} or less"
            )
        elif month is not None:
            points.append({"month": month, "cumulative": int(value_text)})
    return points, messages


def profile_text(months: Iterable[TargetMonth]) -> str:
    return "\n".join(f"{month_slug(m.month)} {m.cumulative}" for m in months)


class TargetProfileField(TextAreaField):
    """A textarea of `YYYY-MM cumulative` lines; `points` holds them parsed once validated."""

    points: list[dict[str, Any]]

    def pre_validate(self, form: Any) -> None:
        self.points, messages = parse_profile(self.data or "")
        if messages:
            self.errors.extend(messages)
            raise StopValidation()


def funder_choices() -> list[SelectChoice]:
    rows = db.session.execute(sa.select(Funder.id, Funder.name).order_by(Funder.name))
    return [SelectChoice(row.id, row.name) for row in rows]


class FunderForm(PortalForm):
    name = StringField(
        "Name",
        description="For example, Department of Health and Social Care",
        filters=[strip],
        validators=[
            DataRequired("Enter the funder's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    version = version_field()


class ProgrammeForm(PortalForm):
    name = StringField(
        "Name",
        description="For example, Making IPS Work",
        filters=[strip],
        validators=[
            DataRequired("Enter the programme's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    funder_id = SelectField(
        "Funder",
        coerce=optional_id,
        validators=[InputRequired("Choose the programme's funder")],
    )
    summary = TextAreaField(
        "Summary (optional)",
        description="What the programme is for and where it works. Do not write about any "
        "individual person.",
        filters=[strip],
        validators=[Optional()],
    )
    starts_on = day_field("Start date", "the start date", required="Enter the start date")
    ends_on = day_field("End date", "the end date", required="Enter the end date")
    job_start_target = IntegerField(
        "Job-start target",
        description="The job starts the whole programme aims for by its end date",
        invalid_value_message="Enter the job-start target as a whole number, for example 340",
        validators=[
            InputRequired("Enter the job-start target"),
            at_least(0, "The job-start target must be 0 or more"),
            count_limit("the job-start target"),
        ],
    )
    target_profile = TargetProfileField(
        "Monthly target profile (optional)",
        description="One line a month: the month as year-month, a space, then the job starts "
        f"expected by that month's end in total since the start, like {PROFILE_EXAMPLE}. Leave "
        "blank for a straight line from 0 at the start to the target at the end.",
        filters=[strip],
    )
    lead_organisation_id = SelectField(
        "Lead organisation (optional)",
        description="The organisation that leads the programme, for example a Centre of "
        "Excellence or the charity",
        coerce=optional_id,
        validators=[Optional()],
    )
    partner_organisation_ids = SelectMultipleField(
        "Partners (optional)",
        description="The organisations that run the programme with the lead",
        coerce=int,
        validators=[Optional()],
    )
    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funder_id.choices = blank("Choose a funder", funder_choices())
        organisations = organisation_choices()
        self.lead_organisation_id.choices = blank("No lead organisation", organisations)
        self.partner_organisation_ids.choices = organisations


class ParticipationDatesForm(PortalForm):
    joined_on = day_field(
        "Date joined", "the joining date", required="Enter the date the site joined"
    )
    left_on = day_field(
        "Date left (optional)", "the leaving date", hint="Leave blank while the site takes part"
    )
    site_target = IntegerField(
        "Site's job-start target (optional)",
        description="Its share of the programme's target, if it has one",
        invalid_value_message="Enter the site's target as a whole number, for example 60",
        validators=[
            Optional(),
            at_least(0, "The site's target must be 0 or more"),
            count_limit("the site's target"),
        ],
    )
    role = SelectField(
        "Role in the programme",
        description="A pilot site, a new service, or a site that mentors others",
        choices=options(PARTICIPATION_ROLES),
        default="new_service",
        validate_choice=False,  # the message below, not WTForms' "Not a valid choice"
        validators=[AnyOf(PARTICIPATION_ROLES, message="Choose the site's role from the list")],
    )
    version = version_field()


class ParticipationForm(ParticipationDatesForm):
    site_id = SelectField(
        "Site",
        coerce=optional_id,
        validators=[InputRequired("Choose the site that joins the programme")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_id.choices = blank("Choose a site", site_choices())


class ProgrammeStatusFilterForm(PortalForm):
    """The GET form above the programmes list: programmes of one status (the dashboards link
    here for "at risk" and "off track"). A value not in the list is reported at its field."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=[SelectChoice("", "All statuses")]
        + [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        validators=[Optional()],
        validate_choice=False,
    )

    def chosen_status(self) -> str | None:
        if not self.status.data:
            return None
        if self.status.data not in STATUS_LABELS:
            self.status.errors = [*self.status.errors, "Choose a status from the list"]
            return None
        return str(self.status.data)
