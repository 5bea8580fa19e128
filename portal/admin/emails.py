"""Programme staff's "E-mails sent": every message the portal handed to the mail server, or
failed to, newest first, filtered by status. The bodies are never kept."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import render_template, request

from accounts.models import LINK_PURPOSES
from core.mail import STATUSES, EmailDelivery
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.shared import paged_records


@bp.route("/emails")
@allow("admin")
def emails() -> Any:
    status = request.args.get("status", "")
    statement = sa.select(EmailDelivery).order_by(
        EmailDelivery.created_at.desc(), EmailDelivery.id.desc()
    )
    if status in STATUSES:
        statement = statement.where(EmailDelivery.status == status)
    else:
        status = ""
    return render_template(
        "admin/emails.html",
        page=paged_records(statement),
        status=status,
        statuses=STATUSES,
        purposes=LINK_PURPOSES,
    )
