"""Tables of figures written as files.

CSV is for machines: code names for headers and slugs for values, ISO dates, "YYYY-MM" months,
streamed a batch of lines at a time; a CSV file holds one table.

XLSX is for people: a sheet per table, each with a bold, frozen header row of plain headings
("Job starts", not job_starts), codes shown by their names (a region's slug as "North East and
Yorkshire"), months and dates as real date cells shown as "Apr 2015" and "1 Apr 2015",
percentages as percentage cells, typed numbers with formats and column widths; then a sheet
"About" saying what the figures are, over which period, and when they were made. Rows are
streamed to the file (openpyxl's write-only workbook), never held in memory.

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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

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
# The workbook's own font (openpyxl's default, Calibri 11), bold: a bold font without a name
# would be drawn in the spreadsheet program's fallback, often a serif.
BOLD = Font(name="Calibri", family=2, sz=11, scheme="minor", bold=True)


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


class _SheetWriter:
    """Cells of one write-only sheet: each column's style is made once and shared by its cells
    (setting a number format cell by cell costs more than writing the cell)."""

    def __init__(self, workbook: Workbook, table: Table) -> None:
        self.sheet = workbook.create_sheet(table.sheet_name)
        self.columns = table.columns
        template = WriteOnlyCell(self.sheet)
        template.font = BOLD
        template.alignment = Alignment(wrap_text=True, vertical="top")
        self.header_style = template._style
        self.styles = []
        for column in table.columns:
            cell = WriteOnlyCell(self.sheet)
            number_format = column.xlsx_format
            if number_format:
                cell.number_format = number_format
            self.styles.append(cell._style if number_format else None)

    def text(self, value: str, style: Any = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"  # text is text, even when it starts with "="
        if style is not None:
            cell._style = style
        return cell

    def row(self, values: tuple[Any, ...]) -> list[WriteOnlyCell]:
        cells = []
        for value, column, style in zip(values, self.columns, self.styles, strict=True):
            shown = xlsx_value(value, column)
            if isinstance(shown, str):
                cells.append(self.text(shown))
                continue
            cell = WriteOnlyCell(self.sheet, value=shown)
            if style is not None and shown is not None:
                cell._style = style
            cells.append(cell)
        return cells


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes, wrapped at `width` characters."""
    return max(len(textwrap.wrap(text, max(width, 1))), 1)


def _fit_to_pages(sheet: Any, width: int) -> None:
    """Printed in landscape, shrunk to a page wide (more for a very wide sheet: `width` in
    characters), as many pages long as it takes."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = -(-width // PAGE_WIDTH)
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_sheet(workbook: Workbook, table: Table) -> None:
    writer = _SheetWriter(workbook, table)
    sheet = writer.sheet
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    widths = [max(column.width, MIN_WIDTH) for column in table.columns]
    _fit_to_pages(sheet, sum(widths))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Headings wrap within their columns; spreadsheets do not grow the row to fit on opening.
    # (A bold heading is a little wider than the column's width in characters of body text.)
    lines = max(
        (_lines(c.heading, w - 2) for c, w in zip(table.columns, widths, strict=True)), default=1
    )
    sheet.row_dimensions[1].height = LINE_HEIGHT * lines
    sheet.append([writer.text(column.heading, writer.header_style) for column in table.columns])
    for row in table.rows:
        sheet.append(writer.row(row))
    if table.footer:
        sheet.append([])
        for line in table.footer:
            sheet.append([writer.text(line)])


def write_xlsx(tables: Sequence[Table], file: IO[bytes], about: About) -> None:
    """The tables as a workbook, a sheet each, then the sheet "About": the title, the lines of
    `about`, and what each sheet holds."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_sheet(workbook, table)
    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = ABOUT_WIDTH
    _fit_to_pages(sheet, ABOUT_WIDTH)
    wrapped = Alignment(wrap_text=True, vertical="top")
    lines: list[tuple[str, bool]] = [(about.title, True), *((line, False) for line in about.lines)]
    for table in tables:
        name = f"Sheet {table.sheet_name!r}"
        lines += [
            ("", False),
            (name if table.sheet_name == table.title else f"{name}: {table.title}", True),
        ]
        lines += [(note, False) for note in table.notes]
    for row, (text, bold) in enumerate(lines, start=1):
        if not text:
            sheet.append([])
            continue
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.alignment = wrapped
        if bold:
            cell.font = BOLD
        sheet.row_dimensions[row].height = LINE_HEIGHT * _lines(text, ABOUT_WIDTH - 5)
        sheet.append([cell])
    workbook.save(file)


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
