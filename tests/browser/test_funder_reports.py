"""In a real browser, as a funder: download a programme's XLSX from its page (it opens with
openpyxl and holds the right totals), print the programme report to an A4 PDF, and draw the
network map with its outlines served from our static folder: no request leaves 127.0.0.1, no
console error, no serious accessibility problem."""

from __future__ import annotations

import re
from datetime import date

import openpyxl
import pytest

from tests.browser.pages import assert_clean_and_accessible, log_in

pytestmark = pytest.mark.browser

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm in PDF points (1/72 inch)


@pytest.fixture
def funded(make):
    """A funder's user and the programme it funds: Bradford 12 months of 2 + month % 3 job
    starts (2+3+4 four times: 36), Berkshire 12 months of 1 (12); 48 in all against 180.
    Another funder's programme and site, which the funder must never see."""
    funder = make.funder(name="Department of Health innovation fund")
    user = make.user("funder", funder=funder)
    programme = make.programme(
        funder=funder,
        name="Making IPS Work",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        job_start_target=180,
    )
    bradford = make.site(name="Bradford IPS", latitude=53.79, longitude=-1.75)
    berkshire = make.site(name="Berkshire IPS", region="south-east", latitude=51.45, longitude=-1.0)
    make.participation(programme, bradford, site_target=60)
    make.participation(programme, berkshire)
    approved = {"status": "approved"}  # a funder's figures count approved returns only
    for month in range(1, 13):
        make.monthly_return(bradford, date(2020, month, 1), job_starts=2 + month % 3, **approved)
        make.monthly_return(berkshire, date(2020, month, 1), job_starts=1, **approved)
    make.fidelity_review(bradford, 118, date(2021, 3, 1))
    make.fidelity_review(berkshire, 96, date(2021, 5, 1))
    other = make.programme(name="Sussex pilot")
    brighton = make.site(name="Brighton IPS", latitude=50.82, longitude=-0.14)
    make.participation(other, brighton)
    make.monthly_return(brighton, date(2020, 1, 1), job_starts=9)
    return user, programme, bradford


def test_a_funder_downloads_the_programmes_progress_as_xlsx(
    page_and_watch, live_server, funded, tmp_path
) -> None:
    page, watch = page_and_watch
    user, programme, _ = funded
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Programmes you fund"

    page.goto(f"/programmes/{programme.id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX of progress against targets").click()
    download = download_info.value
    assert re.fullmatch(
        rf"ips-progress-programme-{programme.id}-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx",
        download.suggested_filename,
    )
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Summary", "By quarter and year", "Sites", "Rates", "About"]
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    assert workbook["Summary"].freeze_panes == "A2"
    summary = dict(zip(*sheets["Summary"][:2], strict=True))
    assert (summary["Job starts achieved"], summary["Job-start target"]) == (48, 180)
    assert summary["Percent of target"] == pytest.approx(0.267)  # shown as 26.7%
    sites = [dict(zip(sheets["Sites"][0], row, strict=True)) for row in sheets["Sites"][1:]]
    assert [(row["Site"], row["Job starts"]) for row in sites] == [
        ("Berkshire IPS", 12),
        ("Bradford IPS", 36),
    ]
    assert "Sussex" not in str(sheets) and "Brighton" not in str(sheets)

    with page.expect_download() as returns_info:
        page.get_by_role("link", name="XLSX of monthly returns").click()
    returns_path = tmp_path / "returns.xlsx"
    returns_info.value.save_as(returns_path)
    returns = list(openpyxl.load_workbook(returns_path).worksheets[0].iter_rows(values_only=True))
    column = returns[0].index("Job starts")
    assert len(returns) == 1 + 24
    assert sum(row[column] for row in returns[1:]) == 48
    watch.assert_clean()


def test_a_funder_prints_the_programme_report_to_an_a4_pdf(
    page_and_watch, live_server, funded
) -> None:
    page, watch = page_and_watch
    user, programme, _ = funded
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")

    page.goto(f"/programmes/{programme.id}")
    page.get_by_role("link", name="Printable report").click()
    page.wait_for_url(f"{live_server}/programmes/{programme.id}/report")
    page.wait_for_selector("#report-progress-chart svg.main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    assert_clean_and_accessible(page, watch)

    page.emulate_media(media="print")
    assert page.locator("header.nhsuk-header").is_hidden()
    assert page.locator("footer").first.is_hidden()
    assert page.locator(".nhsuk-back-link").is_hidden()
    chart = page.locator("#report-progress-chart svg.main-svg").first.bounding_box()
    assert chart is not None and chart["width"] <= 680  # 180 mm between A4's margins
    # The sites table opens a page with its heading (never a heading alone at a page's foot),
    # a status tag sits above its sentence, and every page is numbered.
    style = "([selector, name]) => getComputedStyle(document.querySelector(selector))[name]"
    assert page.evaluate(style, ["h2.portal-report__sites", "breakBefore"]) == "page"
    assert page.evaluate(style, [".nhsuk-summary-list__value .nhsuk-tag", "display"]) == "block"
    print_rules = page.evaluate(
        "() => [...document.styleSheets].flatMap(s => { try { return [...s.cssRules] }"
        " catch (e) { return [] } }).map(r => r.cssText).join(' ')"
    )
    assert "counter(page)" in print_rules and "counter(pages)" in print_rules
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) >= 1
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(sizes) == len(pages)
    for width, height in sizes:  # Chromium rounds to whole device pixels: within 1.5 points
        assert (float(width), float(height)) == pytest.approx(A4_POINTS, abs=1.5)
    watch.assert_clean()


def test_the_map_draws_from_our_own_outlines_and_opens_a_site(
    page_and_watch, live_server, funded
) -> None:
    page, watch = page_and_watch
    user, _, bradford = funded
    topojson = []
    page.on(
        "response",
        lambda response: topojson.append(response.status) if "/topojson/" in response.url else None,
    )
    log_in(page, user.email)
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_url(f"{live_server}/map")
    page.wait_for_selector("#network-map svg.main-svg", state="attached")
    page.wait_for_selector("#network-map .geo path.js-path, #network-map .geo .land path")
    page.wait_for_load_state("networkidle")
    assert topojson == [200]  # europe_50m.json, from /static/vendor/topojson/
    points = page.locator("#network-map .scattergeo path.point")
    assert points.count() == 2  # Bradford and Berkshire; not the other funder's Brighton
    assert page.get_by_role("link", name="Brighton IPS").count() == 0
    assert page.get_by_role("link", name="Bradford IPS").count() == 1
    assert_clean_and_accessible(page, watch)

    # Bradford is the exemplary point, the first trace's: a click on it opens its site page.
    points.first.scroll_into_view_if_needed()
    box = points.first.bounding_box()
    assert box is not None
    # Plotly picks the clicked point from the hover it found: hover first, then click.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator("#network-map .hoverlayer .hovertext")
    hover.wait_for()
    label = hover.text_content() or ""
    assert "Bradford IPS" in label and "Exemplary (118 of 125)" in label
    page.mouse.down()
    page.mouse.up()
    page.wait_for_url(f"{live_server}/sites/{bradford.id}")
    watch.assert_clean()
