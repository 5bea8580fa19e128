"""The CSV import and the approval workflow: a row for an approved month is a row error, and the
rows imported keep their first submission and their steps, as the form does."""

from __future__ import annotations

from tests.sites.returns.approval.helpers import SLUG, fresh, moves, setting
from tests.sites.returns.importing.test_import import csv_of, line, send


def test_a_row_for_an_approved_month_is_a_row_error(api, db, make):
    s = setting(make, status="approved")
    answer = send(api(s.admin), csv_of(line(s.site.id, SLUG, job_starts="4")))
    assert answer.status_code == 422
    rows = answer.json["error"]["rows"]
    assert rows[0]["row"] == 2
    assert "approved and locked" in rows[0]["fields"]["month"][0]
    assert fresh(db, s.monthly_return).job_starts == 3


def test_an_import_keeps_the_first_submission_and_the_steps(api, db, make):
    returned = setting(make, status="returned")
    created = make.site(name="Hillside IPS")
    answer = send(
        api(returned.admin),
        csv_of(line(returned.site.id, SLUG, job_starts="4"), line(created.id, SLUG)),
    )
    assert answer.status_code == 200, answer.json
    again = fresh(db, returned.monthly_return)
    assert again.status == "submitted" and again.first_submitted_at is not None
    assert moves(db, again.id) == [("resubmit", "submitted", None)]
    new = again.__class__
    made = db.session.query(new).filter_by(site_id=created.id).one()
    assert made.first_submitted_at is not None
    assert moves(db, made.id) == [("submit", "submitted", None)]
