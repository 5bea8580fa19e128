"""Programme staff's pages: the `admin` blueprint and its index page.

Each resource's pages live in their own module (organisations, sites and their Centre of
Excellence awards, funders, programmes and the sites that take part, users, trainers'
assignments, the audit log, the security log); importing them here attaches their routes to
`bp`, which the app registers (portal.configure_blueprints).
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from core.web.access import allow
from portal.admin import (
    assignments,
    audit,
    emails,
    funders,
    mentoring,
    organisations,
    programmes,
    security_log,
    sites,
    users,
)
from portal.admin.blueprint import bp

__all__ = ["PAGES", "bp"]

# The modules whose routes are on `bp`.
PAGES = (
    organisations,
    sites,
    funders,
    programmes,
    users,
    audit,
    security_log,
    assignments,
    emails,
    mentoring,
)


@bp.route("/")
@allow("admin")
def index() -> Any:
    return render_template("admin/index.html")
