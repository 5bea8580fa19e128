"""The password rule (accounts.services): 12 characters or more, not in the shipped list of the
100,000 most common passwords (ignoring case), not the person's e-mail address or name."""

from __future__ import annotations

import pytest

from accounts.services import (
    COMMON_PASSWORDS,
    MIN_PASSWORD_LENGTH,
    common_passwords,
    password_problems,
)
from portal.demo import LOGINS
from tests.factories import PASSWORD


def test_the_project_ships_a_list_of_100000_common_passwords() -> None:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 100_000
    assert lines[:3] == ["123456", "password", "12345678"]
    assert "qwertyuiop12" in common_passwords()


def test_the_rule_asks_for_12_characters() -> None:
    assert MIN_PASSWORD_LENGTH == 12
    assert password_problems("k7#vB2q!x9Z") == ["Password must be 12 characters or more"]
    assert password_problems("k7#vB2q!x9Zm") == []


@pytest.mark.parametrize(
    "common", ["qwertyuiop12", "QWERTYUIOP12", "QwErTyUiOp12", "1234567890123"]
)
def test_common_passwords_are_refused_whatever_their_case(common: str) -> None:
    assert common.lower() in common_passwords()
    problems = password_problems(common)
    assert problems == ["This password is too common: choose one that is harder to guess"]


@pytest.mark.parametrize("short_and_common", ["password12", "1234567890"])
def test_the_passwords_the_issue_found_are_refused(short_and_common: str) -> None:
    assert password_problems(short_and_common)


def test_the_email_address_or_name_is_refused() -> None:
    email, name = "someone.long@example.org", "Florence Nightingale"
    assert password_problems("Someone.Long@example.org", email=email, name=name) == [
        "Your password must not be your email address"
    ]
    assert password_problems("florence nightingale", email=email, name=name) == [
        "Your password must not be your name"
    ]
    assert password_problems("lamp with a steady light", email=email, name=name) == []


def test_the_demo_and_test_passwords_pass() -> None:
    for _, email, password in LOGINS:
        assert password_problems(password, email=email) == [], password
    assert password_problems(PASSWORD) == []
