"""In a real browser: uploading a CSV of returns, the preview with its errors, the import with its
progress bar, and the template download; no console errors and no serious accessibility
problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from sites.models import MonthlyReturn
from sites.returns import rules as return_rules
from sites.returns.importing.reader import HEADER, TEMPLATE_HEADER
from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

GOOD = "10,40,8,6,3,15,2,2.0,4"


def csv_file(lines: list[str], header: str = ",".join(HEADER)) -> dict:
    text = "\n".join([header, *lines]) + "\n"
    return {"name": "returns.csv", "mimeType": "text/csv", "buffer": text.encode()}


def months(count: int) -> list[str]:
    return [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def upload(page, lines: list[str], **header) -> None:
    page.goto("/returns/import")
    page.set_input_files("input[type=file]", csv_file(lines, **header))
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_load_state("networkidle")


def test_an_error_row_is_shown_then_the_corrected_file_imports(
    page_and_watch, live_server, make, db
) -> None:
    page, watch = page_and_watch
    site = make.site(name="Bradford IPS")
    lead = make.user("site_lead", sites=[site])
    log_in(page, lead.email)
    page.wait_for_url(f"{live_server}/")

    upload(page, [f"{site.id},2024-01,{GOOD}"], header=",".join(HEADER[:-1]))
    summary = page.locator(".nhsuk-error-summary")
    assert "The header is missing the column discharges" in summary.inner_text()
    assert page.title().startswith("Error: ")
    # The form with errors answers 422, which Chromium logs as a failed load: expected here.
    assert [e for e in watch.errors if "status of 422" not in e] == []
    watch.errors.clear()
    assert_clean_and_accessible(page, watch)

    upload(page, [f"{site.id},2024-01,{GOOD}", f"{site.id},2024-02,10,40,8,6,3,41,2,2.0,4"])

    assert page.get_by_role("heading", name="Check the returns in your file").count() == 1
    error_row = page.locator("tbody tr", has_text="February 2024")
    assert "Error" in error_row.inner_text()
    assert "In work: must be no more than the caseload (40)" in error_row.inner_text()
    assert page.get_by_role("button", name="Import 2 returns").count() == 0
    assert_clean_and_accessible(page, watch)

    upload(page, [f"{site.id},2024-01,{GOOD}", f"{site.id},2024-02,{GOOD}"])
    page.get_by_role("button", name="Import 2 returns").click()
    page.wait_for_url("**/returns/import/result?**")

    assert page.get_by_role("heading", name="2 returns imported").count() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReturn)) == 2
    assert_clean_and_accessible(page, watch)


def test_a_large_file_imports_with_a_progress_bar(page_and_watch, live_server, make, db) -> None:
    page, watch = page_and_watch
    sites = [make.site() for _ in range(12)]
    lead = make.user("site_lead", sites=sites)
    log_in(page, lead.email)
    page.wait_for_url(f"{live_server}/")

    upload(page, [f"{site.id},{month},{GOOD}" for site in sites for month in months(250)])

    assert "3,000" in page.locator(".nhsuk-summary-list").inner_text()
    assert page.locator("tbody tr").count() == 100  # the first page of rows
    assert_clean_and_accessible(page, watch)

    seen: list[tuple[float, float]] = []
    page.expose_function("reportProgress", lambda value, most: seen.append((value, most)))
    page.evaluate(
        """() => {
          const bar = document.querySelector("#import-progress progress");
          new MutationObserver(() => window.reportProgress(bar.value, bar.max))
            .observe(bar, {attributes: true});
        }"""
    )
    page.get_by_role("button", name="Import 3,000 returns").click()
    page.wait_for_url("**/returns/import/result?**")
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", name="3,000 returns imported").count() == 1
    assert (1000, 3000) in seen and seen[-1] == (3000, 3000), seen
    count = db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReturn))
    assert count == 3_000
    watch.assert_clean()


def test_the_template_downloads(page_and_watch, live_server, make, tmp_path: Path) -> None:
    page, watch = page_and_watch
    site = make.site()
    lead = make.user("site_lead", sites=[site])
    log_in(page, lead.email)
    page.wait_for_url(f"{live_server}/")
    page.goto("/returns/import")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a template CSV file").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    last_month = return_rules.add_months(date.today().replace(day=1), -1)
    assert download.suggested_filename == "returns-template.csv"
    # A placeholder row per site the lead sends for, its figures blank: never a real return.
    assert saved.read_text().splitlines() == [
        ",".join(TEMPLATE_HEADER),
        f"{site.id},{site.name},{last_month:%Y-%m}" + "," * (len(TEMPLATE_HEADER) - 3),
    ]
    watch.assert_clean()
