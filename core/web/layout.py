"""What every page's layout needs: navigation for the user's role and the number formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from core.paging import pagination

NAVIGATION = [
    # Home is what needs the user today; a funder's is "Programmes you fund", so it is named so.
    ("Home", "dashboard.index", {"admin", "trainer", "site_lead"}),
    ("Programmes you fund", "reports.funded", {"funder"}),
    ("Network", "dashboard.network", {"admin", "trainer", "site_lead", "funder"}),
    ("Programmes", "programme.index", {"admin", "trainer", "site_lead", "funder"}),
    ("Sites", "sites.index", {"admin", "trainer", "site_lead", "funder"}),
    ("Map", "reports.network_map", {"admin", "trainer", "site_lead", "funder"}),
    ("My sites", "dashboard.my_sites", {"trainer"}),
    ("Actions", "visits.actions", {"admin", "trainer", "site_lead"}),
    ("Returns", "returns.index", {"admin", "site_lead"}),
    ("Approval", "approval.index", {"admin"}),
    ("Admin", "admin.index", {"admin"}),
]


def navigation() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for text, endpoint, roles in NAVIGATION:
        if current_user.role in roles:
            href = url_for(endpoint)
            items.append(
                {
                    "text": text,
                    "href": href,
                    "current": request.path == href,
                    "active": request.path.startswith(href) and href != "/",
                }
            )
    return items


def number(value: Any, places: int = 0) -> str:
    if value is None:
        return "not available"
    if isinstance(value, Decimal):
        value = float(value)
    return f"{value:,.{places}f}"


def percent(value: float | None, places: int = 0) -> str:
    """A rate in 0..1 shown as a percentage; None (zero denominator) is 'not available'."""
    if value is None:
        return "not available"
    return f"{value * 100:.{places}f}%"


def long_date(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%B %Y}"


def month_name(value: date | None) -> str:
    return "" if value is None else f"{value:%B %Y}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        number=number, percent=percent, long_date=long_date, month_name=month_name
    )
    app.jinja_env.globals["pagination"] = pagination
    app.context_processor(lambda: {"navigation": navigation})
