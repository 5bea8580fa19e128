"""Dates in the NHS.UK date input (day, month and year boxes), through real posts of the admin's
site and award forms: a real date is saved, a missing box is named, a date that cannot be is
refused, the boxes a message is about are marked and keep what was typed; and no form shows a
browser's own date picker."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from sites.models import Designation, Site
from tests.dates import boxes, posted
from tests.portal.admin.test_admin import assert_refused, count, site_data, text
from training.models import Action, Assignment


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def post_site(client, organisation, **launched) -> object:
    data = site_data(organisation) | boxes("launched_on", **launched)
    return client.post("/admin/sites/new", data=data)


def shown_boxes(page: str, name: str) -> dict[str, str]:
    """What each box of a date shows, as the page has it."""
    found = re.findall(rf'name="{re.escape(name)}\[(\w+)\]" type="text" value="([^"]*)"', page)
    return dict(found)


def marked(page: str) -> list[str]:
    """The ids of the inputs marked as wrong."""
    return re.findall(r'class="[^"]*nhsuk-input--error[^"]*" id="([^"]+)"', page)


def summary_links(page: str) -> list[str]:
    start = page.find("nhsuk-error-summary__list")
    return re.findall(r'<a href="#([^"]+)"', page[start : page.find("</ul>", start)])


def test_a_real_date_is_saved_and_shown_again_in_its_boxes(client, admin, make, db):
    organisation = make.organisation()
    response = post_site(client, organisation, day="7", month="March", year="2016")
    assert response.status_code == 302
    site = db.session.scalar(sa.select(Site).where(Site.name == "Bradford IPS"))
    assert (site.launched_on, site.closed_on) == (date(2016, 3, 7), None)

    page = text(client.get(f"/admin/sites/{site.id}/edit"))
    assert shown_boxes(page, "launched_on") == {"day": "7", "month": "3", "year": "2016"}
    assert shown_boxes(page, "closed_on") == {"day": "", "month": "", "year": ""}


@pytest.mark.parametrize(
    ("typed", "message", "wrong"),
    [
        (
            {"day": "1", "month": "", "year": "2015"},
            "The launch date must include a month",
            ["month"],
        ),
        (
            {"day": "", "month": "", "year": "2015"},
            "The launch date must include a day and month",
            ["day", "month"],
        ),
        (
            {"day": "31", "month": "2", "year": "2015"},
            "Enter the launch date as a real date, for example 1 April 2015",
            ["day"],
        ),
        (
            {"day": "1", "month": "4", "year": "twenty"},
            "Enter the launch date as a real date, for example 1 April 2015",
            ["year"],
        ),
        (
            {"day": "1", "month": "13", "year": "15"},
            "Enter the launch date as a real date, for example 1 April 2015",
            ["month", "year"],
        ),
    ],
)
def test_a_wrong_date_is_named_marked_and_kept_as_typed(
    client, admin, make, db, typed, message, wrong
):
    organisation = make.organisation()
    response = post_site(client, organisation, **typed)
    assert_refused(response, message, "launched_on")
    page = text(response)
    assert marked(page) == [f"launched_on-{part}" for part in wrong]
    assert summary_links(page) == [f"launched_on-{wrong[0]}"]  # the first wrong box
    assert shown_boxes(page, "launched_on") == typed
    assert count(db, Site) == 0


def test_a_required_date_left_blank_marks_the_whole_date(client, admin, make, db):
    site = make.site()
    response = client.post(
        f"/admin/sites/{site.id}/designations/new", data=posted({"awarded_on": ""})
    )
    assert_refused(response, "Enter the date the site was named a Centre of Excellence", None)
    page = text(response)
    assert marked(page) == ["awarded_on-day", "awarded_on-month", "awarded_on-year"]
    assert summary_links(page) == ["awarded_on-day"]
    assert count(db, Designation) == 0


def test_a_date_checked_by_the_service_marks_the_whole_date(client, admin, make, db):
    organisation = make.organisation()
    data = site_data(organisation, launched_on="2020-01-01", closed_on="2019-12-31")
    response = client.post("/admin/sites/new", data=data)
    assert_refused(response, "The closing date must be on or after the launch date", "closed_on")
    assert marked(text(response)) == ["closed_on-day", "closed_on-month", "closed_on-year"]


def test_the_boxes_are_a_fieldset_with_the_label_as_legend_and_the_hint(client, admin):
    page = re.sub(r"\s+", " ", text(client.get("/admin/sites/new")))
    start = page.index(
        '<fieldset class="nhsuk-fieldset" role="group" aria-describedby="closed_on-hint"'
    )
    fieldset = page[start : page.index("</fieldset>", start)]
    assert '<legend class="nhsuk-fieldset__legend" > Closing date (optional) </legend>' in fieldset
    assert 'id="closed_on-hint" > Leave blank while the service runs </div>' in fieldset
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        assert f'for="closed_on-{part}" > {part.capitalize()} </label>' in fieldset
        assert (
            f'nhsuk-input--width-{width} nhsuk-date-input__input" id="closed_on-{part}" '
            f'name="closed_on[{part}]" type="text" value="" inputmode="numeric"'
        ) in fieldset


def test_no_form_shows_a_browser_date_picker(client, make, login_as, db):
    site = make.site()
    programme = make.programme()
    participation = make.participation(programme, site)
    trainer = make.user("trainer", sites=[site])
    assignment = Assignment(user_id=trainer.id, site_id=site.id, starts_on=date(2020, 1, 1))
    action = Action(site_id=site.id, description="Act", owner="Team", due_on=date(2030, 1, 1))
    db.session.add_all([assignment, action])
    db.session.commit()
    login_as("admin")
    pages = {
        "/admin/sites/new": ["launched_on", "closed_on"],
        f"/admin/sites/{site.id}/edit": ["launched_on", "closed_on", "awarded_on", "ended_on"],
        f"/admin/sites/{site.id}/designations/new": ["awarded_on", "ended_on"],
        "/admin/programmes/new": ["starts_on", "ends_on"],
        f"/admin/programmes/{programme.id}/edit": ["starts_on", "ends_on", "joined_on", "left_on"],
        f"/admin/programmes/{programme.id}/sites/new": ["joined_on", "left_on"],
        f"/admin/participations/{participation.id}/edit": ["joined_on", "left_on"],
        "/admin/assignments/new": ["starts_on", "ends_on"],
        f"/admin/assignments/{assignment.id}/end": ["ends_on"],
        "/visits/new": ["visited_on", "actions-0-due_on", "actions-__INDEX__-due_on"],
        f"/actions/{action.id}/status": ["closed_on"],
        f"/sites/{site.id}/fidelity-reviews/new": ["reviewed_on", "action_due_on_25"],
    }
    for url, names in pages.items():
        page = text(client.get(url))
        assert 'type="date"' not in page, url
        for name in names:
            assert set(shown_boxes(page, name)) == {"day", "month", "year"}, (url, name)
