"""What a write that the database refused means to the person who sent it: which field clashed,
and what to tell them.

Two requests creating the same record at once both pass the services' checks (neither sees the
other's row before it commits); the database's unique constraint stops the second. Its name says
which value clashed: PostgreSQL reports it, SQLite names the table and columns, from which the
naming convention of core.extensions gives the same name. portal.conflicts answers with the
Clash found here: 409, naming the field.

Pure: the driver's error and the statement's parameters in, a Clash out. No Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Fields = dict[str, list[str]]


@dataclass(frozen=True)
class UniqueValue:
    """A unique constraint as the sender sees it: the field it is on, the message for that field,
    and a sentence naming the value (`{value}`), taken from `column`, when the driver gives it."""

    field: str
    message: str
    column: str | None = None
    sentence: str | None = None


@dataclass(frozen=True)
class Clash:
    message: str
    fields: Fields


CHANGED_MEANWHILE = "This record was changed by someone else since you read it. Read it again."

UNIQUE_VALUES: dict[str, UniqueValue] = {
    "uq_organisation_name": UniqueValue(
        "name",
        "An organisation with this name already exists",
        "name",
        "An organisation named '{value}' already exists.",
    ),
    "uq_organisation_ods_code": UniqueValue(
        "ods_code",
        "Another organisation has this ODS code",
        "ods_code",
        "An organisation with the ODS code {value} already exists.",
    ),
    "uq_site_organisation_id_name": UniqueValue(
        "name",
        "This organisation already has a site with this name",
        "name",
        "This organisation already has a site named '{value}'.",
    ),
    "uq_funder_name": UniqueValue(
        "name",
        "A funder with this name already exists",
        "name",
        "A funder named '{value}' already exists.",
    ),
    "uq_programme_name": UniqueValue(
        "name",
        "A programme with this name already exists",
        "name",
        "A programme named '{value}' already exists.",
    ),
    "uq_user_account_email": UniqueValue(
        "email",
        "A user with this email address already exists",
        "email",
        "A user with the email address {value} already exists.",
    ),
    "uq_user_site_user_id_site_id": UniqueValue(
        "site_ids", "This user was given one of these sites by someone else meanwhile"
    ),
    "uq_monthly_return_site_id_month": UniqueValue(
        "month",
        "Someone else saved this site's return for this month meanwhile: "
        "read it and send its version",
    ),
    "uq_return_sector_return_id_sector": UniqueValue("sectors", CHANGED_MEANWHILE),
    "uq_return_version_return_id_number": UniqueValue("version", CHANGED_MEANWHILE),
    "uq_target_month_programme_id_month": UniqueValue("target_profile", CHANGED_MEANWHILE),
    "uq_fidelity_score_review_id_item": UniqueValue("scores", CHANGED_MEANWHILE),
    "uq_second_factor_user_id": UniqueValue(
        "code",
        "This account's authenticator app was being set up in another window at the same "
        "time: reload the page",
    ),
    "uq_reminder_sent_user_id_key": UniqueValue("key", "This reminder was sent already"),
    "uq_programme_partner_programme_id_organisation_id": UniqueValue(
        "partner_organisation_ids", "This organisation is a partner in the programme already"
    ),
    "uq_trainer_region_user_id_region": UniqueValue(
        "regions", "The trainer covers this region already"
    ),
}

# Random secrets, kept hashed: a clash is a chance in 2**256, not something a sender could fix.
SECRET_VALUES = frozenset(
    {"uq_api_token_token_hash", "uq_user_session_key_hash", "uq_account_link_token_hash"}
)

REFERENCE_GONE = (
    "Something this refers to was deleted or changed by someone else meanwhile. "
    "Reload the page and try again."
)
REFUSED = "This could not be saved: it clashes with what is stored now. Try again."

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)")


def sqlite_constraint_name(message: str) -> str | None:
    """SQLite's "UNIQUE constraint failed: site.organisation_id, site.name" as the name the
    naming convention gives that constraint: uq_site_organisation_id_name."""
    found = _SQLITE_UNIQUE.match(message)
    if found is None:
        return None
    qualified = [part.strip().split(".") for part in found["columns"].split(",")]
    if any(len(parts) != 2 for parts in qualified):
        return None  # an expression index: no convention to follow
    table = qualified[0][0]
    return "_".join(["uq", table, *(column for _, column in qualified)])


def constraint_name(driver_error: object) -> str | None:
    """The name of the constraint the database reported, from psycopg or sqlite3."""
    diag = getattr(driver_error, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str) and name:
        return name
    return sqlite_constraint_name(str(driver_error))


def _is_missing_reference(driver_error: object, constraint: str | None) -> bool:
    if getattr(driver_error, "sqlstate", None) == "23503":  # PostgreSQL's foreign_key_violation
        return True
    if constraint is not None and constraint.startswith("fk_"):
        return True
    return str(driver_error).startswith("FOREIGN KEY constraint failed")


def _value(params: Any, column: str | None) -> Any:
    """The clashing value, when the statement's parameters name their columns (psycopg does;
    sqlite3's are a tuple by position, and many rows at once tell nothing of which one)."""
    if column is None or not isinstance(params, dict):
        return None
    return params.get(column)


def clash_of(driver_error: object, params: Any = None) -> Clash:
    """What to tell the sender of a write the database refused with this error."""
    constraint = constraint_name(driver_error)
    unique = UNIQUE_VALUES.get(constraint or "")
    if unique is not None:
        value = _value(params, unique.column)
        if unique.sentence and value not in (None, ""):
            message = unique.sentence.format(value=value)
        else:
            message = f"{unique.message}."
        return Clash(message, {unique.field: [unique.message]})
    if _is_missing_reference(driver_error, constraint):
        return Clash(REFERENCE_GONE, {})
    return Clash(REFUSED, {})
