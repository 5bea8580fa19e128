"""The template CSV a user downloads to fill in: every column, a blank row for each return due,
never the figures of a return; sent back as it was downloaded, it imports nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from core.months import next_month, previous_month
from sites.models import ReturnUpload
from sites.returns.deadlines import this_months_return
from sites.returns.importing import reader
from sites.returns.importing.checker import BLANK_FIGURES
from tests.sites.returns.importing.test_import import (
    GOOD,
    find,
    rows_of,
    send,
    snapshot,
    upload,
)

TEMPLATE = "/returns/import/template.csv"
BLANKS = [""] * (len(reader.TEMPLATE_HEADER) - 3)


def template_of(client) -> tuple[str, list[list[str]]]:
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="returns-template.csv"'
    text = response.get_data(as_text=True)
    return text, list(csv.reader(io.StringIO(text)))


def test_the_template_header_has_the_site_name_the_figures_and_the_sectors(client, login_as, db):
    login_as("admin")
    text, _ = template_of(client)
    assert text.splitlines()[0] == (
        "site_id,site_name,month,referrals,caseload,new_to_service,first_contact_within_4_weeks,"
        "job_starts,in_work,sustained_13_weeks,employment_specialists_fte,discharges,"
        "sector_construction,sector_health_and_social_care,sector_education,sector_retail,"
        "sector_hospitality,sector_admin_and_finance,sector_engineering_and_trades,"
        "sector_animal_care,sector_other"
    )


def test_a_site_leads_template_has_a_blank_row_for_each_of_their_sites_for_the_month_due(
    client, login_as, make, db
):
    due = this_months_return(date.today())
    bradford = make.site(name="Bradford IPS")
    berkshire = make.site(name="=Berkshire, West IPS")  # a comma, and text like a formula
    closed = make.site(name="Closed IPS", closed_on=due)  # closed as the month began
    future = make.site(name="Future IPS", launched_on=next_month(due))
    make.site(name="Another IPS")  # not theirs
    # Real returns for the month due, and the month before: none of their figures is copied.
    make.monthly_return(bradford, due, referrals=17, caseload=61, job_starts=5, in_work=23)
    make.monthly_return(berkshire, due, sectors={"retail": 3})
    make.monthly_return(bradford, previous_month(due), discharges=9)
    login_as("site_lead", sites=[bradford, berkshire, closed, future])

    _, rows = template_of(client)

    month = f"{due:%Y-%m}"
    assert rows == [
        list(reader.TEMPLATE_HEADER),
        [str(berkshire.id), "'=Berkshire, West IPS", month, *BLANKS],
        [str(bradford.id), "Bradford IPS", month, *BLANKS],
    ]


def test_an_admins_template_has_one_example_row_without_a_site(client, login_as, make, db):
    make.monthly_return(make.site(name="Bradford IPS"), this_months_return(date.today()))
    login_as("admin")
    _, rows = template_of(client)
    month = f"{this_months_return(date.today()):%Y-%m}"
    assert rows == [list(reader.TEMPLATE_HEADER), ["", reader.EXAMPLE_NAME, month, *BLANKS]]


def test_a_site_lead_without_a_site_gets_the_example_row(client, login_as, db):
    login_as("site_lead")
    _, rows = template_of(client)
    assert [row[:2] for row in rows[1:]] == [["", reader.EXAMPLE_NAME]]


def test_the_template_sent_unchanged_through_the_api_imports_nothing(
    client, login_as, api, make, db
):
    due = this_months_return(date.today())
    bradford, berkshire = make.site(name="Bradford IPS"), make.site(name="Berkshire IPS")
    make.monthly_return(bradford, due, job_starts=3)  # the real return the old template replaced
    lead = login_as("site_lead", sites=[bradford, berkshire])
    text, _ = template_of(client)
    caller = api(lead)
    before = snapshot(db)

    response = send(caller, text)

    assert rows_of(response) == [
        {"row": 2, "fields": {"figures": [BLANK_FIGURES]}},
        {"row": 3, "fields": {"figures": [BLANK_FIGURES]}},
    ]
    assert response.get_json()["error"]["message"] == (
        "2 rows have no figures, the first row 2: fill them in (0 where there were none) or "
        "delete those rows. Nothing was imported."
    )
    assert snapshot(db) == before


def test_an_admins_example_row_sent_unchanged_imports_nothing(client, login_as, api, make, db):
    admin = login_as("admin")
    text, _ = template_of(client)
    caller = api(admin)
    before = snapshot(db)

    response = send(caller, text)

    assert rows_of(response) == [
        {
            "row": 2,
            "fields": {
                "site_id": ["is needed: the number of the site the return is for"],
                "figures": [BLANK_FIGURES],
            },
        }
    ]
    assert response.get_json()["error"]["message"] == (
        "Row 2 has no figures: fill them in (0 where there were none) or delete the row. "
        "Nothing was imported."
    )
    assert snapshot(db) == before


def test_the_template_uploaded_unchanged_is_refused_on_the_check_page(client, login_as, make, db):
    due = this_months_return(date.today())
    site = make.site(name="Bradford IPS")
    make.monthly_return(site, due, job_starts=3)
    login_as("site_lead", sites=[site])
    text, _ = template_of(client)
    before = snapshot(db)

    assert upload(client, text).status_code == 302
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))
    html = client.get(f"/returns/import/{upload_id}").get_data(as_text=True)

    assert "Nothing can be imported yet" in html
    assert f"<strong>Figures</strong>: {BLANK_FIGURES}".replace("'", "&#39;") in html
    assert "data-import-progress" not in html  # no import button
    assert "Replaces the submitted return" not in html

    response = client.post(f"/returns/import/{upload_id}")  # the confirm step refuses too
    assert response.headers["Location"] == f"/returns/import/{upload_id}"
    assert snapshot(db) == before


def test_the_template_filled_in_imports_with_its_sectors(client, login_as, api, make, db):
    site = make.site(name="=Berkshire, West IPS")
    lead = login_as("site_lead", sites=[site])
    _, rows = template_of(client)
    header, row = rows
    filled = dict(zip(header, row, strict=True)) | GOOD
    filled |= {"sector_retail": "2", "sector_other": "1"}  # GOOD has 3 job starts
    out = io.StringIO()
    csv.writer(out).writerows([header, [filled[name] for name in header]])

    response = send(api(lead), out.getvalue())

    assert response.get_json() == {"imported": 1, "warnings": []}
    saved = find(db, site, this_months_return(date.today()))
    assert (saved.status, saved.job_starts) == ("submitted", 3)
    assert saved.sector_counts() == {"retail": 2, "other": 1}
