"""Reading a CSV file of monthly returns: its columns, its rows, its size limit, and the template.

A file of many sites and months is read as a stream and never held whole: csv reads it through a
text wrapper, once per pass, so the stream must be able to seek; `rereadable` copies one that
cannot (a request body) to a temporary file. The first pass (FileIndex) checks the header and
keeps a small index of each row's site, month and job starts: for rows that repeat a site and
month, and for the 13-week check against month-3 when that row is in the same file.

The columns of the API contract (HEADER) are needed; `site_name` (a check on `site_id`) and the
job starts by sector (`sector_construction`, ...) may be there too. The template a user downloads
has them all, and rows whose figures are blank: it cannot be imported until they are filled in.
"""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import IO

import sqlalchemy as sa

from accounts.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.months import MONTH_OUT_OF_RANGE, month_error, month_index, next_month, parse_month
from core.tables import FORMULA_STARTS
from sites.models import Site
from sites.returns import rules as return_rules
from sites.returns.deadlines import this_months_return
from sites.returns.queries import returns_scope

HEADER = (
    "site_id",
    "month",
    "referrals",
    "caseload",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts",
    "in_work",
    "sustained_13_weeks",
    "employment_specialists_fte",
    "discharges",
)
FIGURES = HEADER[2:]
assert set(FIGURES) == set(return_rules.FIGURES)

# The columns a file may have besides HEADER: the site's name, and job starts by sector.
SITE_NAME = "site_name"
SECTOR_COLUMNS: dict[str, str] = {f"sector_{slug}": slug for slug in return_rules.SECTORS}
OPTIONAL = (SITE_NAME, *SECTOR_COLUMNS)
COLUMNS = frozenset(HEADER) | frozenset(OPTIONAL)
# The template's columns, in the order a person fills them in.
TEMPLATE_HEADER = ("site_id", SITE_NAME, "month", *FIGURES, *SECTOR_COLUMNS)

# How each column, and each problem of a whole row, is named to people; row errors are listed
# in this order. "figures": a row with no figures at all; "sectors": a breakdown by sector that
# does not add up; "values": a row with more or fewer values than the header.
LABELS = {
    "site_id": "Site",
    SITE_NAME: "Site name",
    "month": "Month",
    "figures": "Figures",
    **return_rules.FIGURES,
    "sectors": "Job starts by sector",
    **{
        column: f"Job starts in {return_rules.SECTORS[slug].lower()}"
        for column, slug in SECTOR_COLUMNS.items()
    },
    "values": "Values",
}

MAX_FILE_BYTES = 20 * 1024 * 1024


class FileTooLarge(Exception):
    """The file is bigger than MAX_FILE_BYTES."""

    def __init__(self) -> None:
        super().__init__(f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        self.message = str(self)


@contextmanager
def rereadable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """The stream itself when it can seek, else a temporary-file copy made in chunks (on disk
    past 1 MB, removed on leaving). Either way no bigger than MAX_FILE_BYTES: raises
    FileTooLarge."""
    if stream.seekable():
        stream.seek(0, io.SEEK_END)
        if stream.tell() > MAX_FILE_BYTES:
            raise FileTooLarge()
        stream.seek(0)
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as copy:
        size = 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise FileTooLarge()
            copy.write(chunk)
        copy.seek(0)
        yield copy


def file_error(message: str, detail: str) -> ValidationFailed:
    """A problem with the file itself, reported under `file`."""
    return ValidationFailed({"file": [detail]}, message)


def records(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row from the start of the file. A file that is not UTF-8
    text, or not CSV, raises ValidationFailed naming the row."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 (read after the loop)
            yield number, cells
    except UnicodeDecodeError as error:
        raise file_error(
            "The file is not UTF-8 text.",
            f"is not UTF-8 text (near row {number + 1}): save it as CSV UTF-8",
        ) from error
    except csv.Error as error:
        raise file_error(
            "The file cannot be read as CSV.", f"cannot be read as CSV at row {number + 1}: {error}"
        ) from error
    finally:
        if not binary.closed:
            text.detach()  # leave the binary stream open for the next pass


def is_blank(cells: list[str]) -> bool:
    """Whether a row has nothing but spaces in it (blank rows are skipped)."""
    return all(not cell.strip() for cell in cells)


def header_message() -> str:
    return (
        f"The first row of the file must name its columns: {','.join(HEADER)}. It may also "
        f"name {SITE_NAME} and the columns of job starts by sector: {', '.join(SECTOR_COLUMNS)}."
    )


def column_positions(header: list[str]) -> dict[str, int]:
    """Where each column is; ValidationFailed({"header": [...]}) unless the header names every
    column of HEADER and no other than OPTIONAL, each once, in any order."""
    names = [cell.strip().lower() for cell in header]
    problems = []
    missing = [name for name in HEADER if name not in names]
    if missing:
        problems.append(
            f"is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    unknown = [
        name or f"(no name, column {i})" for i, name in enumerate(names, 1) if name not in COLUMNS
    ]
    if unknown:
        problems.append(
            f"has column{'s' if len(unknown) > 1 else ''} that should not be there: "
            f"{', '.join(unknown)[:300]}"
        )
    repeated = [name for name in HEADER + OPTIONAL if names.count(name) > 1]
    if repeated:
        problems.append(
            f"names the column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} twice"
        )
    if problems:
        raise ValidationFailed({"header": problems}, header_message())
    return {name: names.index(name) for name in HEADER + OPTIONAL if name in names}


def parse_site_id(text: str) -> tuple[int | None, str | None]:
    """A site_id cell as (the id, None), or (None, what is wrong with it)."""
    text = text.strip()
    if not text:
        return None, "is needed: the number of the site the return is for"
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) == 0:
        return None, "must be a site's id number, like 12"
    return int(text), None


# Quotation marks a spreadsheet may have curled.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def folded_name(text: str) -> str:
    """A site's name as compared with a site_name cell: Unicode compatibility forms, curly
    quotes, letter case and runs of spaces aside, and the apostrophe a spreadsheet (or our
    template) puts before text that would otherwise be a formula."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split()).casefold()


def names_site(cell: str, name: str) -> bool:
    """Whether a site_name cell names the site called `name`."""
    return folded_name(cell) == folded_name(name)


def parse_month_cell(text: str) -> date | None:
    """A month cell, "YYYY-MM" between spaces, as its first day; None for anything else
    (check_return says why, or month_cell_problem for a month outside the portal's years)."""
    return parse_month(text.strip())


def month_cell_problem(text: str, today: date) -> str | None:
    """What is wrong with a month cell written right but outside the years the portal records
    (core.limits): in the future, or too early; None for any other cell."""
    if month_error(text.strip()) != MONTH_OUT_OF_RANGE:
        return None
    return (
        "must not be in the future"
        if int(text.strip()[:4]) > today.year
        else "must be 1990-01 or later"
    )


class FileIndex:
    """The first pass over a file: its columns, its number of rows and, per (site, month), the
    first row that has it and that row's job starts. Kept as one int key and one int value per
    row, so that even a 100,000-row file indexes in a few megabytes."""

    _SPAN = return_rules.MAX_COUNT + 2  # job starts + 1 (0: not a valid number) below the row

    def __init__(self, binary: IO[bytes]) -> None:
        self.rows = 0
        self.positions: dict[str, int] = {}
        # row number -> the earlier row with the same site and month
        self.repeats: dict[int, int] = {}
        self._first: dict[int, int] = {}
        rows = records(binary)
        header = next((cells for _, cells in rows if not is_blank(cells)), None)
        if header is None:
            raise file_error(
                "The file is empty.",
                f"is empty: its first row must name the columns {','.join(HEADER)}",
            )
        self.positions = column_positions(header)
        width = len(header)
        for number, cells in rows:
            if is_blank(cells):
                continue
            self.rows += 1
            if len(cells) != width:
                continue
            site_id, _ = parse_site_id(cells[self.positions["site_id"]])
            month = parse_month_cell(cells[self.positions["month"]])
            if site_id is None or month is None:
                continue
            job_starts, _ = return_rules.parse_count(cells[self.positions["job_starts"]])
            self._add(number, site_id, month, job_starts)
        if not self.rows:
            raise file_error(
                "The file has no returns in it.",
                "has no returns: add a row under the header for each site and month",
            )

    @staticmethod
    def _key(site_id: int, month: date) -> int:
        return site_id * 120_000 + month_index(month)

    def _add(self, number: int, site_id: int, month: date, job_starts: int | None) -> None:
        key = self._key(site_id, month)
        earlier = self._first.get(key)
        if earlier is not None:
            self.repeats[number] = earlier // self._SPAN
            return
        self._first[key] = number * self._SPAN + (0 if job_starts is None else job_starts + 1)

    def job_starts(self, site_id: int, month: date) -> tuple[bool, int | None]:
        """(whether the file has a row for the site and month, its job starts or None)."""
        value = self._first.get(self._key(site_id, month))
        if value is None:
            return False, None
        starts = value % self._SPAN
        return True, starts - 1 if starts else None


def file_row_count(stream: IO[bytes]) -> int:
    """The number of returns in the file (rows under the header, blank rows not counted).
    ValidationFailed when the file itself is wrong: empty, no returns, a bad header, not UTF-8
    text or not CSV; FileTooLarge past MAX_FILE_BYTES."""
    with rereadable(stream) as source:
        return FileIndex(source).rows


# The template -------------------------------------------------------------------------------

EXAMPLE_NAME = "Example: put the site's id in site_id, and fill in the figures"


@dataclass(frozen=True)
class TemplateRow:
    """A row of the template: the site and month of a return to fill in (no site: an example)."""

    site_id: int | None
    site_name: str
    month: date


def template_rows(user: User, today: date) -> list[TemplateRow]:
    """The rows of the template `user` downloads: the return due now (this_months_return) of
    each site they send returns for that is open that month, by name. An admin (who sends for
    every site) and a user without such a site get one example row without a site."""
    month = this_months_return(today)
    scope = returns_scope(user)
    if scope is None:
        return [TemplateRow(None, EXAMPLE_NAME, month)]
    sites = db.session.execute(
        sa.select(Site.id, Site.name)
        .where(
            Site.id.in_(scope),
            sa.or_(Site.launched_on.is_(None), Site.launched_on < next_month(month)),
            sa.or_(Site.closed_on.is_(None), Site.closed_on > month),
        )
        .order_by(Site.name, Site.id)
    ).all()
    return [TemplateRow(site_id, name, month) for site_id, name in sites] or [
        TemplateRow(None, EXAMPLE_NAME, month)
    ]


def _text_cell(text: str) -> str:
    """Text a spreadsheet would take for a formula, kept as text (folded_name reads it back)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def template_csv(rows: list[TemplateRow]) -> str:
    """Every column a file may have, and a row for each return to fill in: its site and month,
    its figures and job starts by sector left blank. Never the figures of a return: imported
    as it is, each row is refused for its blank figures and nothing is written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    blank = [""] * (len(TEMPLATE_HEADER) - 3)
    for row in rows:
        site_id = "" if row.site_id is None else str(row.site_id)
        writer.writerow([site_id, _text_cell(row.site_name), f"{row.month:%Y-%m}", *blank])
    return out.getvalue()
