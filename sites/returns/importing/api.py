"""POST /api/v1/returns/import: a CSV of monthly returns, all rows or none.

The body is read as a stream (request.stream), never whole: sites.returns.importing checks and
writes it in batches, and this view commits once at the end.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask.views import MethodView
from marshmallow import Schema, fields

from accounts.current import current_account
from core.extensions import db
from core.web.access import allow
from sites.returns.api import blp
from sites.returns.importing.reader import HEADER, MAX_FILE_BYTES, FileTooLarge
from sites.returns.importing.writer import MAX_LISTED, import_returns

CSV = "text/csv"
EXAMPLE = ",".join(HEADER) + "\n12,2024-03,12,60,8,6,4,22,2,3.0,5\n"


class RowWarnings(Schema):
    row = fields.Integer(metadata={"description": "The row's number; the header is row 1"})
    messages = fields.List(fields.String())


class ImportedOut(Schema):
    imported = fields.Integer(metadata={"description": "The number of returns imported"})
    warnings = fields.List(
        fields.Nested(RowWarnings),
        metadata={"description": f"Rows with unusual figures, the first {MAX_LISTED}"},
    )
    warnings_not_listed = fields.Integer(
        metadata={"description": "How many more rows have warnings (only when there are)"}
    )


@blp.route("/returns/import")
class ReturnsImport(MethodView):
    @allow("admin", "site_lead")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {CSV: {"schema": {"type": "string"}, "example": EXAMPLE}},
        }
    )
    @blp.response(200, ImportedOut)
    @blp.alt_response(400, description="The body is not sent as text/csv")
    @blp.alt_response(413, description=f"The file is larger than {MAX_FILE_BYTES // 2**20} MB")
    @blp.alt_response(
        422,
        description="Nothing was imported. Problems with the file itself (an empty file, no "
        "rows, a wrong header, not UTF-8 text) are in `fields` (`file` or `header`); problems "
        f"with rows are in `rows`: the first {MAX_LISTED} rows with errors as `{{row, fields}}`, "
        "with `rows_not_listed` counting the rest.",
    )
    def post(self) -> Any:
        """Import monthly returns from a CSV file: every row or none

        The body is CSV text (UTF-8, `Content-Type: text/csv`). Its first row names the
        columns, in any order: site_id, month, referrals, caseload, new_to_service,
        first_contact_within_4_weeks, job_starts, in_work, sustained_13_weeks,
        employment_specialists_fte, discharges (the example shows them). Each further row is
        the submitted return of one site for one month (`YYYY-MM`), checked as
        `PUT /sites/{id}/returns/{YYYY-MM}` checks a return; `sustained_13_weeks` is checked
        against the job starts of three months before, from the same file when it has that
        row, else from the site's submitted return. A return already held for the site and
        month is amended, and its earlier figures kept as a version. Site leads may send
        returns for their own sites only.

        Optional columns: `site_name`, checked against the name of the site `site_id` names
        (letter case and spaces aside): a name that does not match is an error, a blank one is
        not checked. And job starts by sector: `sector_construction`,
        `sector_health_and_social_care`, `sector_education`, `sector_retail`,
        `sector_hospitality`, `sector_admin_and_finance`, `sector_engineering_and_trades`,
        `sector_animal_care`, `sector_other`. With sector columns, each row's breakdown is
        checked as the return form checks it (whole numbers, 0 or more; a blank cell counts as
        0; they add up to `job_starts`) and replaces the one held. Without them, a breakdown
        held is kept while it still adds up to `job_starts`, and dropped otherwise.

        Row numbers count the header as row 1, so the first return is row 2. Any bad row means
        nothing is imported (422). A row's problems are keyed by its column, or by `figures`
        (every figure blank, as in the portal's template until it is filled in), `sectors`
        (a breakdown that does not add up) or `values` (more or fewer values than the header).
        Warnings (unusual but possible figures) do not stop the import: they are listed in the
        answer.
        """
        if request.mimetype != CSV:
            abort(400, "Send the file as CSV text, with Content-Type: text/csv.")
        if (request.content_length or 0) > MAX_FILE_BYTES:
            abort(413, FileTooLarge().message)
        try:
            result = import_returns(request.stream, current_account())
        except FileTooLarge as error:
            abort(413, error.message)
        db.session.commit()
        answer: dict[str, Any] = {"imported": result.imported, "warnings": result.warnings}
        if result.rows_with_warnings > len(result.warnings):
            answer["warnings_not_listed"] = result.rows_with_warnings - len(result.warnings)
        return answer
