"""Programme staff's audit log: every recorded change, newest first, filtered by table and
record."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import render_template, request
from sqlalchemy.orm import joinedload

from core.audit import AuditEvent
from core.extensions import db
from core.web.access import allow
from core.web.forms import query_id
from portal.admin.blueprint import bp
from portal.admin.shared import paged_records


def audited_tables() -> list[str]:
    return sorted(name for name in db.metadata.tables if name != AuditEvent.__tablename__)


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for what the event changed; a create or delete lists what it held."""
    before, after = event.before or {}, event.after or {}
    keys = after.keys() if event.action == "update" else (after or before).keys()
    rows = [(key, before.get(key), after.get(key)) for key in keys if key != "id"]
    if event.action != "update":
        rows = [row for row in rows if row[1] not in (None, "") or row[2] not in (None, "")]
    return rows


@bp.route("/audit")
@allow("admin")
def audit() -> Any:
    tables = audited_tables()
    table = request.args.get("table", "")
    record_id = query_id("record")
    statement = (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if table in tables:
        statement = statement.where(AuditEvent.table_name == table)
    else:
        table = ""
    if table and record_id is not None:
        statement = statement.where(AuditEvent.record_id == record_id)
    else:
        record_id = None
    return render_template(
        "admin/audit.html",
        page=paged_records(statement),
        tables=tables,
        table=table,
        record_id=record_id,
        changed_fields=changed_fields,
    )
