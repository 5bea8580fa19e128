"""Command-line tools. Scripts depend on these words: keep them exactly.

flask --app portal demo load [--if-empty]
flask --app portal demo logins
flask --app portal users create EMAIL --name NAME --role ROLE [--site ID ...]
    [--funder ID] --password-stdin
flask --app portal tokens create EMAIL --name NAME
flask --app portal reminders send [--today YYYY-MM-DD]
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from accounts.models import ROLES, User
from accounts.services import create_token, normalise_email
from core.errors import ValidationFailed
from core.extensions import db
from portal.users import create_user

users = AppGroup("users", help="Manage users.")
tokens = AppGroup("tokens", help="Manage API tokens.")
demo = AppGroup("demo", help="The demo network.")
reminders = AppGroup("reminders", help="E-mail reminders of monthly returns.")


def _fail(error: ValidationFailed) -> None:
    db.session.rollback()
    for field, messages in error.fields.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option(
    "--site",
    "site_ids",
    multiple=True,
    type=int,
    help="A site lead's site; a trainer is assigned to it from today.",
)
@click.option("--funder", "funder_id", type=int, help="The funder a funder user reads for.")
@click.option(
    "--password-stdin", is_flag=True, required=True, help="Read the password from standard input."
)
def create_user_command(
    email: str,
    name: str,
    role: str,
    site_ids: tuple[int, ...],
    funder_id: int | None,
    password_stdin: bool,
) -> None:
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            site_ids=site_ids,
            funder_id=funder_id,
        )
    except ValidationFailed as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id})")


@tokens.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
def create_token_command(email: str, name: str) -> None:
    """Prints the new token alone on the last line; only its hash is kept."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        click.echo(f"No user with email {email}", err=True)
        raise SystemExit(1)
    try:
        _, secret = create_token(user, name)
    except ValidationFailed as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Token '{name}' for {user.email}; it is shown once:")
    click.echo(secret)


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds sites.")
def demo_load(if_empty: bool) -> None:
    from portal.demo import load as load_demo
    from sites.models import Site

    if db.session.scalar(sa.select(sa.func.count(Site.id))):
        if if_empty:
            click.echo("The database already holds a network; the demo was not loaded again.")
            return
        click.echo(
            "The database already holds sites; load the demo into an empty database.", err=True
        )
        raise SystemExit(1)
    counts = load_demo()
    db.session.commit()
    click.echo("Loaded the demo network: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


@demo.command("logins")
def demo_logins() -> None:
    from portal.demo import LOGINS

    click.echo("Demo logins (one per role):")
    for role, email, password in LOGINS:
        click.echo(f"  {role:<10} {email:<32} password: {password}")


@reminders.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Send what is due on this day instead of today (for trials and tests).",
)
def send_reminders_command(today: datetime | None) -> None:
    """Send the reminders due today that were not sent yet; run it hourly from cron."""
    from portal.reminders import send_reminders

    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        click.echo(
            "Set BASE_URL (such as https://ips.example.org): the links in the e-mails start "
            "with it.",
            err=True,
        )
        raise SystemExit(1)
    day = today.date() if today is not None else date.today()
    run = send_reminders(day, base_url)
    click.echo(f"{day:%Y-%m-%d}: sent {len(run.sent)} reminder e-mail(s).")
    if run.failed:
        click.echo(
            f"{len(run.failed)} e-mail(s) could not be sent (the log says why); the next run "
            "tries them again.",
            err=True,
        )
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(demo)
    app.cli.add_command(reminders)
