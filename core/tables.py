"""Tables of figures written as files: CSV streamed a batch of lines at a time, and XLSX with a
bold frozen header, typed numbers and dates, column widths and a sheet saying what the figures
are. Text that would be a formula in a spreadsheet stays text."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
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


PERCENT = "percent"  # 0..100


XLSX_FORMATS = {
    ID: "0",
    DATE: "yyyy-mm-dd",
    MONTH: "mmm yyyy",
    COUNT: "#,##0",
    NUMBER: "#,##0",
    DECIMAL: "0.0#",
    PERCENT: "0.0",
}


# Text starting with these would be a formula in a spreadsheet: such CSV cells get a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    width: int = 12
    rate: Any = None  # how open data works this column out again (programme.reports.open_data.Rate)


@dataclass(frozen=True)
class Table:
    """A table of figures: its columns and its rows (an iterator: read it once)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple[Any, ...]]
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


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


def _xlsx_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def write_xlsx(table: Table, file: IO[bytes], generated: str) -> None:
    """The table as a workbook: a sheet of figures (bold, frozen header row; numbers and dates
    typed, with formats; column widths) and a sheet "About" with what the figures are."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width, 8)
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [XLSX_FORMATS.get(column.kind) for column in table.columns]
    for row in table.rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text is text, even when it starts with "="
            elif number_format and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 100
    title = WriteOnlyCell(about, value=f"{table.title}: IPS Network Tracker")
    title.font = bold
    about.append([title])
    about.append([generated])
    for note in table.notes:
        about.append([note])
    workbook.save(file)


def download(table: Table, extension: str, name: str, generated: str) -> Response:
    """The file as an attachment: CSV streamed, XLSX from a temporary file."""
    if extension == "csv":
        response = Response(
            stream_with_context(csv_chunks(table)), content_type=CONTENT_TYPES["csv"]
        )
    else:
        file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (sent, then closed)
        write_xlsx(table, file, generated)
        file.seek(0)
        response = send_file(file, mimetype=CONTENT_TYPES["xlsx"], max_age=0)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response
