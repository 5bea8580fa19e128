"""A second factor: an authenticator app's six-digit codes (TOTP, RFC 6238: SHA-1, 30-second
steps) and ten one-time recovery codes that stand in for it. Required for the roles in
SECOND_FACTOR_REQUIRED_ROLES (programme staff in production), optional for everyone else.

Set-up: a secret is made and shown as a QR code (drawn here as SVG markup, no script and no
image request) and as text; the factor is on once the person types a code it gives. Then ten
recovery codes are shown once; only their hashes are kept.

A code is accepted within one step either side of now (clocks drift), and never twice: the step
of the last accepted code is kept, and a code of that step or an earlier one is refused.
`utcnow` here is the clock codes are checked against, which tests set.

The secret is kept as it is, as it must be to check codes. The flush hook's audit would copy it
into the audit log, so SecondFactor is not audited by the hook: set-up, turning off and an
admin's reset write their own audit rows, which name the user and the dates only.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime
from typing import Any

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from accounts.models import RecoveryCode, SecondFactor, User, hash_token
from accounts.security_log import by_whom, record
from accounts.sessions import end_all_sessions
from core.audit import AuditEvent, event_row, plain
from core.errors import ValidationFailed
from core.extensions import db
from core.records import utcnow

ISSUER = "IPS Network Tracker"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mistake
RECOVERY_LENGTH = 10
DRIFT_STEPS = 1
WRONG_CODE = "The code is not right: enter the 6-digit code your authenticator app shows now"
APP = "app"
RECOVERY = "recovery"


def required_for(user: User) -> bool:
    """Whether the user's role must have a second factor (SECOND_FACTOR_REQUIRED_ROLES)."""
    return user.role in current_app.config["SECOND_FACTOR_REQUIRED_ROLES"]


def factor_of(user: User) -> SecondFactor | None:
    """The user's factor, confirmed or still being set up."""
    return db.session.scalar(sa.select(SecondFactor).where(SecondFactor.user_id == user.id))


def confirmed_factor(user: User) -> SecondFactor | None:
    factor = factor_of(user)
    return factor if factor is not None and factor.confirmed_at is not None else None


def unused_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


# --- set-up --------------------------------------------------------------------------------------


def factor_to_set_up(user: User) -> SecondFactor:
    """The user's unconfirmed factor, made now if they have none: the same secret until they
    confirm it, so reloading the page keeps the QR code they may have scanned already."""
    factor = factor_of(user)
    if factor is not None and factor.confirmed_at is not None:
        raise ValueError("this user's second factor is on already")
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(factor)
        db.session.flush()
    return factor


def provisioning_uri(factor: SecondFactor, user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(factor.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str, title: str) -> Markup:
    """`uri` as a QR code in SVG markup to put in the page: no script, no image request (the
    Content-Security-Policy allows neither from elsewhere), named by its title for assistive
    technology."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=title, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step whose code `code` is, within DRIFT_STEPS of now, or None."""
    typed = _digits(code)
    if not (len(typed) == 6 and typed.isascii() and typed.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed):
            return step
    return None


def _spend_step(factor: SecondFactor, step: int) -> bool:
    """Mark `step` used: False when it, or a later one, was used already. One UPDATE, so that
    two requests with the same code cannot both pass."""
    result = db.session.execute(
        sa.update(SecondFactor)
        .where(
            SecondFactor.id == factor.id,
            sa.or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    spent = getattr(result, "rowcount", 0) == 1
    db.session.refresh(factor)
    return spent


def _audit(factor: SecondFactor, action: str, actor: User | None) -> None:
    """The audit row of a set-up ("create") or removal ("delete"): the user and the dates,
    never the secret."""
    shown = {
        "id": factor.id,
        "user_id": factor.user_id,
        "confirmed_at": plain(factor.confirmed_at),
    }
    row = event_row(
        SecondFactor.__tablename__,
        factor.id,
        action,
        None if action == "create" else shown,
        shown if action == "create" else None,
        user_id=actor.id if actor is not None else factor.user_id,
        now=utcnow(),
    )
    db.session.execute(sa.insert(AuditEvent), [row])


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for `user`, replacing any they had: returned to be shown once,
    kept as hashes."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw)))
    db.session.flush()
    return codes


def confirm_set_up(user: User, code: str) -> list[str]:
    """Turn the user's factor on with a code from their app; returns their new recovery codes.
    ValidationFailed (on `code`) when the code is not right."""
    factor = factor_of(user)
    if factor is None or factor.confirmed_at is not None:
        raise ValidationFailed({"code": ["Start setting up your second factor again"]})
    step = matching_step(factor.secret, code)
    if step is None:
        raise ValidationFailed({"code": [WRONG_CODE]})
    factor.confirmed_at = utcnow()
    factor.last_used_step = step
    db.session.flush()
    _audit(factor, "create", user)
    codes = new_recovery_codes(user)
    record("second_factor_set_up", user)
    return codes


def renew_recovery_codes(user: User) -> list[str]:
    codes = new_recovery_codes(user)
    record("recovery_codes_renewed", user)
    return codes


def _remove(user: User, actor: User | None) -> SecondFactor | None:
    factor = factor_of(user)
    if factor is not None:
        if factor.confirmed_at is not None:
            _audit(factor, "delete", actor)
        db.session.delete(factor)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    return factor


def turn_off(user: User) -> None:
    """The person turns their own factor off: only where their role does not require one."""
    if required_for(user):
        raise ValidationFailed({"_": ["Your role needs a second factor: it cannot be turned off"]})
    _remove(user, user)
    record("second_factor_turned_off", user)


def reset(user: User, admin: User) -> bool:
    """Programme staff reset a person's factor (a lost phone): it is removed with the recovery
    codes, every session of the person ends, and they set a new one up at their next login if
    their role requires one. False when they had none."""
    factor = _remove(user, admin)
    if factor is None or factor.confirmed_at is None:
        return False
    end_all_sessions(user)
    record("second_factor_reset", user, detail=by_whom(admin))
    return True


# --- at login ------------------------------------------------------------------------------------


def _recovery_hash(code: str) -> str | None:
    typed = re.sub(r"[\s-]", "", code or "").lower()
    if len(typed) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in typed):
        return None
    return hash_token(typed)


def use_code(user: User, code: str) -> str | None:
    """Check a code typed at login against the user's confirmed factor: APP for a right code
    from the app, RECOVERY for an unused recovery code (spent now), None otherwise (a wrong
    code, or one used already)."""
    factor = confirmed_factor(user)
    if factor is None:
        return None
    step = matching_step(factor.secret, code)
    if step is not None:
        return APP if _spend_step(factor, step) else None
    code_hash = _recovery_hash(code)
    if code_hash is None:
        return None
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    record("recovery_code_used", user, detail=f"{unused_recovery_codes(user)} left")
    return RECOVERY


def status(user: User) -> dict[str, Any]:
    """What the account page and the admin's user page say about the user's factor."""
    factor = confirmed_factor(user)
    return {
        "on": factor is not None,
        "since": factor.confirmed_at if factor is not None else None,
        "required": required_for(user),
        "recovery_codes_left": unused_recovery_codes(user) if factor is not None else 0,
    }
