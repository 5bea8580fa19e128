"""A trainer's open actions as an iCalendar feed (RFC 5545): one all-day event on each due date,
and the query that reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, timedelta
from typing import Any

import sqlalchemy as sa
from icalendar import Calendar, Event

from core.extensions import db
from sites.models import Site
from training.assignments.queries import current_assignments
from training.models import Action
from training.visits.actions import ActionStatus

UID_DOMAIN = "ips-network-tracker"


def calendar_actions(trainer_id: int, today: date) -> list[sa.Row[Any]]:
    """The open actions due today or later at the trainer's sites, earliest first: id,
    description, owner, due_on, site_name, updated_at."""
    return list(
        db.session.execute(
            sa.select(
                Action.id,
                Action.description,
                Action.owner,
                Action.due_on,
                Action.updated_at,
                Site.name.label("site_name"),
            )
            .join(Site, Site.id == Action.site_id)
            .where(
                Action.site_id.in_(current_assignments(trainer_id, today)),
                Action.status == ActionStatus.OPEN,
                Action.due_on >= today,
            )
            .order_by(Action.due_on, Action.id)
        )
    )


def actions_calendar(rows: Iterable[Any], link: Callable[[Any], str]) -> bytes:
    """`rows` as calendar_actions answers them; `link(row)` the address of
    the action's page."""
    ical = Calendar()
    ical.add("prodid", "-//IPS Network Tracker//Agreed actions//EN")
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("x-wr-calname", "IPS actions due")
    for row in rows:
        event = Event()
        event.add("uid", f"action-{row.id}@{UID_DOMAIN}")
        stamp = row.updated_at
        if stamp.tzinfo is None:  # SQLite gives back naive times: they were stored as UTC
            stamp = stamp.replace(tzinfo=UTC)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", row.due_on)
        event.add("dtend", row.due_on + timedelta(days=1))
        event.add("summary", f"{row.site_name}: {row.description}"[:250])
        event.add("description", f"Owner: {row.owner}\n\n{row.description}")
        event.add("url", link(row))
        event.add("transp", "TRANSPARENT")
        ical.add_component(event)
    return ical.to_ical()
