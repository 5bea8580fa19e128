"""The records and login the tests of hostile input share."""

from __future__ import annotations

from datetime import date

import pytest

from sites.models import ReturnQuery


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Users made here never log in with their password: hash it cheaply, as it is not what this
    module tests, to keep its hundreds of cases quick."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


@pytest.fixture
def admin(login_as):
    return login_as("admin")


@pytest.fixture
def world(make, db):
    """A record of each kind a body or a path can name."""
    organisation = make.organisation()
    site = make.site(organisation=organisation)
    programme = make.programme()
    review = make.fidelity_review(site, 100, date(2021, 1, 1))
    mentee = make.site(organisation=organisation)
    submitted = make.monthly_return(site, date(2024, 1, 1))  # to approve or send back
    approved = make.monthly_return(site, date(2024, 2, 1), status="approved")  # to reopen
    query = ReturnQuery(return_id=approved.id, figure="job_starts", text="High?")
    db.session.add(query)
    db.session.commit()
    return {
        "organisation": organisation,
        "site": site,
        "programme": programme,
        "trainer": make.user("trainer"),  # assigned nowhere yet
        "review": review,
        "mentee": mentee,
        "submitted": submitted,
        "approved": approved,
        "query": query,
    }
