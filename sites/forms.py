"""Forms for organisations, sites and Centre of Excellence awards, and the programme and region
filter that the sites list, late returns and the fidelity profile share."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from markupsafe import escape
from wtforms import (
    FloatField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.extensions import db
from core.web.forms import (
    PortalForm,
    blank,
    day_field,
    optional_id,
    strip,
    version_field,
)
from sites.models import ORGANISATION_KINDS, REGIONS, Organisation, Site


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


class OrganisationForm(PortalForm):
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


class SiteForm(PortalForm):
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


class DesignationForm(PortalForm):
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


class ProgrammeRegionFilterForm(PortalForm):
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
