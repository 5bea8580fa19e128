"""Uploading a CSV of monthly returns in the browser: upload, preview, import.

The upload is kept as a ReturnUpload (its sender's only one) until it is imported. The preview
checks every row and pages through them; the import writes every row in one transaction. Asked
for `application/x-ndjson` (static/js/import-progress.js does), the import answers a stream of
progress lines; a plain form post imports and redirects to the result.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from accounts.current import current_account
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from sites.models import ReturnUpload
from sites.returns.importing.checker import check_rows
from sites.returns.importing.plans import Outcome
from sites.returns.importing.reader import (
    HEADER,
    LABELS,
    MAX_FILE_BYTES,
    SITE_NAME,
    FileTooLarge,
    file_row_count,
    template_csv,
    template_rows,
)
from sites.returns.importing.writer import ImportResult, import_returns, import_steps

bp = Blueprint("importing", __name__)

PER_PAGE = 100
NDJSON = "application/x-ndjson"
MAX_MB = MAX_FILE_BYTES // (1024 * 1024)
RESULT_COUNTS = ("imported", "created", "amended", "unchanged", "warnings")


class UploadForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        description=(
            f"The first row names the columns: {', '.join(HEADER)}. It may also have "
            f"{SITE_NAME} (checked against the site_id) and job starts by sector, as the "
            "template does. Each further row is one site's return for one month, with the month "
            "written like 2024-03. Only totals for each site and month: no individual's details "
            f"belong in the file. The file must be smaller than {MAX_MB} MB."
        ),
        validators=[FileRequired("Select a CSV file of returns")],
    )


def _own_upload_or_404(upload_id: int) -> ReturnUpload:
    upload = db.session.scalar(
        sa.select(ReturnUpload).where(
            ReturnUpload.id == upload_id, ReturnUpload.user_id == current_user.id
        )
    )
    if upload is None:
        abort(404)
    return upload


def _file_messages(error: ValidationFailed) -> list[str]:
    """A file problem as sentences: "The header is missing the column month"."""
    subjects = {"header": "The header", "file": "The file"}
    return [
        f"{subjects.get(name, 'The file')} {message}"
        for name, messages in error.fields.items()
        for message in messages
    ] or [error.message]


def _read_upload(form: UploadForm) -> bytes | None:
    """The uploaded file's bytes once it looks like a CSV of returns; None with the problem on
    the form's field."""
    storage = form.file.data
    if not (storage.filename or "").lower().endswith(".csv"):
        form.file.errors.append("The selected file must be a CSV")
        return None
    content = storage.stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        form.file.errors.append(f"The selected file must be smaller than {MAX_MB} MB")
        return None
    try:
        file_row_count(io.BytesIO(content))
    except ValidationFailed as error:
        form.file.errors.extend(_file_messages(error))
        return None
    return content


@bp.route("/returns/import", methods=["GET", "POST"])
@allow("admin", "site_lead")
def upload() -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        content = _read_upload(form)
        if content is not None:
            db.session.execute(
                sa.delete(ReturnUpload).where(ReturnUpload.user_id == current_user.id)
            )
            stored = ReturnUpload(
                user_id=current_user.id,
                filename=(form.file.data.filename or "returns.csv")[-200:],
                content=content,
            )
            db.session.add(stored)
            db.session.commit()
            return redirect(url_for(".preview", upload_id=stored.id))
    status = 422 if form.errors else 200
    return render_template("sites/returns/importing/upload.html", form=form), status


@bp.route("/returns/import/template.csv")
@allow("admin", "site_lead")
def template() -> Any:
    text = template_csv(template_rows(current_account(), date.today()))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="returns-template.csv"'},
    )


@bp.get(f"/returns/import/{path_id('upload_id')}")
@allow("admin", "site_lead")
def preview(upload_id: int) -> Any:
    upload = _own_upload_or_404(upload_id)
    problems_only = request.args.get("show") == "problems"
    try:
        checked = check_rows(
            io.BytesIO(upload.content),
            current_account(),
            page=request.args.get("page", 1, type=int),
            per_page=PER_PAGE,
            problems_only=problems_only,
        )
    except ValidationFailed as error:  # checked at upload: only if the rules changed since
        return render_template(
            "sites/returns/importing/preview.html",
            upload=upload,
            preview=None,
            problems=_file_messages(error),
        ), 422
    return render_template(
        "sites/returns/importing/preview.html",
        upload=upload,
        preview=checked,
        labels=LABELS,
        Outcome=Outcome,
    )


def _result_url(result: ImportResult) -> str:
    counts = {
        "imported": result.imported,
        "created": result.created,
        "amended": result.amended,
        "unchanged": result.unchanged,
        "warnings": result.rows_with_warnings,
    }
    return url_for(".result", **counts)


def _wants_progress() -> bool:
    return request.accept_mimetypes.best_match([NDJSON, "text/html"]) == NDJSON


@bp.post(f"/returns/import/{path_id('upload_id')}")
@allow("admin", "site_lead")
def run(upload_id: int) -> Any:
    upload = _own_upload_or_404(upload_id)
    if _wants_progress():
        return Response(
            stream_with_context(_progress_lines(upload)),
            mimetype=NDJSON,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    try:
        result = import_returns(io.BytesIO(upload.content), current_account())
    except (ValidationFailed, FileTooLarge) as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for(".preview", upload_id=upload_id))
    db.session.delete(upload)
    db.session.commit()
    return redirect(_result_url(result))


def _line(body: dict[str, Any]) -> str:
    return json.dumps(body) + "\n"


def _progress_lines(upload: ReturnUpload) -> Iterator[str]:
    """{"done": n, "total": m} after each batch, then {"imported": n, "url": ...} once committed,
    or {"error": {"message": ...}, "url": ...} when nothing was imported."""
    upload_id = upload.id  # read now: a rollback expires the record
    preview_url = url_for(".preview", upload_id=upload_id)
    try:
        steps = import_steps(io.BytesIO(upload.content), current_account())
        while True:
            try:
                progress = next(steps)
            except StopIteration as finished:
                result: ImportResult = finished.value
                break
            yield _line({"done": progress.done, "total": progress.total})
        db.session.delete(upload)
        db.session.commit()
        yield _line({"imported": result.imported, "url": _result_url(result)})
    except (ValidationFailed, StaleVersion, FileTooLarge) as error:
        db.session.rollback()
        yield _line({"error": {"message": error.message}, "url": preview_url})
    except Exception:  # the answer has started: say so in the stream, not as a 500 page
        db.session.rollback()
        current_app.logger.exception("Import of upload %s failed", upload_id)
        message = (
            "Sorry, there is a problem with the service: nothing was imported. Try again later."
        )
        yield _line({"error": {"message": message}, "url": preview_url})


@bp.get("/returns/import/result")
@allow("admin", "site_lead")
def result() -> Any:
    counts = {name: max(request.args.get(name, 0, type=int), 0) for name in RESULT_COUNTS}
    return render_template("sites/returns/importing/result.html", counts=counts)
