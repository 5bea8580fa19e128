"""Writes on API tokens and passwords, and the rules of an account's e-mail and password. Users
with their scope (sites, funder) are written by portal.users, which knows every domain's scope
links.

The password rule is here and nowhere else: MIN_PASSWORD_LENGTH characters or more, not one of
the 100,000 most common passwords (accounts/data/common-passwords.txt, compared ignoring case),
and not the person's e-mail address or name."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from accounts.models import ApiToken, User, hash_token
from accounts.security_log import record
from accounts.sessions import end_all_sessions
from core.errors import ValidationFailed
from core.extensions import db
from core.records import utcnow

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
PASSWORD_HINT = (
    f"{MIN_PASSWORD_LENGTH} characters or more. Three random words make a good one; "
    "common passwords are refused."
)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, in lower case."""
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with `password` as a new password for the person with this e-mail address
    and name: a message per problem, none when it will do."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    folded = password.strip().lower()
    if folded in common_passwords():
        problems.append("This password is too common: choose one that is harder to guess")
    if email and folded == email.strip().lower():
        problems.append("Your password must not be your email address")
    if name and folded == name.strip().lower():
        problems.append("Your password must not be your name")
    return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the record and the token itself, which is shown once and never stored."""
    if not name.strip():
        raise ValidationFailed({"name": ["Give the token a name, such as the script that uses it"]})
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:80], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    record("token_created", user, detail=f"token '{token.name}' (id {token.id})")
    return token, secret


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()
    record("token_revoked", token.user_id, detail=f"token '{token.name}' (id {token.id})")


def token_for_secret(secret: str) -> ApiToken | None:
    """The token in force whose secret this is, of an active user; or None."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None
    return token


def user_for_token(secret: str) -> User | None:
    token = token_for_secret(secret)
    return token.user if token is not None else None


def revoke_all_tokens(user: User) -> int:
    """Revoke every API token of `user` still in force; returns how many."""
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        revoke_token(token)
    return len(tokens)


# The roles e-mail reminders go to (portal.reminders): site leads, of their returns due or late,
# and programme staff, the weekly digest.
REMINDED_ROLES = ("admin", "site_lead")


def set_reminders(user: User, on: bool) -> None:
    """Turn the person's e-mail reminders on or off; the flush writes the audit row."""
    if user.reminders != on:
        user.reminders = on
        db.session.flush()


def set_new_password(user: User, password: str, field: str = "password") -> None:
    """Give `user` a new password that obeys the rule, and end all their sessions."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise ValidationFailed({field: problems})
    user.set_password(password)
    db.session.flush()
    end_all_sessions(user)


def change_password(user: User, current: str, new: str) -> None:
    """The person's own change: their current password first, then the rule for the new one.
    Every session of theirs ends (the caller signs this one in again)."""
    if not user.check_password(current):
        raise ValidationFailed({"current_password": ["Your current password is not correct"]})
    if current == new:
        raise ValidationFailed({"password": ["Choose a password you have not used here before"]})
    set_new_password(user, new)
