"""What a refused write means to its sender (core.conflicts): the constraint's name from each
driver's error, the field and message it maps to, and every unique constraint mapped."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import accounts.models
import core.audit
import core.mail
import portal.users
import programme.models
import programme.services
import sites.models
import sites.services
import training.models
from core.conflicts import (
    REFERENCE_GONE,
    REFUSED,
    SECRET_VALUES,
    UNIQUE_VALUES,
    Clash,
    clash_of,
    constraint_name,
    sqlite_constraint_name,
)
from core.extensions import db

MODELS = (accounts.models, core.audit, core.mail, programme.models, sites.models, training.models)
CHECKS = (sites.services, programme.services, portal.users)


class PsycopgLike(Exception):
    """What psycopg raises: the server's diagnostics name the constraint, sqlstate its kind."""

    def __init__(self, constraint: str | None, sqlstate: str = "23505") -> None:
        super().__init__(f'violates constraint "{constraint}"')
        self.diag = SimpleNamespace(constraint_name=constraint)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("UNIQUE constraint failed: organisation.name", "uq_organisation_name"),
        ("UNIQUE constraint failed: organisation.ods_code", "uq_organisation_ods_code"),
        (
            "UNIQUE constraint failed: site.organisation_id, site.name",
            "uq_site_organisation_id_name",
        ),
        ("UNIQUE constraint failed: user_account.email", "uq_user_account_email"),
        ("UNIQUE constraint failed: index 'ix_lower_name'", None),
        ("FOREIGN KEY constraint failed", None),
        ("NOT NULL constraint failed: site.name", None),
        ("", None),
    ],
)
def test_sqlite_messages_give_the_name_of_the_naming_convention(message, name):
    assert sqlite_constraint_name(message) == name


def test_the_constraint_name_comes_from_psycopg_diagnostics_or_sqlites_message():
    assert constraint_name(PsycopgLike("uq_programme_name")) == "uq_programme_name"
    assert constraint_name(Exception("UNIQUE constraint failed: funder.name")) == "uq_funder_name"
    assert constraint_name(PsycopgLike(None, sqlstate="23502")) is None


def test_a_unique_clash_names_the_field_and_the_value_when_the_driver_gives_it():
    params = {"name": "Bradford IPS", "kind": "nhs_trust"}
    assert clash_of(PsycopgLike("uq_organisation_name"), params) == Clash(
        "An organisation named 'Bradford IPS' already exists.",
        {"name": ["An organisation with this name already exists"]},
    )
    by_position = ("Bradford IPS", "nhs_trust")  # sqlite3's parameters
    assert clash_of(Exception("UNIQUE constraint failed: organisation.name"), by_position) == Clash(
        "An organisation with this name already exists.",
        {"name": ["An organisation with this name already exists"]},
    )


@pytest.mark.parametrize(
    ("constraint", "field"),
    [
        ("uq_organisation_ods_code", "ods_code"),
        ("uq_site_organisation_id_name", "name"),
        ("uq_funder_name", "name"),
        ("uq_programme_name", "name"),
        ("uq_user_account_email", "email"),
        ("uq_user_site_user_id_site_id", "site_ids"),
        ("uq_monthly_return_site_id_month", "month"),
    ],
)
def test_each_unique_value_maps_to_its_field(constraint, field):
    clash = clash_of(PsycopgLike(constraint), {})
    assert list(clash.fields) == [field]
    assert clash.message and clash.fields[field][0]


def test_a_missing_reference_or_an_unknown_refusal_is_a_plain_message():
    gone = PsycopgLike("fk_site_organisation_id_organisation", sqlstate="23503")
    assert clash_of(gone, {"organisation_id": 9}) == Clash(REFERENCE_GONE, {})
    assert clash_of(Exception("FOREIGN KEY constraint failed")) == Clash(REFERENCE_GONE, {})
    assert clash_of(PsycopgLike("ck_site_something", sqlstate="23514")) == Clash(REFUSED, {})
    assert clash_of(PsycopgLike("uq_api_token_token_hash")) == Clash(REFUSED, {})


def _unique_constraints() -> set[str]:
    names = set()
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                names.add(str(constraint.name))
        names |= {str(index.name) for index in table.indexes if index.unique}
        for column in table.columns:  # unique=True columns name theirs in the convention
            if column.unique:
                names.add(f"uq_{table.name}_{column.name}")
    return names


def test_every_unique_constraint_of_the_models_is_mapped():
    assert MODELS  # the models are imported, so their tables are in the metadata
    names = _unique_constraints()
    assert {
        "uq_organisation_name",
        "uq_site_organisation_id_name",
        "uq_user_account_email",
    } <= names
    assert names - UNIQUE_VALUES.keys() - SECRET_VALUES == set()


def test_the_field_messages_are_the_ones_of_the_services_checks():
    """The loser of a race reads what a second create a moment later would have read."""
    checks = "".join(inspect.getsource(module) for module in CHECKS)
    for constraint in (
        "uq_organisation_name",
        "uq_organisation_ods_code",
        "uq_site_organisation_id_name",
        "uq_funder_name",
        "uq_programme_name",
        "uq_user_account_email",
    ):
        assert UNIQUE_VALUES[constraint].message in checks, constraint
