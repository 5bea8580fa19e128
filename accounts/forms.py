"""The account forms: logging in, a security code (the second factor), an API token's name, a
forgotten password, a new password (from an invitation or a reset link), changing one's own
password, one's password again before a change to the second factor, and whether to get e-mail
reminders."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from accounts.services import PASSWORD_HINT
from core.web.forms import PortalForm, strip


class LoginForm(PortalForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class TokenForm(PortalForm):
    name = StringField(
        "Token name",
        description="Say what will use it, for example 'monthly returns script'.",
        validators=[DataRequired("Give the token a name"), Length(max=80)],
    )


class ForgottenPasswordForm(PortalForm):
    email = EmailField(
        "Email address",
        description="The address you log in with",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="An email address is 254 characters or fewer"),
        ],
    )


def _new_password() -> PasswordField:
    return PasswordField(
        "New password",
        description=PASSWORD_HINT,
        validators=[
            DataRequired("Enter a new password"),
            Length(max=200, message="A password is 200 characters or fewer"),
        ],
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class NewPasswordForm(PortalForm):
    password = _new_password()
    confirm = _confirm()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
    password = _new_password()
    confirm = _confirm()


class CodeForm(PortalForm):
    code = StringField(
        "Security code",
        filters=[strip],
        validators=[
            DataRequired("Enter the security code"),
            Length(max=40, message="A security code is 6 digits, a recovery code 10 characters"),
        ],
    )


class PasswordCheckForm(PortalForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=200, message="A password is 200 characters or fewer"),
        ],
    )


class RemindersForm(PortalForm):
    reminders = RadioField(
        "Send me e-mail reminders",
        choices=[SelectChoice("on", "Yes"), SelectChoice("off", "No")],
        validate_choice=False,
        validators=[AnyOf(("on", "off"), message="Choose yes or no")],
    )
