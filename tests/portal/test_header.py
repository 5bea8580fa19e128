"""Every page's header (issue 14, point 3): NHS.UK's header component without the NHS logo, which
the NHS identity guidelines keep for NHS organisations. It names the service and the charity that
runs it (ORGANISATION_NAME)."""

from __future__ import annotations

import re

import pytest


def header_of(page: str) -> str:
    match = re.search(r'<header\b[^>]*class="nhsuk-header\b.*?</header>', page, re.S)
    assert match, "the page has no NHS.UK header"
    return match.group(0)


@pytest.fixture
def charity(app, monkeypatch) -> str:
    name = "Pathways & Work Trust"
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", name)
    return name


@pytest.mark.parametrize("path", ["/login", "/"])
def test_the_header_names_the_service_and_the_charity_and_shows_no_nhs_logo(
    client, login_as, charity, path
):
    if path == "/":
        login_as("admin")

    page = client.get(path).get_data(as_text=True)
    header = header_of(page)

    assert "nhsuk-header__logo" not in page and "nhsuk-logo" not in page
    assert "<svg" not in header.split('class="nhsuk-header__account"')[0]
    assert 'aria-label="NHS' not in page and "<title>NHS</title>" not in page
    assert '<span class="nhsuk-header__service-name">IPS Network Tracker</span>' in header
    assert (
        '<span class="nhsuk-header__organisation-name">Pathways &amp; Work Trust</span>' in header
    )


def test_the_header_keeps_the_account_links_and_the_navigation(client, login_as):
    login_as("admin")

    header = header_of(client.get("/programmes/").get_data(as_text=True))

    assert 'href="/account"' in header and ">Log out</button>" in header
    assert re.search(r'aria-current="page"><strong[^>]*>Programmes</strong></a>', header)
    assert 'id="toggle-menu"' in header
