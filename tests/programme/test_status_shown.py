"""A programme's status and its numbers agree on screen: the rule said in a sentence, people in
whole numbers, a programme not started shows when it starts and no run rate, and the progress
chart draws the target."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from markupsafe import escape

from programme.progress import ProgressStatus, status_explained


def chart_of(page: str) -> dict:
    found = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert found, "no chart on the page"
    return json.loads(unescape(found.group(1)))


@pytest.mark.parametrize("status", list(ProgressStatus))
def test_every_status_has_its_rule_in_a_sentence(status):
    sentence = status_explained(status, date(2026, 12, 1), 1200)
    assert sentence.endswith(".")
    if status == ProgressStatus.NOT_STARTED:
        assert "1 December 2026" in sentence
    else:
        assert "1,200" in sentence or "expected" in sentence


def test_a_running_programme_explains_its_status_and_rounds_people(client, login_as, make, api):
    programme = make.programme(
        starts_on=date(2024, 1, 1), ends_on=date(2030, 12, 31), job_start_target=1001
    )
    site = make.site()
    make.participation(programme, site)
    make.monthly_return(site, date(2024, 3, 1), job_starts=3)
    status = api("admin").get(f"/api/v1/programmes/{programme.id}/progress").get_json()["status"]
    login_as("admin")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert str(escape(status_explained(status, programme.starts_on, 1001))) in page
    expected = re.search(r"Expected by today</dt><dd[^>]*>([^<(]+)", page).group(1).strip()
    assert re.fullmatch(r"[0-9,]+", expected), expected  # whole people, no decimals
    traces = [t["name"] for t in chart_of(page)["data"]]
    assert "Target (1,001)" in traces


def test_a_programme_not_started_says_when_it_starts(client, login_as, make):
    starts = date.today() + timedelta(days=40)
    programme = make.programme(starts_on=starts, ends_on=starts + timedelta(days=700))
    login_as("admin")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert f"Starts {starts.day} {starts:%B %Y}" in page
    assert "nothing is expected yet" in page
    assert "Run rate" not in page and "Projected by the end" not in page
