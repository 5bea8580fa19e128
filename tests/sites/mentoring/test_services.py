"""Recording and ending a mentoring: the rules through the service, nothing written when
refused, and every change audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import StaleVersion, ValidationFailed
from sites.mentoring.rules import OVERLAPS
from sites.mentoring.services import end_mentoring, record_mentoring
from sites.models import Mentoring


def mentorings(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Mentoring))


def test_a_centre_mentors_a_site_within_a_programme_audited(make, db):
    bradford, leeds = make.site(name="Bradford IPS"), make.site(name="Leeds IPS")
    programme = make.programme()
    mentoring = record_mentoring(
        bradford,
        mentee_site_id=leeds.id,
        starts_on=date(2017, 4, 1),
        programme_id=programme.id,
        note="  Monthly supervision  ",
    )
    db.session.commit()
    assert (mentoring.mentor_site_id, mentoring.mentee_site_id) == (bradford.id, leeds.id)
    assert mentoring.note == "Monthly supervision"
    ended = end_mentoring(mentoring, date(2018, 3, 31), mentoring.version)
    db.session.commit()
    assert ended.ends_on == date(2018, 3, 31)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.table_name == "mentoring")
    ).all()
    assert sorted(actions) == ["create", "update"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mentee_site_id": "itself"}, "mentee_site_id"),
        ({"mentee_site_id": 987654}, "mentee_site_id"),
        ({"programme_id": 987654}, "programme_id"),
        ({"ends_on": date(2017, 3, 31)}, "ends_on"),
        ({"starts_on": date(1989, 12, 31)}, "starts_on"),
    ],
)
def test_bad_mentorings_are_refused_and_nothing_is_written(make, db, change, field):
    centre, site = make.site(), make.site()
    arguments = {"mentee_site_id": site.id, "starts_on": date(2017, 4, 1)} | change
    if arguments["mentee_site_id"] == "itself":
        arguments["mentee_site_id"] = centre.id
    with pytest.raises(ValidationFailed) as refused:
        record_mentoring(centre, **arguments)
    assert list(refused.value.fields) == [field]
    db.session.rollback()
    assert mentorings(db) == 0


def test_the_same_pair_may_not_overlap_either_way_round(make, db, mentor):
    centre, site, other = make.site(), make.site(), make.site()
    mentor(centre, site, date(2016, 1, 1), ends_on=date(2016, 12, 31))
    for first, second in ((centre, site), (site, centre)):
        with pytest.raises(ValidationFailed) as refused:
            record_mentoring(first, mentee_site_id=second.id, starts_on=date(2016, 6, 1))
        assert refused.value.fields == {"starts_on": [OVERLAPS]}
    record_mentoring(centre, mentee_site_id=site.id, starts_on=date(2017, 1, 1))
    record_mentoring(centre, mentee_site_id=other.id, starts_on=date(2016, 6, 1))  # another pair
    db.session.commit()
    assert mentorings(db) == 3


def test_ending_checks_dates_and_the_version(make, db, mentor):
    centre, site = make.site(), make.site()
    mentoring = mentor(centre, site, date(2016, 1, 1))
    with pytest.raises(ValidationFailed):
        end_mentoring(mentoring, date(2015, 12, 31), mentoring.version)
    with pytest.raises(StaleVersion):
        end_mentoring(mentoring, date(2016, 12, 31), mentoring.version + 1)
    db.session.refresh(mentoring)
    assert mentoring.ends_on is None
