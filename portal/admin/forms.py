"""Forms for managing users (their role, their scope and their password), the organisation
form's "Find by ODS code", and the security log's filters."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from accounts.models import ROLES
from accounts.security_log import KINDS
from accounts.services import MIN_PASSWORD_LENGTH, PASSWORD_HINT
from core.web.forms import (
    PortalForm,
    blank,
    day_field,
    optional_id,
    options,
    strip,
    version_field,
)
from programme.forms import funder_choices
from sites import ods
from sites.forms import organisation_choices, site_choices
from sites.models import REGIONS
from training.visits.forms import lenient_id


class UserFields(PortalForm):
    """What creating and editing a user share."""

    name = StringField(
        "Full name",
        filters=[strip],
        validators=[
            DataRequired("Enter the user's name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    role = SelectField(
        "Role",
        description="What the user may see and change",
        choices=blank("Choose a role", ROLES),
        validators=[DataRequired("Choose the user's role")],
    )
    funder_id = SelectField(
        "Funder (funders only)",
        description="The funder whose programmes a funder user reads",
        coerce=optional_id,
        validators=[Optional()],
    )
    site_ids = SelectMultipleField("Sites", coerce=int, validators=[Optional()])
    organisation_id = SelectField(
        "Works at (not funders)",
        description="A regional trainer's host, usually a Centre of Excellence, or the "
        "organisation a Centre's staff member works for",
        coerce=lenient_id,
        validate_choice=False,  # the service names an unknown one (portal.users)
        validators=[Optional()],
    )
    regions = SelectMultipleField(
        "Regions covered (trainers only)",
        description="The regions a regional trainer covers",
        choices=options(REGIONS),
        validate_choice=False,  # the service names an unknown one (portal.users)
        validators=[Optional()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funder_id.choices = blank("No funder", funder_choices())
        self.site_ids.choices = site_choices()
        self.organisation_id.choices = blank("No organisation", organisation_choices())


class InviteUserForm(UserFields):
    """An invitation: who, their role and scope; they choose their own password from the link."""

    email = EmailField(
        "Email address",
        description="The invitation goes here; they log in with it, and it cannot be changed later",
        filters=[strip],
        validators=[
            DataRequired("Enter the user's email address"),
            Length(max=254, message="An email address is 254 characters or fewer"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_ids.label.text = "Sites (site leads and trainers)"
        self.site_ids.description = (
            "A site lead sends the returns of these sites; a trainer is assigned to them from today"
        )


class NewUserForm(InviteUserForm):
    password = PasswordField(
        "Password",
        description=f"{PASSWORD_HINT} Give it to the user in person or by phone, not by email.",
        validators=[DataRequired("Enter a password for the user")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email.description = "They log in with it; it cannot be changed later"


class EditUserForm(UserFields):
    active = BooleanField("Active: the user may log in")
    password = PasswordField(
        "New password (optional)",
        description=f"Leave blank to keep the current password; otherwise {MIN_PASSWORD_LENGTH} "
        "characters or more",
        validators=[Optional()],
    )
    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_ids.label.text = "Sites (site leads only)"
        self.site_ids.description = (
            "The sites whose returns a site lead sends. A trainer's sites are assignments, "
            "which are not changed here."
        )


# Issue 7: "Find by ODS code" on the organisation form ------------------------------------------


class OdsLookupForm(PortalForm):
    """The GET form above the organisation form: a code, and the "Look up" button."""

    class Meta:
        csrf = False  # a GET that changes nothing

    lookup = StringField(
        "ODS code",
        description="For example RXE. The NHS Organisation Data Service gives the name and "
        "postcode, and postcodes.io the region; you check them, then save.",
        filters=[strip],
    )

    found: ods.Lookup | None = None


def ods_lookup(form: FlaskForm) -> OdsLookupForm:
    """On GET ?lookup=CODE, fill the organisation `form` (name, ODS code, kind, region) from the
    NHS's answer for the user to check and save. When either service fails, its message is the
    lookup field's error and `form` keeps what it had: it still works by hand."""
    lookup = OdsLookupForm(formdata=request.args if request.method == "GET" else None)
    if request.method != "GET" or not lookup.lookup.data:
        return lookup
    try:
        found = ods.look_up(lookup.lookup.data)
    except ods.LookupFailed as failed:
        lookup.lookup.errors = [failed.message]
        return lookup
    form.name.data = found.organisation.name
    form.ods_code.data = found.organisation.code
    if found.organisation.kind:
        form.kind.data = found.organisation.kind
    if found.region:
        form.region.data = found.region
    lookup.found = found
    return lookup


class SecurityLogFilters(PortalForm):
    """The security log's filters, read from the page's address (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Event",
        choices=blank("All events", KINDS),
        validate_choice=False,
        filters=[lambda value: value if value in KINDS else ""],
    )
    email = StringField(
        "Email address or name",
        description="All or part of it: the user's, or the address tried at a failed login",
        filters=[strip],
        validators=[Length(max=254, message="Enter 254 characters or fewer")],
    )
    since = day_field("From", "the from date", hint="For example, 1 April 2026")
    until = day_field("To", "the to date", hint="For example, 30 April 2026")

    def validate_until(self, field: Any) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError("The to date must be the same as or after the from date")
