"""The signed-in user, typed: views and services ask here rather than unwrap flask_login's proxy."""

from __future__ import annotations

from typing import cast

from flask_login import current_user

from accounts.models import User


def current_account() -> User:
    """The user of this request (a page's session or the API's bearer token)."""
    return cast(User, current_user._get_current_object())
