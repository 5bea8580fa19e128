"""Tables of figures written as files.

CSV is for machines: code names for headers and slugs for values, ISO dates, "YYYY-MM" months,
streamed a batch of lines at a time; a CSV file holds one table.

XLSX is for people: a sheet per table, each with a bold, frozen header row of plain headings
("Job starts", not job_starts), codes shown by their names (a region's slug as "North East and
Yorkshire"), months and dates as real date cells shown as "Apr 2015" and "1 Apr 2015",
percentages as percentage cells, typed numbers with formats and column widths; then a sheet
"About" saying what the figures are, over which period, and when they were made. Rows are
streamed to the file (xlsxwriter's constant-memory mode: a row goes to a temporary file as the
next begins), never held in memory.

Text that would be a formula in a spreadsheet stays text.
"""

from __future__ import annotations

import csv
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from flask import Response, send_file, stream_with_context
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.months import month_slug

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


BATCH = 1000  # rows fetched from the database at a time, and CSV rows sent at a time


# Column kinds: how a value is written, and whether open data treats it as a count.
ID = "id"


TEXT = "text"


DATE = "date"


MONTH = "month"


COUNT = "count"  # people or events: suppressed and rounded in open data


NUMBER = "number"  # a whole number that is not a count of people (a target, a score)


DECIMAL = "decimal"  # staff numbers (FTE), job starts expected by a target


PERCENT = "percent"  # 0..100 in CSV; a percentage cell (0..1, shown as 73.3%) in XLSX


RATE = "rate"  # 0..1 in CSV; a percentage cell in XLSX


# Number formats of the XLSX cells, by kind: LibreOffice Calc and Excel show a month as "Apr 2015"
# and a date as "1 Apr 2015" (never 04/01/2015, which reads as 4 January in the UK).
XLSX_FORMATS = {
    ID: "0",
    DATE: "d mmm yyyy",
    MONTH: "mmm yyyy",
    COUNT: "#,##0",
    NUMBER: "#,##0",
    DECIMAL: "#,##0.0#",
    PERCENT: "0.0%",
    RATE: "0.0%",
}

SHEET_NAME_LIMIT = 31  # characters, in Excel and Calc alike
MIN_WIDTH = 8
LINE_HEIGHT = 15  # points: a line of the default 11-point font, with its spacing
ABOUT_WIDTH = 100  # characters
PAGE_WIDTH = 240  # characters of column width printed across a landscape page, shrunk to fit
DIGIT_PIXELS = 7  # a digit of the workbook's font, Calibri 11: a column 12 characters wide is 84
# A date in a column without a format of its own (one of TEXT) is shown as 2015-04-01.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "in_memory": False,
    "default_date_format": "yyyy-mm-dd",
}


# Text starting with these would be a formula in a spreadsheet: such CSV cells get a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column: `name` heads it in CSV, `label` in XLSX (the name when empty); `labels` names its
    codes in XLSX (CSV keeps the codes); `number_format` overrides its kind's XLSX format."""

    name: str
    kind: str
    width: int = 12
    rate: Any = None  # how open data works this column out again (programme.reports.open_data.Rate)
    label: str = ""
    labels: Mapping[str, str] | None = field(default=None, hash=False, compare=False)
    number_format: str = ""

    @property
    def heading(self) -> str:
        return self.label or self.name

    @property
    def xlsx_format(self) -> str | None:
        return self.number_format or XLSX_FORMATS.get(self.kind)


@dataclass(frozen=True)
class Table:
    """A table of figures: its columns and its rows (an iterator: read it once). In XLSX it is a
    sheet named `sheet` (the title when empty; at most 31 characters), with `footer` lines under
    its rows; its `notes` go to the sheet "About"."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Any, ...]]
    notes: tuple[str, ...] = ()
    sheet: str = ""
    footer: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def sheet_name(self) -> str:
        return (self.sheet or self.title)[:SHEET_NAME_LIMIT]


@dataclass(frozen=True)
class About:
    """What a file holds, for its XLSX sheet "About": a title, then lines (what was chosen, the
    period, when the file was made)."""

    title: str
    lines: tuple[str, ...] = ()


class _Echo:
    """A file-like object whose write hands back what it was given: csv.writer then returns
    each formatted line instead of storing it."""

    def write(self, text: str) -> str:
        return text


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == MONTH and isinstance(value, date):
        return month_slug(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and kind == TEXT:
        return "'" + value
    return value


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a batch of lines at a time (never the whole file at once)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    kinds = [column.kind for column in table.columns]
    yield writer.writerow(table.names)
    batch: list[str] = []
    for row in table.rows:
        batch.append(writer.writerow([_csv_value(v, k) for v, k in zip(row, kinds, strict=True)]))
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def xlsx_value(value: Any, column: Column) -> Any:
    """What a cell of `column` holds for `value`: a code by its name, a percentage as a fraction
    (73.3 is 0.733, shown as 73.3%), a Decimal as a float; dates stay dates."""
    if isinstance(value, str):
        return column.labels.get(value, value) if column.labels else value
    if isinstance(value, Decimal):
        value = float(value)
    if column.kind == PERCENT and isinstance(value, int | float) and not isinstance(value, bool):
        return value / 100
    return value


class _Formats:
    """The workbook's cell formats, each made once and shared by its cells: bold wrapped headings,
    wrapped text, and one per number format. (xlsxwriter's default font, Calibri 11, is the
    workbook's: a bold font without a name would be drawn in a fallback, often a serif.)"""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.by_number_format: dict[str, Format] = {}

    def of_column(self, column: Column) -> Format | None:
        number_format = column.xlsx_format
        if not number_format:
            return None
        if number_format not in self.by_number_format:
            made = self.workbook.add_format({"num_format": number_format})
            self.by_number_format[number_format] = made
        return self.by_number_format[number_format]


def _write_row(
    sheet: Worksheet,
    row: int,
    values: tuple[Any, ...],
    columns: Sequence[Column],
    formats: Sequence[Format | None],
) -> None:
    """One row of typed cells: text is text (even when it starts with "="), dates are dates,
    numbers numbers, in their column's format; an empty value leaves its cell empty."""
    for index, (value, column, number_format) in enumerate(
        zip(values, columns, formats, strict=True)
    ):
        shown = xlsx_value(value, column)
        if shown is None:
            continue
        if isinstance(shown, str):
            sheet.write_string(row, index, shown)
        elif isinstance(shown, bool):
            sheet.write_boolean(row, index, shown)
        elif isinstance(shown, date):  # a datetime too
            sheet.write_datetime(row, index, shown, number_format)
        else:
            sheet.write_number(row, index, shown, number_format)


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes, wrapped at `width` characters."""
    return max(len(textwrap.wrap(text, max(width, 1))), 1)


def _set_width(sheet: Worksheet, index: int, width: int) -> None:
    """Column `index` `width` characters wide, the file saying `width` (xlsxwriter's set_column
    would add a cell's padding: 30 would be 30.71)."""
    sheet.set_column_pixels(index, index, width * DIGIT_PIXELS)


def _fit_to_pages(sheet: Worksheet, width: int) -> None:
    """Printed in landscape, shrunk to a page wide (more for a very wide sheet: `width` in
    characters), as many pages long as it takes."""
    sheet.set_landscape()
    sheet.fit_to_pages(-(-width // PAGE_WIDTH), 0)


def _write_sheet(workbook: Workbook, formats: _Formats, table: Table) -> None:
    sheet = workbook.add_worksheet(table.sheet_name)
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)  # the header row on every printed page
    widths = [max(column.width, MIN_WIDTH) for column in table.columns]
    _fit_to_pages(sheet, sum(widths))
    for index, width in enumerate(widths):
        _set_width(sheet, index, width)
    # Headings wrap within their columns; spreadsheets do not grow the row to fit on opening.
    # (A bold heading is a little wider than the column's width in characters of body text.)
    lines = max(
        (_lines(c.heading, w - 2) for c, w in zip(table.columns, widths, strict=True)), default=1
    )
    sheet.set_row(0, LINE_HEIGHT * lines)
    for index, column in enumerate(table.columns):
        sheet.write_string(0, index, column.heading, formats.heading)
    column_formats = [formats.of_column(column) for column in table.columns]
    last = 0
    for last, values in enumerate(table.rows, start=1):
        _write_row(sheet, last, values, table.columns, column_formats)
    for row, line in enumerate(table.footer, start=last + 2):  # under an empty row
        sheet.write_string(row, 0, line)


def _write_about(
    workbook: Workbook, formats: _Formats, tables: Sequence[Table], about: About
) -> None:
    sheet = workbook.add_worksheet("About")
    _set_width(sheet, 0, ABOUT_WIDTH)
    _fit_to_pages(sheet, ABOUT_WIDTH)
    lines: list[tuple[str, bool]] = [(about.title, True), *((line, False) for line in about.lines)]
    for table in tables:
        name = f"Sheet {table.sheet_name!r}"
        lines += [
            ("", False),
            (name if table.sheet_name == table.title else f"{name}: {table.title}", True),
        ]
        lines += [(note, False) for note in table.notes]
    for row, (text, bold) in enumerate(lines):
        if text:
            sheet.set_row(row, LINE_HEIGHT * _lines(text, ABOUT_WIDTH - 5))
            sheet.write_string(row, 0, text, formats.heading if bold else formats.wrapped)


def write_xlsx(tables: Sequence[Table], file: IO[bytes], about: About) -> None:
    """The tables as a workbook, a sheet each, then the sheet "About": the title, the lines of
    `about`, and what each sheet holds."""
    with Workbook(file, WORKBOOK_OPTIONS) as workbook:
        formats = _Formats(workbook)
        for table in tables:
            _write_sheet(workbook, formats, table)
        _write_about(workbook, formats, tables, about)


def download(tables: Sequence[Table], extension: str, name: str, about: About) -> Response:
    """The file as an attachment: CSV (one table) streamed, XLSX from a temporary file."""
    if extension == "csv":
        if len(tables) != 1:
            raise ValueError("a CSV file holds one table")
        response = Response(
            stream_with_context(csv_chunks(tables[0])), content_type=CONTENT_TYPES["csv"]
        )
    else:
        file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (sent, then closed)
        write_xlsx(tables, file, about)
        file.seek(0)
        response = send_file(file, mimetype=CONTENT_TYPES["xlsx"], max_age=0)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response
