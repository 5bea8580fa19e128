"""Writes on API tokens, and the rules of an account's e-mail and password. Users with their scope
(sites, funder) are written by portal.users, which knows every domain's scope links."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from accounts.models import ApiToken, User, hash_token
from core.errors import ValidationFailed
from core.extensions import db
from core.records import utcnow

MIN_PASSWORD_LENGTH = 10


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
    return token, secret


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def user_for_token(secret: str) -> User | None:
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None
    return token.user
