"""A mentoring between two sites, made directly (as a factory would) for the tests here."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sites.models import Mentoring, Site


@pytest.fixture
def mentor(make):
    def made(mentor_site: Site, mentee_site: Site, starts_on: date, **fields: Any) -> Mentoring:
        record = Mentoring(
            mentor_site_id=mentor_site.id,
            mentee_site_id=mentee_site.id,
            starts_on=starts_on,
            **fields,
        )
        make.db.session.add(record)
        make.db.session.commit()
        return record

    return made
