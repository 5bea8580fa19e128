"""Programme staff's forms: record a mentoring between two sites, and end one."""

from __future__ import annotations

from typing import Any

from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from core.web.forms import PortalForm, blank, day_field, optional_id, strip, version_field
from sites.forms import site_choices


class MentoringForm(PortalForm):
    mentor_site_id = SelectField(
        "Mentor",
        description="The site that mentors, usually a Centre of Excellence",
        coerce=optional_id,
        validators=[InputRequired("Choose the site that mentors")],
    )
    mentee_site_id = SelectField(
        "Mentored site",
        coerce=optional_id,
        validators=[InputRequired("Choose the site that is mentored")],
    )
    starts_on = day_field(
        "Start date", "the start date", required="Enter the date the mentoring began"
    )
    ends_on = day_field(
        "End date (optional)", "the end date", hint="Leave blank while the mentoring goes on"
    )
    programme_id = SelectField(
        "Programme (optional)",
        description="When the mentoring happens within a programme",
        coerce=optional_id,
        validators=[Optional()],
    )
    note = TextAreaField(
        "Note (optional)",
        description="For programme staff and trainers only: funders never see it. Do not write "
        "about any individual person.",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="Use 2,000 characters or fewer")],
    )

    def __init__(self, *args: Any, programmes: list[SelectChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = site_choices()
        self.mentor_site_id.choices = blank("Choose a site", sites)
        self.mentee_site_id.choices = blank("Choose a site", sites)
        self.programme_id.choices = blank("Not within a programme", programmes)


class EndMentoringForm(PortalForm):
    ends_on = day_field("End date", "the end date", required="Enter the date the mentoring ended")
    version = version_field()
