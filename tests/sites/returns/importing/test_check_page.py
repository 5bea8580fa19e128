"""The check page (the preview before the import) says what each row does: a new return, no
change, or what it replaces and which figures change ("job starts 3 to 4")."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from sites.models import ReturnUpload
from sites.returns.importing.plans import Outcome, Plan
from sites.returns.rules import Change
from tests.sites.returns.importing.test_import import HEADER, csv_of, line, upload

ROW = re.compile(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", re.S)
CELL = re.compile(r"<td class=\"nhsuk-table__cell\">(.*?)</td>", re.S)


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" )", ")")


def what_each_row_does(html: str) -> dict[int, str]:
    """Row number -> the text of its "What importing does" cell."""
    found = {}
    for row in ROW.findall(html):
        cells = CELL.findall(row)
        if cells:
            found[int(text_of(cells[0]).replace(",", ""))] = text_of(cells[3])
    return found


def check_page(client, db, text: str) -> str:
    assert upload(client, text).status_code == 302
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))
    response = client.get(f"/returns/import/{upload_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_check_page_says_what_each_row_does(client, login_as, make, db):
    site = make.site(name="Bradford IPS")
    make.monthly_return(site, date(2024, 1, 1), job_starts=3)
    make.monthly_return(site, date(2024, 2, 1))  # the same as the file's row
    make.monthly_return(site, date(2024, 3, 1), status="draft", caseload=None)
    make.monthly_return(site, date(2024, 5, 1), sectors={"retail": 3})
    make.monthly_return(site, date(2024, 6, 1), sectors={"retail": 3})
    login_as("site_lead", sites=[site])
    text = csv_of(
        line(site.id, "2024-01", job_starts="4"),
        line(site.id, "2024-02"),
        line(site.id, "2024-03"),
        line(site.id, "2024-04"),
        line(site.id, "2024-05", employment_specialists_fte="2.5"),  # sectors still add up
        line(site.id, "2024-06", job_starts="4", in_work="16"),  # the breakdown is dropped
    )

    html = check_page(client, db, text)

    assert what_each_row_does(html) == {
        2: "Replaces the submitted return (job starts 3 to 4)",
        3: "No change",
        4: "Replaces the draft (caseload blank to 40)",
        5: "New return",
        6: "Replaces the submitted return (employment specialists (full-time equivalent) 2 to 2.5)",
        7: "Replaces the submitted return (job starts 3 to 4, in work 15 to 16, "
        "job starts in retail 3 to 0)",
    }
    assert ">Ready<" not in html
    assert '<th scope="col" class="nhsuk-table__header">What importing does</th>' in html
    summary = re.findall(r'nhsuk-summary-list__value"\s*>\s*([\d,]+)', html)
    # rows; new, replacing submitted, replacing drafts, no change; with errors, with warnings
    assert summary == ["6", "1", "3", "1", "1", "0", "0"]
    assert "Returns already submitted will change" in html
    assert "3 rows replace returns already submitted" in html
    assert "Import 6 returns" in html  # the confirm step is still there

    # The import does what the page said.
    upload_id = db.session.scalar(sa.select(ReturnUpload.id))
    response = client.post(f"/returns/import/{upload_id}")
    assert response.headers["Location"] == (
        "/returns/import/result?imported=6&created=1&amended=4&unchanged=1&warnings=0"
    )


def test_the_check_page_lists_changes_by_sector_and_keeps_warnings(client, login_as, make, db):
    site = make.site(name="Bradford IPS")
    make.monthly_return(site, date(2024, 1, 1), sectors={"retail": 3})
    login_as("admin")
    text = csv_of(
        line(site.id, "2024-01") + ",1,2,Bradford IPS",
        line(site.id, "2024-02", caseload="60", employment_specialists_fte="2") + ",3,0,",
        header=HEADER + ",sector_retail,sector_construction,site_name",
    )

    html = check_page(client, db, text)

    assert what_each_row_does(html) == {
        2: "Replaces the submitted return (job starts in construction 0 to 2, "
        "job starts in retail 3 to 1)",
        3: "Warning New return",
    }
    assert "Caseload per specialist is 30.0" in html


def test_a_row_with_errors_says_error_and_nothing_it_would_replace(client, login_as, make, db):
    site = make.site(name="Bradford IPS")
    make.monthly_return(site, date(2024, 1, 1), job_starts=3)
    login_as("admin")

    html = check_page(client, db, csv_of(line(site.id, "2024-01", in_work="41")))

    assert what_each_row_does(html) == {2: "Error"}
    assert "Returns already submitted will change" not in html


def test_the_words_of_a_plan():
    job_starts = Change("job_starts", "Job starts", 3, 4)
    fte = Change("employment_specialists_fte", "Specialists", Decimal("2.00"), Decimal("1250.50"))
    assert Plan(Outcome.NEW, []).text == "New return"
    assert Plan(Outcome.NO_CHANGE, [], "submitted").text == "No change"
    assert Plan(Outcome.REPLACES_SUBMITTED, [job_starts], "submitted").text == (
        "Replaces the submitted return (job starts 3 to 4)"
    )
    assert Plan(Outcome.REPLACES_SUBMITTED, [fte], "submitted").detail == "specialists 2 to 1,250.5"
    assert Plan(Outcome.REPLACES_DRAFT, [], "draft").text == (
        "Replaces the draft (the same figures, now submitted)"
    )
    assert Plan(Outcome.REPLACES_SUBMITTED, [job_starts], "approved").headline == (
        "Replaces the approved return"
    )
