"""Funders and publication: programmes a funder pays for, printable programme reports, the map,
and the exports' downloads for the pages (the API's twin is programme.export_api: the API takes
bearer tokens only, so the pages' download links come here, with the same scope)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape

from accounts.models import EVERY_ROLE, User
from accounts.scopes import site_scope
from core.charts import NHS_BLUE, NHS_GREEN, NHS_GREY, NHS_WARM_YELLOW, figure_json, trace
from core.extensions import db
from core.limits import id_in_range
from core.schemas import path_id
from core.web.access import allow
from programme.figures import default_period, programme_figures, took_part_until
from programme.models import Funder
from programme.queries import get_programme_or_404
from programme.reports import exports
from programme.reports.funded import funded_page
from programme.spread.queries import first_launch_year
from sites.models import REGIONS, MonthlyReturn, Organisation, Site
from sites.outcomes import Period, calendar_year, last_12_months
from sites.queries import of_statuses
from sites.returns.workflow import COUNTED_FOR_FUNDERS, counted_statuses
from training.fidelity.queries import latest_bands
from training.fidelity.scale import BANDS

bp = Blueprint("reports", __name__)

# The printable report's chart fits an A4 page in portrait (180 mm wide between margins).
PRINT_CHART_WIDTH = 680
PRINT_CHART_HEIGHT = 340


# Programmes you fund --------------------------------------------------------------------------


@bp.route("/funded")
@allow("funder", "admin")
def funded() -> Any:
    funder = None
    if current_user.role == "admin":
        funder_id = _id_arg("funder_id")
        funder = db.get_or_404(Funder, funder_id) if funder_id is not None else None
    return funded_page(current_user, funder)


# The printable programme report ---------------------------------------------------------------


def print_sized(chart: str) -> str:
    """A chart of fixed size for paper: Plotly does not redraw for print, so the chart is drawn
    at the width it will be printed at."""
    figure = json.loads(chart)
    layout = figure["layout"] | {
        "width": PRINT_CHART_WIDTH,
        "height": PRINT_CHART_HEIGHT,
        "autosize": False,
        "hovermode": False,
        "legend": {"orientation": "h", "y": -0.25},
    }
    return figure_json(layout, figure["data"])


# ?figures=approved: the report as its funder reads it (approved returns only), for staff to send.
FOR_FUNDER = "approved"


@bp.route(f"/programmes/{path_id('programme_id')}/report")
@allow(*EVERY_ROLE)
def programme_report(programme_id: int) -> Any:
    programme = get_programme_or_404(current_user, programme_id)
    today = date.today()
    period, _, _ = default_period(programme, request.args.get("period"), today)
    counted = counted_statuses(current_user.role)
    if request.args.get("figures") == FOR_FUNDER:
        counted = COUNTED_FOR_FUNDERS
    figures = programme_figures(programme, today, period, counted)
    return render_template(
        "programme/reports/programme.html",
        **figures | {"chart": print_sized(figures["chart"])},
        regions=REGIONS,
        generated=datetime.now().astimezone(),
        today=today,
        took_part_until=took_part_until,
    )


# The network map ------------------------------------------------------------------------------

BAND_COLOURS = {
    "exemplary": NHS_GREEN,
    "good": NHS_BLUE,
    "fair": NHS_WARM_YELLOW,
    "not_ips": "#d5281b",  # NHS red
    None: NHS_GREY,
}
NO_REVIEW = "No final review"
# The UK and Ireland, with a margin: Shetland to the Scilly Isles, Northern Ireland to Norfolk.
UK_LATITUDES = (49.7, 61.0)
UK_LONGITUDES = (-8.9, 2.2)


@dataclass(frozen=True)
class MapSite:
    site_id: int
    name: str
    organisation: str
    region: str
    latitude: float | None
    longitude: float | None
    job_starts: int  # in the last 12 complete months
    band: str | None
    total: int | None

    @property
    def on_map(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def map_period(today: date, year: int | None) -> tuple[date, Period]:
    """The day the map shows the network on and the months its job starts cover: today and the
    last 12 complete months; or, for a past `year`, its last day and its 12 months."""
    if year is None or year >= today.year:
        return today, last_12_months(today)
    return date(year, 12, 31), calendar_year(year)


def map_sites(user: User, today: date, year: int | None = None) -> list[MapSite]:
    """The sites `user` may read that are open today, A to Z, with their job starts over the
    last 12 complete months (of the returns that count for `user`) and their latest fidelity
    band: two queries, however many sites. For a past `year`: the sites launched by its end and
    not closed by it, their job starts in that year and their latest band by its end."""
    day, period = map_period(today, year)
    scope = site_scope(user)
    starts = (
        sa.select(MonthlyReturn.site_id, sa.func.sum(MonthlyReturn.job_starts).label("job_starts"))
        .where(
            of_statuses(counted_statuses(user.role)),
            MonthlyReturn.month.between(period.first, period.last),
        )
        .group_by(MonthlyReturn.site_id)
        .subquery("starts")
    )
    query = (
        sa.select(
            Site.id,
            Site.name,
            Organisation.name,
            Site.region,
            Site.latitude,
            Site.longitude,
            sa.func.coalesce(starts.c.job_starts, 0),
        )
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(starts, starts.c.site_id == Site.id)
        .where(sa.or_(Site.closed_on.is_(None), Site.closed_on > day))
        .order_by(Site.name, Site.id)
    )
    if day != today:  # a past year: only the sites known to have launched by its end
        query = query.where(Site.launched_on <= day)
    if scope is not None:
        query = query.where(Site.id.in_(scope))
    bands = latest_bands(scope, on=None if day == today else day)
    found = []
    for site_id, name, organisation, region, latitude, longitude, job_starts in db.session.execute(
        query
    ):
        latest = bands.get(site_id) or {}
        found.append(
            MapSite(
                site_id,
                name,
                organisation,
                region,
                latitude,
                longitude,
                int(job_starts),
                latest.get("band"),
                latest.get("total"),
            )
        )
    return found


def marker_size(job_starts: int) -> float:
    """A point's diameter in pixels: its area grows with the job starts, from 8 to at most 40."""
    return round(min(8 + 3 * math.sqrt(max(job_starts, 0)), 40), 1)


def network_map_chart(sites: Sequence[MapSite], when: str = "in the last 12 months") -> str:
    """Sites over the UK, a trace (and legend entry) per fidelity band; a point's customdata is
    its site page's address, which static/js/portal.js opens on a click. `when` says when the
    job starts in the points' hover text were made."""
    layout = {
        "title": {"text": "IPS services by latest fidelity band"},
        "height": 640,
        "margin": {"l": 0, "r": 0, "t": 50, "b": 0},
        "font": {"family": "Arial, sans-serif"},
        "legend": {"orientation": "h", "y": -0.02},
        "geo": {
            "scope": "europe",
            "resolution": 50,
            "projection": {"type": "mercator"},
            "lataxis": {"range": list(UK_LATITUDES)},
            "lonaxis": {"range": list(UK_LONGITUDES)},
            "showland": True,
            "landcolor": "#f0f4f5",
            "showocean": True,
            "oceancolor": "#ffffff",
            "showcountries": True,
            "countrycolor": "#aeb7bd",
            "coastlinecolor": "#768692",
            "showlakes": False,
        },
    }
    traces = []
    for band, label in [*BANDS.items(), (None, NO_REVIEW)]:
        chosen = [s for s in sites if s.on_map and s.band == band]
        if not chosen:
            continue
        traces.append(
            trace(
                "scattergeo",
                lat=[s.latitude for s in chosen],
                lon=[s.longitude for s in chosen],
                name=label,
                mode="markers",
                marker={
                    "size": [marker_size(s.job_starts) for s in chosen],
                    "color": BAND_COLOURS[band],
                    "line": {"width": 1, "color": "#ffffff"},
                    "opacity": 0.9,
                },
                text=[_hover_text(s, label, when) for s in chosen],
                customdata=[url_for("sites.detail", site_id=s.site_id) for s in chosen],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return figure_json(layout, traces)


def _hover_text(site: MapSite, band_label: str, when: str) -> str:
    band = f"{band_label} ({site.total} of 125)" if site.total is not None else band_label
    starts = f"{site.job_starts:,} job start{'' if site.job_starts == 1 else 's'}"
    # Plotly renders hover text as HTML: escape the names typed by staff.
    # No <b>: Plotly would set a style attribute for it, which the CSP refuses.
    return f"{escape(site.name)}<br>{band}<br>{starts} {when}"


def map_year(value: str | None, first: int, today: date) -> tuple[int | None, str | None]:
    """The year asked for in the map's year control (None: today), or an error message."""
    if not value:
        return None, None
    text = value.strip()
    if len(text) == 4 and text.isascii() and text.isdigit() and first <= int(text) <= today.year:
        year = int(text)
        return (None if year == today.year else year), None
    return None, f"Choose a year from {first} to {today.year}"


@bp.route("/map")
@allow(*EVERY_ROLE)
def network_map() -> Any:
    today = date.today()
    first = first_launch_year(today)
    year, year_error = map_year(request.args.get("year"), first, today)
    sites = map_sites(current_user, today, year)
    return render_template(
        "programme/reports/map.html",
        sites=sites,
        chart=network_map_chart(sites, f"in {year}" if year else "in the last 12 months"),
        period=map_period(today, year)[1],
        year=year,
        years=range(today.year, first - 1, -1),
        year_error=year_error,
        today=today,
        bands=BANDS,
        regions=REGIONS,
        topojson_url=url_for("static", filename="vendor/topojson/"),
    )


# The exports, for the pages' download links ---------------------------------------------------


def _id_arg(name: str) -> int | None:
    """An id from the query string: None when absent; 404 when it is not an id (core.limits)."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not id_in_range(int(value[:12])):
        abort(404)
    return int(value)


@bp.route("/exports/<name>.<format>")
@allow(*EVERY_ROLE)
def export(name: str, format: str) -> Any:
    return exports.export_response(
        current_user,
        name,
        format,
        programme_id=_id_arg("programme_id"),
        site_id=_id_arg("site_id"),
        open_form=request.args.get("open", "").strip().lower() in {"1", "true", "yes", "on"},
        period=request.args.get("period"),
    )
