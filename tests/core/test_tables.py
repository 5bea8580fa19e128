"""The table writers: CSV for machines (names, slugs, ISO dates, "YYYY-MM" months) and XLSX for
people (plain headings, names for codes, months and dates as date cells with month and date
formats, percentages as percentage cells, a sheet per table, frozen and wrapped headings, widths,
footers, and the sheet "About")."""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from core.tables import (
    COUNT,
    DATE,
    DECIMAL,
    ID,
    MONTH,
    PERCENT,
    RATE,
    TEXT,
    About,
    Column,
    Table,
    csv_chunks,
    download,
    write_xlsx,
)

REGION_NAMES = {"north-east-and-yorkshire": "North East and Yorkshire"}
COLUMNS = (
    Column("site_id", ID, 8, label="Site ID"),
    Column("site", TEXT, 30, label="Site"),
    Column("region", TEXT, 24, label="Region", labels=REGION_NAMES),
    Column("month", MONTH, 10, label="Month"),
    Column("joined_on", DATE, 12, label="Took part from"),
    Column("job_starts", COUNT, 10, label="Job starts"),
    Column("employment_specialists_fte", DECIMAL, 10, label="Employment specialists"),
    Column("percent", PERCENT, 10, label="Percent of target"),
    Column("employment_rate", RATE, 10, label="Employment rate"),
)
ROW = (
    7,
    "Bradford IPS",
    "north-east-and-yorkshire",
    date(2015, 4, 1),
    date(2015, 4, 1),
    1234,
    Decimal("2.50"),
    101.7,
    0.4123,
)


def table(rows=(ROW,), **fields) -> Table:
    values = {"name": "returns", "title": "Monthly returns", "columns": COLUMNS, "rows": iter(rows)}
    return Table(**(values | fields))


def workbook(*tables: Table, about: About | None = None) -> openpyxl.Workbook:
    file = io.BytesIO()
    write_xlsx(tables, file, about or About("Returns: IPS Network Tracker", ("Period: 2015.",)))
    file.seek(0)
    return openpyxl.load_workbook(file)


def test_csv_keeps_names_slugs_iso_dates_and_months_and_percent_from_0_to_100():
    text = "".join(csv_chunks(table()))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        [column.name for column in COLUMNS],
        [
            "7",
            "Bradford IPS",
            "north-east-and-yorkshire",
            "2015-04",
            "2015-04-01",
            "1234",
            "2.50",
            "101.7",
            "0.4123",
        ],
    ]


def test_xlsx_headings_are_plain_words_and_codes_show_their_names():
    sheet = workbook(table())["Monthly returns"]
    assert [cell.value for cell in sheet[1]] == [column.label for column in COLUMNS]
    values = [cell.value for cell in sheet[2]]
    assert values[:3] == [7, "Bradford IPS", "North East and Yorkshire"]
    # A code without a name stays as it is.
    other = workbook(table(rows=[("x",) * 2 + ("wales",) + ROW[3:]]))["Monthly returns"]
    assert other["C2"].value == "wales"


def test_xlsx_months_and_dates_are_date_cells_shown_as_months_and_dates():
    sheet = workbook(table())["Monthly returns"]
    month, day = sheet["D2"], sheet["E2"]
    assert month.is_date and month.value == datetime(2015, 4, 1)
    assert month.number_format == "mmm yyyy"  # Apr 2015, never 04/01/2015
    assert day.is_date and day.value == datetime(2015, 4, 1)
    assert day.number_format == "d mmm yyyy"  # 1 Apr 2015


def test_xlsx_numbers_are_typed_with_formats_and_percentages_are_percentages():
    sheet = workbook(table())["Monthly returns"]
    count, fte, percent, rate = sheet["F2"], sheet["G2"], sheet["H2"], sheet["I2"]
    assert (count.value, count.data_type, count.number_format) == (1234, "n", "#,##0")
    assert fte.value == pytest.approx(2.5) and fte.number_format == "#,##0.0#"
    assert percent.value == pytest.approx(1.017) and percent.number_format == "0.0%"
    assert rate.value == pytest.approx(0.4123) and rate.number_format == "0.0%"
    assert sheet["A2"].number_format == "0"


def test_empty_cells_stay_empty_and_text_that_looks_like_a_formula_stays_text():
    row = (None, "=HYPERLINK(1)", None, None, None, "*", None, None, None)
    sheet = workbook(table(rows=[row]))["Monthly returns"]
    assert sheet["B2"].value == "=HYPERLINK(1)" and sheet["B2"].data_type == "s"
    assert sheet["F2"].value == "*" and sheet["F2"].data_type == "s"  # a suppressed count
    assert sheet["A2"].value is None and sheet["H2"].value is None


def test_each_sheet_has_a_bold_frozen_wrapped_header_row_tall_enough_and_column_widths():
    long = Column("so_far", COUNT, 12, label="Job starts so far this year")
    sheet = workbook(table(columns=(*COLUMNS, long), rows=[(*ROW, 3)]))["Monthly returns"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b and cell.alignment.wrap_text for cell in sheet[1])
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.column_dimensions["J"].width == 12
    # Spreadsheets do not grow a row to fit its wrapped text on opening: the longest heading
    # takes three lines in its column ("Job starts", "so far", "this year"), so the row is made
    # three lines tall; headings that fit on a line leave it one line tall.
    assert sheet.row_dimensions[1].height == 3 * 15
    short = workbook(table(columns=COLUMNS[1:3], rows=[ROW[1:3]]))["Monthly returns"]
    assert short.row_dimensions[1].height in (None, 15)  # no height given is the default, 15
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"  # the header row on every printed page


def test_a_workbook_has_a_sheet_per_table_then_about_with_titles_notes_and_footers():
    summary = Table(
        "summary",
        "Each programme's headline figures",
        COLUMNS[:2],
        iter([(1, "Making IPS Work")]),
        notes=("Progress on 30 November 2026.",),
        sheet="Summary",
        footer=("Period: The programme's run, April 2015 to March 2018.",),
    )
    quarters = Table(
        "quarters",
        "Job starts by quarter and financial year against the target profile",
        COLUMNS[:2],
        iter([]),
    )
    about = About("Programme progress: IPS Network Tracker", ("Programme: Making IPS Work.",))
    book = workbook(summary, quarters, about=about)
    # A sheet's name is at most 31 characters.
    assert book.sheetnames == ["Summary", "Job starts by quarter and finan", "About"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert rows == [
        ("Site ID", "Site"),
        (1, "Making IPS Work"),
        (None, None),
        ("Period: The programme's run, April 2015 to March 2018.", None),
    ]
    lines = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert lines == [
        "Programme progress: IPS Network Tracker",
        "Programme: Making IPS Work.",
        None,
        "Sheet 'Summary': Each programme's headline figures",
        "Progress on 30 November 2026.",
        None,
        "Sheet 'Job starts by quarter and finan': Job starts by quarter and financial year "
        "against the target profile",
    ]
    assert book["About"]["A1"].font.b


def test_a_csv_download_holds_one_table():
    with pytest.raises(ValueError):
        download([table(), table()], "csv", "two.csv", About("Two"))


def memory_in_megabytes(field: str) -> float:
    """The process's resident memory now ("VmRSS") or at its peak ("VmHWM"), from Linux."""
    found = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert found is not None
    return int(found[1]) / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak memory from Linux's /proc")
def test_a_large_table_is_written_a_row_at_a_time_in_flat_memory(tmp_path):
    """100,000 rows of 11 columns (1.1 million cells) go to the file a row at a time: the peak
    memory grows by a few megabytes, not the rows' worth (held in memory, about 240 MB)."""
    columns = (*COLUMNS, Column("sessions", COUNT, label="Sessions"), Column("note", TEXT))
    rows = ((*ROW, number, "Weekly group") for number in range(100_000))
    path = tmp_path / "large.xlsx"
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    before = memory_in_megabytes("VmRSS")
    with path.open("wb") as file:
        write_xlsx([table(rows=rows, columns=columns)], file, About("Large"))
    assert memory_in_megabytes("VmHWM") - before < 50
    sheet = openpyxl.load_workbook(path, read_only=True)["Monthly returns"]
    assert (sheet.max_row, sheet.max_column) == (1 + 100_000, 11)
