"""Find an organisation by its ODS code (sites/ods.py and the admin form's "Look up"): both
outside services mocked with `responses`, from the recorded answer shapes in tests/fixtures/ods/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import responses
import sqlalchemy as sa
from responses import matchers

from sites import ods
from sites.models import Organisation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ods"
ODS_URL = "https://ods.test/ORD/2-0-0/organisations"
POSTCODES_URL = "https://postcodes.test/postcodes"


@pytest.fixture
def services(app, db, monkeypatch):
    """Both services at test addresses (the settings are what the code reads), answering only
    what a test registers: any other request fails the test."""
    monkeypatch.setitem(app.config, "ODS_API_URL", ODS_URL + "/")  # a trailing slash is fine
    monkeypatch.setitem(app.config, "POSTCODES_API_URL", POSTCODES_URL)
    monkeypatch.setitem(app.config, "OUTSIDE_SERVICE_TIMEOUT", 2.5)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def answer(mock: responses.RequestsMock, url: str, fixture: str, **extra) -> None:
    """Register the recorded answer `fixture` (tests/fixtures/ods/<fixture>.json) for GET url."""
    recorded = json.loads((FIXTURES / f"{fixture}.json").read_text())
    if recorded.get("timeout"):
        mock.get(url, body=requests.exceptions.ReadTimeout("read timed out"), **extra)
    elif "json" in recorded:
        mock.get(url, json=recorded["json"], status=recorded["status"], **extra)
    else:
        mock.get(
            url,
            body=recorded["body"],
            status=recorded["status"],
            content_type=recorded["content_type"],
            **extra,
        )


def known_trust(mock) -> None:
    answer(
        mock,
        f"{ODS_URL}/R9Z",
        "ord_known_trust",
        match=[matchers.query_param_matcher({"_format": "json"})],
    )


# The lookups ----------------------------------------------------------------------------------


def test_a_known_code_gives_name_postcode_kind_region_and_place(services):
    known_trust(services)
    answer(services, f"{POSTCODES_URL}/BD9%206ZZ", "postcodes_known")
    found = ods.look_up(" r9z ")
    assert found.organisation == ods.OdsOrganisation(
        code="R9Z",
        name="West Riding Community and Mental Health NHS Foundation Trust",
        postcode="BD9 6ZZ",
        active=True,
        kind="nhs_trust",
    )
    assert found.place == ods.Place(
        postcode="BD9 6ZZ",
        region="north-east-and-yorkshire",  # Yorkshire and The Humber
        latitude=53.8102,
        longitude=-1.7861,
    )
    assert found.region_label == "North East and Yorkshire"
    assert found.place_problem is None
    assert [call.request.req_kwargs["timeout"] for call in services.calls] == [2.5, 2.5]


def test_an_unknown_code_says_so(services):
    answer(services, f"{ODS_URL}/RZZ99", "ord_unknown_code")
    with pytest.raises(ods.LookupFailed) as failed:
        ods.look_up("RZZ99")
    assert failed.value.message == (
        "The NHS Organisation Data Service has no organisation with the code RZZ99. Check the "
        "code, or fill in the form by hand."
    )


def test_a_5xx_says_the_service_is_not_working(services):
    answer(services, f"{ODS_URL}/R9Z", "ord_server_error")
    with pytest.raises(ods.LookupFailed) as failed:
        ods.look_up("R9Z")
    assert failed.value.message == (
        "The NHS Organisation Data Service is not working at the moment (it answered 503). "
        "Try again later, or fill in the form by hand."
    )


def test_a_timeout_says_how_long_we_waited(services):
    answer(services, f"{ODS_URL}/R9Z", "ord_timeout")
    with pytest.raises(ods.LookupFailed) as failed:
        ods.look_up("R9Z")
    assert failed.value.message == (
        "The NHS Organisation Data Service did not answer within 2.5 seconds. Try again later, "
        "or fill in the form by hand."
    )


def test_no_connection_and_bad_json_and_an_answer_without_a_name(services):
    services.get(f"{ODS_URL}/R9A", body=requests.ConnectionError("refused"))
    services.get(f"{ODS_URL}/R9B", body="{not json", status=200, content_type="application/json")
    services.get(f"{ODS_URL}/R9C", json={"Organisation": {"Status": "Active"}})
    messages = []
    for code in ("R9A", "R9B", "R9C"):
        with pytest.raises(ods.LookupFailed) as failed:
            ods.look_up(code)
        messages.append(failed.value.message)
    assert messages[0].startswith("The NHS Organisation Data Service could not be reached.")
    assert messages[1].startswith(
        "The NHS Organisation Data Service sent an answer we could not read."
    )
    assert messages[2].startswith(
        "The NHS Organisation Data Service sent an answer we could not read."
    )


@pytest.mark.parametrize(
    "code", ["", "R9", "R9Z/../X", "R9Z?x=1", "ABCDEFGHIJK", "R 9 Z !"], ids=repr
)
def test_a_code_that_cannot_be_one_is_refused_before_asking(services, code):
    with pytest.raises(ods.LookupFailed) as failed:
        ods.look_up(code)
    assert failed.value.message == "Enter an ODS code of 3 to 10 letters and numbers, like RXE"
    assert len(services.calls) == 0


@pytest.mark.parametrize(
    ("fixture", "problem"),
    [
        ("postcodes_unknown", "postcodes.io does not know the postcode BD9 6ZZ."),
        (
            "postcodes_server_error",
            "postcodes.io is not working at the moment (it answered 500). Try again later, or "
            "fill in the form by hand.",
        ),
        (
            "ord_timeout",
            "postcodes.io did not answer within 2.5 seconds. Try again later, or fill in the "
            "form by hand.",
        ),
    ],
)
def test_when_postcodes_io_fails_the_organisation_is_still_found(services, fixture, problem):
    known_trust(services)
    answer(services, f"{POSTCODES_URL}/BD9%206ZZ", fixture)
    found = ods.look_up("R9Z")
    assert found.organisation.name.startswith("West Riding")
    assert found.place is None and found.region is None
    assert found.place_problem == problem


def test_a_welsh_postcode_is_in_wales(services):
    answer(services, f"{POSTCODES_URL}/CF14%209ZZ", "postcodes_wales")
    assert ods.find_place("cf14 9zz") == ods.Place("CF14 9ZZ", "wales", 51.5071, -3.1932)


@pytest.mark.parametrize(
    ("region", "country", "slug"),
    [
        ("North East", "England", "north-east-and-yorkshire"),
        ("Yorkshire and The Humber", "England", "north-east-and-yorkshire"),
        ("North West", "England", "north-west"),
        ("East Midlands", "England", "midlands"),
        ("West Midlands", "England", "midlands"),
        ("East of England", "England", "east-of-england"),
        ("London", "England", "london"),
        ("South East", "England", "south-east"),
        ("South West", "England", "south-west"),
        (None, "Wales", "wales"),
        (None, "Scotland", "scotland"),
        (None, "Northern Ireland", "northern-ireland"),
        (None, "Channel Islands", None),
        (None, None, None),
    ],
)
def test_regions_map_onto_nhs_englands_regions_and_the_nations(region, country, slug):
    assert ods.region_of(region, country) == slug


def test_names_are_tidied_from_upper_case():
    assert ods.tidy_name("BRADFORD DISTRICT CARE NHS FOUNDATION TRUST") == (
        "Bradford District Care NHS Foundation Trust"
    )
    assert ods.tidy_name("CUMBRIA, NORTHUMBERLAND, TYNE AND WEAR NHS FOUNDATION TRUST") == (
        "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust"
    )
    assert ods.tidy_name("HUMBER TEACHING NHS FOUNDATION TRUST (THE)") == (
        "Humber Teaching NHS Foundation Trust (the)"
    )
    assert ods.tidy_name("SOUTH WEST YORKSHIRE PARTNERSHIP NHS FOUNDATION TRUST") == (
        "South West Yorkshire Partnership NHS Foundation Trust"
    )


# The admin form -------------------------------------------------------------------------------


def text_of(response) -> str:
    return response.get_data(as_text=True)


def organisations(db) -> list[str]:
    return list(db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name)))


def input_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, f"no input {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return option.group(1) if option else None


def test_look_up_fills_the_form_for_the_user_to_check_and_save(client, login_as, services, db):
    known_trust(services)
    answer(services, f"{POSTCODES_URL}/BD9%206ZZ", "postcodes_known")
    login_as("admin")
    response = client.get("/admin/organisations/new?lookup=r9z")
    assert response.status_code == 200
    page = text_of(response)
    assert "Find by ODS code" in page
    assert input_value(page, "lookup") == "r9z"
    assert input_value(page, "name") == (
        "West Riding Community and Mental Health NHS Foundation Trust"
    )
    assert input_value(page, "ods_code") == "R9Z"
    assert selected(page, "kind") == "nhs_trust"
    assert selected(page, "region") == "north-east-and-yorkshire"
    assert (
        "postcode BD9 6ZZ" in page and "Region from the postcode: North East and Yorkshire" in page
    )
    assert "latitude 53.8102, longitude -1.7861" in page
    assert organisations(db) == []  # a lookup saves nothing
    saved = client.post(
        "/admin/organisations/new",
        data={
            "name": "West Riding Community and Mental Health NHS Foundation Trust",
            "kind": "nhs_trust",
            "ods_code": "R9Z",
            "region": "north-east-and-yorkshire",
        },
    )
    assert saved.status_code == 302
    assert organisations(db) == ["West Riding Community and Mental Health NHS Foundation Trust"]


def test_a_failed_look_up_shows_its_message_and_the_form_works_by_hand(
    client, login_as, services, db
):
    answer(services, f"{ODS_URL}/RZZ99", "ord_unknown_code")
    answer(services, f"{ODS_URL}/R9Y", "ord_server_error")
    login_as("admin")
    for code, message in [
        ("RZZ99", "has no organisation with the code RZZ99"),
        ("R9Y", "is not working at the moment (it answered 503)"),
        ("a/b", "Enter an ODS code of 3 to 10 letters and numbers, like RXE"),
    ]:
        page = text_of(client.get(f"/admin/organisations/new?lookup={code}"))
        assert message in page, code
        assert 'class="nhsuk-error-summary' in page, code
        assert input_value(page, "name") in (None, ""), code
    assert organisations(db) == []  # a lookup writes nothing
    by_hand = client.post(
        "/admin/organisations/new",
        data={"name": "Sussex Partnership", "kind": "nhs_trust", "region": "south-east"},
    )
    assert by_hand.status_code == 302
    assert organisations(db) == ["Sussex Partnership"]


def test_the_edit_form_looks_up_too_and_keeps_the_version(client, login_as, make, services):
    known_trust(services)
    answer(services, f"{POSTCODES_URL}/BD9%206ZZ", "postcodes_server_error")
    organisation = make.organisation(name="Old name", kind="other", region="london")
    login_as("admin")
    page = text_of(client.get(f"/admin/organisations/{organisation.id}/edit?lookup=R9Z"))
    assert input_value(page, "name").startswith("West Riding")
    assert selected(page, "kind") == "nhs_trust"
    assert selected(page, "region") == "london"  # postcodes.io failed: left as it was
    assert "postcodes.io is not working at the moment" in page
    assert "Choose the region by hand." in page
    assert input_value(page, "version") == str(organisation.version)


def test_the_form_without_a_look_up_asks_nothing(client, login_as, services):
    login_as("admin")
    page = text_of(client.get("/admin/organisations/new"))
    assert "Find by ODS code" in page and 'class="nhsuk-error-summary' not in page
    assert len(services.calls) == 0
