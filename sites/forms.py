"""Forms for organisations, sites and Centre of Excellence awards, and the small field types the
other packages' forms share (dates, record choices, the hidden version of an edit)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from core.extensions import db
from sites.models import ORGANISATION_KINDS, REGIONS, Organisation, Site
from sites.returns import rules as return_rules

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]
DATE_HINT = "For example, 1 April 2015"


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to a record id; the blank 'Choose...' option is None."""
    if value in (None, ""):
        return None
    return int(value)


def day_field(label: str, what: str, *, required: str | None = None, hint: str = DATE_HINT) -> Any:
    """A date typed as an HTML date input; `what` names it in the message for a bad date."""
    return DateField(
        label,
        format=DATE_FORMATS,
        description=hint,
        invalid_value_message=f"Enter {what} as a real date, for example 1 April 2015",
        validators=[InputRequired(required)] if required else [Optional()],
    )


def at_least(minimum: int, message: str) -> Any:
    """Like NumberRange(min=...), but silent when there is no number: the field's own message
    (blank, or not a number) is the one to show."""

    def check(form: Any, field: Any) -> None:
        if field.data is not None and field.data < minimum:
            raise ValidationError(message)

    return check


def version_field() -> Any:
    """The version of the record an edit started from, sent back to the service."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def options(choices: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in choices.items()]


def blank(text: str, choices: dict[str, str] | list[SelectChoice]) -> list[SelectChoice]:
    """The choices after a first, empty one ('Choose a region') that nothing is chosen yet."""
    return [SelectChoice("", text), *(options(choices) if isinstance(choices, dict) else choices)]


def organisation_choices() -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    return [SelectChoice(row.id, row.name) for row in rows]


def site_choices() -> list[SelectChoice]:
    """Every site as 'Site (Organisation)', by name."""
    rows = db.session.execute(
        sa.select(Site.id, Site.name, Organisation.name.label("organisation"))
        .join(Site.organisation)
        .order_by(Site.name, Organisation.name)
    )
    return [SelectChoice(row.id, f"{row.name} ({row.organisation})") for row in rows]


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        description="The provider's full name, for example Bradford District Care NHS Foundation "
        "Trust",
        filters=[strip],
        validators=[
            DataRequired("Enter the organisation's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Kind of organisation",
        choices=blank("Choose a kind", ORGANISATION_KINDS),
        validators=[DataRequired("Choose the kind of organisation")],
    )
    ods_code = StringField(
        "ODS code (optional)",
        description="The NHS Organisation Data Service code, for example RXE",
        filters=[strip],
        validators=[Optional()],
    )
    region = SelectField(
        "Region",
        choices=blank("Choose a region", REGIONS),
        validators=[DataRequired("Choose the organisation's region")],
    )
    version = version_field()


class SiteForm(FlaskForm):
    organisation_id = SelectField(
        "Organisation",
        description="The provider that runs this IPS service",
        coerce=optional_id,
        validators=[InputRequired("Choose the organisation that runs this site")],
    )
    name = StringField(
        "Name of the IPS service",
        description="For example, Bradford IPS",
        filters=[strip],
        validators=[
            DataRequired("Enter the site's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    locality = StringField(
        "Locality (optional)",
        description="The town or area it serves",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=120, message="The locality must be 120 characters or fewer"),
        ],
    )
    region = SelectField(
        "Region",
        choices=blank("Choose a region", REGIONS),
        validators=[DataRequired("Choose the site's region")],
    )
    launched_on = day_field("Launch date (optional)", "the launch date")
    closed_on = day_field(
        "Closing date (optional)", "the closing date", hint="Leave blank while the service runs"
    )
    latitude = FloatField(
        "Latitude (optional)",
        description="For the map, in decimal degrees, for example 53.7950",
        invalid_value_message="Enter the latitude as a number, for example 53.7950",
        validators=[Optional()],
    )
    longitude = FloatField(
        "Longitude (optional)",
        description="For example, -1.7594 (west of Greenwich is negative)",
        invalid_value_message="Enter the longitude as a number, for example -1.7594",
        validators=[Optional()],
    )
    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = blank("Choose an organisation", organisation_choices())


class DesignationForm(FlaskForm):
    awarded_on = day_field(
        "Date awarded",
        "the award date",
        required="Enter the date the site was named a Centre of Excellence",
    )
    ended_on = day_field(
        "Date ended (optional)", "the end date", hint="Leave blank while the award stands"
    )


# Monthly returns. The fields take text as typed; sites/return_rules.py checks it, so the form,
# the API and the CSV import give the same message for the same mistake.

RETURN_HINTS = {
    "referrals": "People referred to the service this month.",
    "caseload": "People supported at the end of the month, including those in in-work support.",
    "new_to_service": "People who joined the caseload this month.",
    "first_contact_within_4_weeks": "Of the people new to the service this month, how many had "
    "their first contact with the service within 4 weeks of referral.",
    "job_starts": "Paid jobs started this month. Give them by sector below.",
    "in_work": "People on the caseload in paid work at the end of the month. No more than the "
    "caseload.",
    "sustained_13_weeks": "People whose job started 3 months earlier and who are still in work.",
    "employment_specialists_fte": "Full-time equivalent, for example 2.5.",
    "discharges": "People who left the caseload this month.",
}


class ReturnForm(FlaskForm):
    version = version_field()
    confirm_warnings = BooleanField("I have checked these figures and they are right")

    def figures(self) -> dict[str, str | None]:
        return {name: self[name].data for name in return_rules.FIGURES}

    def sectors(self) -> dict[str, str | None]:
        return {slug: self[f"sector_{slug}"].data for slug in return_rules.SECTORS}

    def fill(self, monthly_return: Any) -> None:
        """Show a saved return's figures (and its version, which the next save must send)."""
        for name in return_rules.FIGURES:
            value = getattr(monthly_return, name)
            self[name].data = "" if value is None else str(value)
        counts = monthly_return.sector_counts()
        for slug in return_rules.SECTORS:
            self[f"sector_{slug}"].data = str(counts.get(slug, 0))
        self.version.data = monthly_return.version
        self.confirm_warnings.data = False

    def show_errors(self, errors: dict[str, list[str]]) -> list[dict[str, str]]:
        """Put the rules' messages on the fields, each after its label; answer the error summary
        (text and the id it links to), in form order."""
        summary: list[dict[str, str]] = []
        self.sector_errors: list[str] = []
        for key, messages in errors.items():
            if key in return_rules.FIGURES:
                field = self[key]
                field.errors = [f"{field.label.text} {m}" for m in messages]
            elif key.startswith("sectors."):
                field = self[f"sector_{key.removeprefix('sectors.')}"]
                field.errors = [f"{field.label.text} job starts {m}" for m in messages]
            elif key == "sectors":
                self.sector_errors = [f"Job starts by sector {m}" for m in messages]
            else:
                self.form_errors.extend(messages)
        for message in self.form_errors:
            summary.append({"text": message[:1].upper() + message[1:], "href": "#figures"})
        for field in self:
            summary.extend({"text": m, "href": f"#{field.id}"} for m in field.errors)
            if field.name == "job_starts":
                summary.extend({"text": m, "href": "#sectors"} for m in self.sector_errors)
        return summary


for _name, _label in return_rules.FIGURES.items():
    setattr(
        ReturnForm,
        _name,
        StringField(_label, description=RETURN_HINTS[_name], filters=[strip]),
    )
for _slug, _label in return_rules.SECTORS.items():
    setattr(ReturnForm, f"sector_{_slug}", StringField(_label, filters=[strip]))


class ProgrammeRegionFilterForm(FlaskForm):
    """The GET form above a list that filters by programme and region (sites, late returns, the
    fidelity profile). A value not in the list is reported at its field and left out."""

    class Meta:
        csrf = False

    programme_id = SelectField("Programme", validators=[Optional()], validate_choice=False)
    region = SelectField(
        "Region",
        choices=[SelectChoice("", "All regions")]
        + [SelectChoice(slug, label) for slug, label in REGIONS.items()],
        validators=[Optional()],
        validate_choice=False,
    )

    def set_programmes(self, rows: Any) -> None:
        """The programmes the user may filter by: rows with an id and a name."""
        # Escaped here: the NHS.UK select prints option labels as given.
        self.programme_id.choices = [SelectChoice("", "All programmes")] + [
            SelectChoice(str(row.id), escape(row.name)) for row in rows
        ]

    def chosen(self, field: Any, allowed: Any, message: str) -> str | None:
        """The field's value when it is one of `allowed`; a value that is not gets `message`."""
        if not field.data:
            return None
        if field.data not in allowed:
            field.errors = [*field.errors, message]
            return None
        return field.data

    def chosen_programme_id(self) -> int | None:
        known = {choice.value for choice in self.programme_id.choices if choice.value}
        chosen = self.chosen(self.programme_id, known, "Choose a programme from the list")
        return int(chosen) if chosen else None

    def chosen_region(self) -> str | None:
        return self.chosen(self.region, REGIONS, "Choose a region from the list")
