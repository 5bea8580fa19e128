"""The account page's "E-mail reminders": site leads and programme staff turn their reminders off
and on (User.reminders, audited, with a banner); a missing or unknown choice changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent
from core.extensions import db as _db


def reminders_of(user: User) -> bool:
    return _db.session.scalar(sa.select(User.reminders).where(User.id == user.id))


def audit_rows(user: User) -> list[AuditEvent]:
    return _db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.table_name == "user_account", AuditEvent.record_id == user.id
        )
    ).all()


@pytest.mark.parametrize("role", ["site_lead", "admin"])
def test_turning_reminders_off_and_on_again(client, login_as, role):
    user = login_as(role)
    page = client.get("/account").get_data(as_text=True)
    assert "E-mail reminders" in page
    assert 'name="reminders" type="radio" value="on" checked' in page

    response = client.post("/account/reminders", data={"reminders": "off"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert reminders_of(user) is False
    (event,) = [e for e in audit_rows(user) if e.action == "update"]
    assert (event.before, event.after, event.user_id) == (
        {"reminders": True},
        {"reminders": False},
        user.id,
    )
    page = client.get("/account").get_data(as_text=True)
    assert "E-mail reminders are off" in page
    assert 'value="off" checked' in page

    client.post("/account/reminders", data={"reminders": "on"})
    assert reminders_of(user) is True
    assert "E-mail reminders are on." in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("data", [{}, {"reminders": "sometimes"}])
def test_a_missing_or_unknown_choice_changes_nothing(client, login_as, data):
    user = login_as("site_lead")
    response = client.post("/account/reminders", data=data)
    assert response.status_code == 422
    page = " ".join(response.get_data(as_text=True).split())
    assert "There is a problem" in page
    assert '<a href="#reminders" > Choose yes or no </a>' in page
    assert 'id="reminders" name="reminders" type="radio" value="on" >' in page  # none chosen
    assert reminders_of(user) is True
    assert [e for e in audit_rows(user) if e.action == "update"] == []


@pytest.mark.parametrize("role", ["trainer", "funder"])
def test_roles_without_reminders_have_no_choice(client, login_as, role):
    user = login_as(role)
    assert "E-mail reminders" not in client.get("/account").get_data(as_text=True)
    assert client.post("/account/reminders", data={"reminders": "off"}).status_code == 403
    assert reminders_of(user) is True
