"""Every XLSX download opened in a real spreadsheet program: Debian's LibreOffice Calc, headless,
saves each sheet as CSV the way it shows the cells ("as shown"), and the figures are those of the
CSV download of the same export (or, for the sheets the CSV has no table for, of the API): the
same sites, the same numbers month by month, months shown as "Apr 2015" and dates as
"31 Mar 2018", never as 04/01/2015.

`make test` installs LibreOffice Calc (the Makefile's `libreoffice` target); without it this test
fails rather than skips. One soffice call converts every file, with a profile of its own, so
parallel runs do not share LibreOffice's user installation."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from programme.progress import STATUS_LABELS
from sites.models import REGIONS
from training.fidelity.scale import BANDS
from training.models import REVIEW_KINDS

pytestmark = pytest.mark.soffice

# CSV, comma-separated, "-quoted, UTF-8 (76), cells as shown (token 9), every sheet (token 12,
# -1: LibreOffice 7.2 and later), each to <file>-<sheet>.csv.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
INSTALL = (
    "LibreOffice Calc is not installed: `make libreoffice` (part of `make test`) installs "
    "Debian's libreoffice-calc with --no-install-recommends"
)
FULL_DATE = re.compile(r"\d{1,4}[/-]\d{1,2}[/-]\d{1,4}")  # 04/01/2015, 2015-04-01


@pytest.fixture(scope="module")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(INSTALL)
    return found


def calc_sheets(soffice: str, files: list[Path], work: Path) -> dict[tuple[str, str], list[list]]:
    """Every sheet of every file as Calc shows it, by (file stem, sheet name)."""
    out = work / "calc"
    profile = work / "profile"
    environment = os.environ | {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "HOME": str(work)}
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=environment,
    )
    sheets = {}
    for file in files:
        for path in out.glob(f"{file.stem}-*.csv"):
            sheet = path.stem[len(file.stem) + 1 :]
            with path.open(newline="", encoding="utf-8") as text:
                sheets[file.stem, sheet] = list(csv.reader(text))
    return sheets


def table(rows: list[list[str]]) -> list[dict[str, str]]:
    """A sheet's rows by heading, down to the first empty row (a footer may follow it)."""
    header, body = rows[0], []
    for row in rows[1:]:
        if not any(row):
            break
        body.append(dict(zip(header, row, strict=True)))
    return body


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


# How the figures of the CSV look in Calc ------------------------------------------------------


def month_shown(slug: str) -> str:
    """ "2015-04" as Calc shows the month cell: "Apr 2015"."""
    return "" if not slug else f"{date.fromisoformat(slug + '-01'):%b %Y}"


def date_shown(iso: str) -> str:
    """ "2018-03-31" as Calc shows the date cell: "31 Mar 2018"."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def number(shown: str) -> Decimal | str:
    """A number as Calc shows it ("1,202", "6.8%") as a Decimal; text ("*", "") as it is."""
    text = shown.replace(",", "").removesuffix("%")
    try:
        return Decimal(text)
    except ArithmeticError:
        return shown


def same_number(shown: str, exact: str, places: int | None = None, percent: bool = False) -> bool:
    """Calc's `shown` is the CSV's `exact` figure, shown to `places` (as it is when None)."""
    if exact in ("", "*") or shown in ("", "*"):
        return shown == exact
    if percent and not shown.endswith("%"):
        return False
    value = Decimal(exact)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number(shown) == value


def assert_same_rows(calc: list[dict[str, str]], rows: list[dict[str, str]], columns, what: str):
    """Each Calc row against the CSV row in the same place: `columns` pairs a Calc heading with a
    CSV column and a check of the two."""
    assert len(calc) == len(rows), what
    for index, (shown, exact) in enumerate(zip(calc, rows, strict=True)):
        for heading, name, check in columns:
            assert check(shown[heading], exact[name]), (what, index, heading, shown, exact)


def equal(shown: str, exact: str) -> bool:
    return shown == exact


def labelled(labels):
    return lambda shown, exact: shown == (labels.get(exact, exact) if exact else "")


def whole(shown: str, exact: str) -> bool:
    return same_number(shown, exact, places=0)


def as_shown(shown: str, exact: str) -> bool:
    return same_number(shown, exact)


def percent(shown: str, exact: str) -> bool:
    return same_number(shown, exact, places=1, percent=True)


def month_cell(shown: str, exact: str) -> bool:
    return shown == month_shown(exact)


def date_cell(shown: str, exact: str) -> bool:
    return shown == date_shown(exact)


SITE = [
    ("Site ID", "site_id", equal),
    ("Site", "site", equal),
    ("Organisation", "organisation", equal),
    ("Region", "region", labelled(REGIONS)),
]
COUNT_HEADINGS = {
    "referrals": "Referrals",
    "caseload": "Caseload",
    "new_to_service": "New to the service",
    "first_contact_within_4_weeks": "First contact within 4 weeks",
    "job_starts": "Job starts",
    "in_work": "In work",
    "sustained_13_weeks": "Jobs sustained 13 weeks",
    "discharges": "Discharges",
    "job_starts_retail": "Job starts: Retail",
    "job_starts_other": "Job starts: Other",
}
RETURNS = [
    *SITE,
    ("Month", "month", month_cell),
    *((heading, name, as_shown) for name, heading in COUNT_HEADINGS.items()),
    ("Employment specialists (full-time equivalent)", "employment_specialists_fte", as_shown),
]
REVIEWS = [
    *SITE,
    ("Reviewed on", "reviewed_on", date_cell),
    ("Kind of review", "kind", labelled(REVIEW_KINDS)),
    ("Total (25 to 125)", "total", as_shown),
    ("Band", "band", labelled(BANDS)),
]
ITEMS = [
    ("1. Caseload size", "item_1", as_shown),
    ("15. Rapid search for competitive job", "item_15", as_shown),
]
SUMMARY = [
    ("Programme ID", "programme_id", equal),
    ("Programme", "programme", equal),
    ("Funder", "funder", equal),
    ("Starts", "starts_on", date_cell),
    ("Ends", "ends_on", date_cell),
    ("Status", "status", labelled(STATUS_LABELS)),
    ("Job-start target", "target", as_shown),
    ("Job starts achieved", "achieved", as_shown),
    ("Percent of target", "percent", percent),
    ("Expected by today", "expected", whole),
]
SITES = [
    ("Programme ID", "programme_id", equal),
    ("Programme", "programme", equal),
    *SITE,
    ("Took part from", "joined_on", date_cell),
    ("Took part until", "left_on", date_cell),
    ("Site target", "target", as_shown),
    ("Job starts", "achieved", as_shown),
    ("Percent of site target", "percent", percent),
]


# The downloads --------------------------------------------------------------------------------


def financial_quarter(month: date) -> tuple[str, str]:
    year = month.year if month.month >= 4 else month.year - 1
    return f"{year}-{(year + 1) % 100:02d}", f"Q{(month.month - 4) % 12 // 3 + 1}"


def quarters_from_the_api(progress: dict) -> list[tuple[str, ...]]:
    """The programme's progress by month (GET /programmes/{id}/progress) in financial quarters,
    each year then its own row, as the sheet "By quarter and year" shows them."""
    by_quarter: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for point in progress["by_month"]:
        by_quarter[financial_quarter(date.fromisoformat(point["month"] + "-01"))].append(point)
    rows, years = [], defaultdict(list)
    for (year, quarter), points in by_quarter.items():
        years[year].append((quarter, points))
    for year, quarters in years.items():
        so_far = 0
        for quarter, points in quarters:
            starts = sum(point["job_starts"] for point in points)
            so_far += starts
            last = points[-1]
            rows.append(
                (year, quarter, month_shown(points[0]["month"]), month_shown(last["month"]))
                + (str(starts), str(so_far), str(last["cumulative"]))
                + (str(Decimal(str(last["expected"])).quantize(Decimal(1), ROUND_HALF_UP)),)
            )
        first, last = quarters[0][1][0], quarters[-1][1][-1]
        rows.append(
            (year, "Year", month_shown(first["month"]), month_shown(last["month"]))
            + (str(so_far), str(so_far), str(last["cumulative"]))
            + (str(Decimal(str(last["expected"])).quantize(Decimal(1), ROUND_HALF_UP)),)
        )
    return rows


def test_every_xlsx_download_shows_in_calc_the_figures_of_its_csv(
    soffice, api, make, ended, tmp_path
):
    making, bradford = ended["making"], ended["bradford"]
    admin = api("admin")
    funder = api("funder", funder=making.funder)
    narrowed = f"programme_id={making.id}"
    variants = {
        "all": (admin, ""),
        "programme": (admin, narrowed),
        "open": (admin, f"{narrowed}&open=1"),
        "site": (funder, f"site_id={bradford.id}&period=fy-2015-16"),
    }
    files, csvs = [], {}
    for name in ("returns", "progress", "fidelity"):
        for variant, (caller, query) in variants.items():
            stem = f"{name}-{variant}"
            xlsx = caller.get(f"/api/v1/exports/{name}.xlsx?{query}")
            text = caller.get(f"/api/v1/exports/{name}.csv?{query}")
            assert xlsx.status_code == text.status_code == 200, stem
            files.append(tmp_path / f"{stem}.xlsx")
            files[-1].write_bytes(xlsx.get_data())
            csvs[stem] = read_csv(text.get_data(as_text=True))

    sheets = calc_sheets(soffice, files, tmp_path)

    for variant in variants:
        stem = f"returns-{variant}"
        assert set(name for file, name in sheets if file == stem) == {"Monthly returns", "About"}
        assert_same_rows(table(sheets[stem, "Monthly returns"]), csvs[stem], RETURNS, stem)

        stem = f"fidelity-{variant}"
        rows = csvs[stem]
        columns = REVIEWS + (ITEMS if rows and "item_1" in rows[0] else [])
        assert_same_rows(table(sheets[stem, "Fidelity reviews"]), rows, columns, stem)

        stem = f"progress-{variant}"
        rows = csvs[stem]
        programmes = [row for row in rows if row["level"] == "programme"]
        site_rows = [row for row in rows if row["level"] == "site"]
        assert_same_rows(table(sheets[stem, "Summary"]), programmes, SUMMARY, stem)
        assert_same_rows(table(sheets[stem, "Sites"]), site_rows, SITES, stem)
        assert {name for file, name in sheets if file == stem} == {
            "Summary",
            "By quarter and year",
            "Sites",
            "Rates",
            "About",
        }

    # What a person sees, worked by hand for Making IPS Work.
    returns = table(sheets["returns-programme", "Monthly returns"])
    assert [(row["Site"], row["Region"], row["Month"]) for row in returns][:2] == [
        ("Berkshire IPS", "South East", "Apr 2015"),
        ("Bradford IPS", "North East and Yorkshire", "Apr 2015"),
    ]
    assert returns[1]["Caseload"] == "1,202"
    sites = table(sheets["progress-programme", "Sites"])
    assert [(row["Site"], row["Took part until"]) for row in sites] == [
        ("Berkshire IPS", "30 Sep 2016"),
        ("Bradford IPS", "31 Mar 2018"),
    ]
    summary = table(sheets["progress-programme", "Summary"])[0]
    assert (summary["Status"], summary["Ends"], summary["Percent of target"]) == (
        "Target missed",
        "31 Mar 2018",
        "6.8%",
    )
    about = [row[0] for row in sheets["progress-programme", "About"] if row]
    assert "Period: The programme's run, April 2015 to March 2018." in about
    footer = [row[0] for row in sheets["progress-programme", "Summary"][3:] if row and row[0]]
    assert any("Period: The programme's run, April 2015 to March 2018" in line for line in footer)
    open_sites = table(sheets["progress-open", "Sites"])
    assert (open_sites[0]["Job starts"], open_sites[0]["Percent of site target"]) == ("*", "")
    assert table(sheets["returns-site", "Monthly returns"])[-1]["Month"] == "Jan 2016"
    funder_reviews = sheets["fidelity-site", "Fidelity reviews"][0]
    assert "1. Caseload size" not in funder_reviews  # funders see totals and bands, not items

    # The sheets the CSV has no table for, against the API.
    progress = admin.get(f"/api/v1/programmes/{making.id}/progress").get_json()
    quarters = [
        tuple(
            row[heading]
            for heading in (
                "Financial year",
                "Quarter",
                "From",
                "To",
                "Job starts",
                "Job starts so far this financial year",
                "Job starts since the programme began",
                "Expected by then",
            )
        )
        for row in table(sheets["progress-programme", "By quarter and year"])
    ]
    assert quarters == quarters_from_the_api(progress)
    assert quarters[3][:4] == ("2015-16", "Q4", "Jan 2016", "Mar 2016")
    for row in table(sheets["progress-programme", "Rates"]):
        assert (row["From"], row["To"]) == ("Apr 2015", "Mar 2018")
        outcomes = admin.get(
            f"/api/v1/sites/{row['Site ID']}/outcomes?from=2015-04&to=2018-03"
        ).get_json()
        for heading, name in (
            ("Employment rate", "employment_rate"),
            ("Job-start rate", "job_start_rate"),
            ("Sustained 13 weeks", "sustainment_13_weeks"),
            ("Contact within 4 weeks", "contact_within_4_weeks"),
        ):
            if outcomes[name] is None:
                assert row[heading] == "", (row["Site"], heading)
            else:
                assert row[heading].endswith("%"), (row["Site"], heading)
                shown = number(row[heading])
                assert abs(shown - Decimal(str(outcomes[name])) * 100) <= Decimal("0.05")

    # No cell of any sheet shows a month or a date as 04/01/2015 or 2015-04-01.
    for (stem, sheet), rows in sheets.items():
        if sheet == "About":
            continue
        shown_dates = [cell for row in rows for cell in row if FULL_DATE.fullmatch(cell)]
        assert shown_dates == [], (stem, sheet, shown_dates[:3])
