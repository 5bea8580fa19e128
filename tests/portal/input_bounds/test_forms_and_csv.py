"""No 500 for any form or CSV file (issue 15; API.md, "Errors and limits, for every endpoint").

The forms of the pages, and the cells of an imported CSV, with hostile values: a message at the
field or row, and nothing written.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dates import boxes, posted
from tests.portal.input_bounds.hostile import (
    BAD_COUNTS,
    BAD_MONTHS,
    BAD_TEXTS,
    BIG_IDS,
    count_rows,
)

# 4. The forms of the pages ----------------------------------------------------------------------


def _programme_form(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return posted(
        {
            "name": "Making IPS Work",
            "funder_id": str(world["programme"].funder_id),
            "summary": "Six areas.",
            "starts_on": "2015-04-01",
            "ends_on": "2018-03-31",
            "job_start_target": "340",
            "target_profile": "2015-06 10",
        }
        | changes
    )


def _site_form(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return posted(
        {
            "organisation_id": str(world["organisation"].id),
            "name": "Bradford IPS",
            "locality": "Bradford",
            "region": "north-east-and-yorkshire",
            "launched_on": "2015-04-01",
            "closed_on": "",
            "latitude": "53.795",
            "longitude": "-1.7594",
        }
        | changes
    )


def _return_form(**changes: Any) -> dict[str, Any]:
    figures = {
        "referrals": "10",
        "caseload": "40",
        "new_to_service": "8",
        "first_contact_within_4_weeks": "6",
        "job_starts": "3",
        "in_work": "15",
        "sustained_13_weeks": "0",
        "employment_specialists_fte": "2.5",
        "discharges": "4",
        "sector_construction": "3",
    }
    return {"action": "submit"} | figures | changes


def _visit_form(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "site_id": str(world["site"].id),
        "visited_on": "2024-01-10",
        "purpose": "supervision",
        "summary": "Supervision with the team leader.",
        "actions-0-description": "Set up a benefits advice clinic",
        "actions-0-owner": "Team leader",
        "actions-0-due_on": "2024-02-10",
    }
    return posted(data | changes)


def _review_form(**changes: Any) -> dict[str, Any]:
    data = {
        "reviewed_on": "2022-05-01",
        "kind": "external_review",
        "lead_reviewer": "Sam Trainer",
        "status": "draft",
        "score_1": "4",
        "note_1": "Caseloads of 18.",
    }
    return posted(data | changes)


def _far(name: str, day: str) -> dict[str, str]:
    """A date typed in its boxes: year, month, day."""
    year, month, number = day.split("-")
    return boxes(name, number, month, year)


# (address, a good form, the hostile changes) for each form and field: a name for each case.
FORM_CASES: list[tuple[str, str, Any]] = []


def _form_case(name: str, address: str, form: Any) -> None:
    FORM_CASES.append((name, address, form))


for _text in BAD_TEXTS[:1]:  # a form post cannot carry a lone surrogate: UTF-8 has none
    _form_case("funder name NUL", "/admin/funders/new", lambda w: {"name": "Fund\x00er"})
    for _field in ("name", "summary"):
        _form_case(
            f"programme {_field} NUL",
            "/admin/programmes/new",
            lambda w, f=_field: _programme_form(w, **{f: "Making\x00IPS"}),
        )
    for _field in ("name", "ods_code"):
        _form_case(
            f"organisation {_field} NUL",
            "/admin/organisations/new",
            lambda w, f=_field: (
                {"name": "Trust", "kind": "other", "region": "london"} | {f: "RX\x00E"}
            ),
        )
    for _field in ("name", "locality"):
        _form_case(
            f"site {_field} NUL",
            "/admin/sites/new",
            lambda w, f=_field: _site_form(w, **{f: "Brad\x00ford"}),
        )
for _day in ("9999-12-31", "1989-12-31", "2101-01-01"):
    for _field in ("starts_on", "ends_on"):
        _form_case(
            f"programme {_field} {_day}",
            "/admin/programmes/new",
            lambda w, f=_field, d=_day: _programme_form(w) | _far(f, d),
        )
    _form_case(
        f"site launched_on {_day}",
        "/admin/sites/new",
        lambda w, d=_day: _site_form(w) | _far("launched_on", d),
    )
    _form_case(
        f"designation awarded_on {_day}",
        "/admin/sites/{site}/designations/new",
        lambda w, d=_day: _far("awarded_on", d),
    )
    for _field in ("joined_on", "left_on"):
        _form_case(
            f"participation {_field} {_day}",
            "/admin/programmes/{programme}/sites/new",
            lambda w, f=_field, d=_day: (
                posted({"site_id": str(w["site"].id), "joined_on": "2020-02-01"}) | _far(f, d)
            ),
        )
    _form_case(
        f"assignment starts_on {_day}",
        "/admin/assignments/new",
        lambda w, d=_day: (
            {"user_id": str(w["trainer"].id), "site_id": str(w["site"].id)} | _far("starts_on", d)
        ),
    )
    _form_case(
        f"visit visited_on {_day}",
        "/visits/new",
        lambda w, d=_day: _visit_form(w) | _far("visited_on", d),
    )
    _form_case(
        f"visit action due_on {_day}",
        "/visits/new",
        lambda w, d=_day: _visit_form(w) | _far("actions-0-due_on", d),
    )
    _form_case(
        f"review reviewed_on {_day}",
        "/sites/{site}/fidelity-reviews/new",
        lambda w, d=_day: _review_form() | _far("reviewed_on", d),
    )
for _number in ("1000001", "2147483648", "99999999999999999999"):
    _form_case(
        f"programme job_start_target {_number}",
        "/admin/programmes/new",
        lambda w, n=_number: _programme_form(w, job_start_target=n),
    )
    _form_case(
        f"programme target_profile {_number}",
        "/admin/programmes/new",
        lambda w, n=_number: _programme_form(w, target_profile=f"2015-06 {n}"),
    )
    _form_case(
        f"participation site_target {_number}",
        "/admin/programmes/{programme}/sites/new",
        lambda w, n=_number: posted(
            {"site_id": str(w["site"].id), "joined_on": "2020-02-01", "site_target": n}
        ),
    )
    for _field in ("referrals", "job_starts", "employment_specialists_fte", "sector_construction"):
        _form_case(
            f"return {_field} {_number}",
            "/sites/{site}/returns/2024-03",
            lambda w, f=_field, n=_number: _return_form(**{f: n}),
        )
for _number in ("2147483648", "0", "99999999999999999999"):
    _form_case(
        f"programme funder_id {_number}",
        "/admin/programmes/new",
        lambda w, n=_number: _programme_form(w, funder_id=n),
    )
    _form_case(
        f"site organisation_id {_number}",
        "/admin/sites/new",
        lambda w, n=_number: _site_form(w, organisation_id=n),
    )
    _form_case(
        f"participation site_id {_number}",
        "/admin/programmes/{programme}/sites/new",
        lambda w, n=_number: posted({"site_id": n, "joined_on": "2020-02-01"}),
    )
    _form_case(
        f"assignment user_id {_number}",
        "/admin/assignments/new",
        lambda w, n=_number: (
            {"user_id": n, "site_id": str(w["site"].id)} | _far("starts_on", "2030-01-01")
        ),
    )
    _form_case(
        f"assignment site_id {_number}",
        "/admin/assignments/new",
        lambda w, n=_number: (
            {"user_id": str(w["trainer"].id), "site_id": n} | _far("starts_on", "2030-01-01")
        ),
    )
    _form_case(
        f"visit site_id {_number}",
        "/visits/new",
        lambda w, n=_number: _visit_form(w, site_id=n),
    )
_form_case(
    "return figure NUL", "/sites/{site}/returns/2024-03", lambda w: _return_form(caseload="4\x000")
)
_form_case("visit summary NUL", "/visits/new", lambda w: _visit_form(w, summary="Sum\x00mary"))
_form_case(
    "visit action description NUL",
    "/visits/new",
    lambda w: _visit_form(w) | {"actions-0-description": "Call\x00employers"},
)
_form_case(
    "visit action owner NUL",
    "/visits/new",
    lambda w: _visit_form(w) | {"actions-0-owner": "Team\x00leader"},
)
_form_case(
    "review lead_reviewer NUL",
    "/sites/{site}/fidelity-reviews/new",
    lambda w: _review_form(lead_reviewer="Sam\x00"),
)
_form_case(
    "review note NUL",
    "/sites/{site}/fidelity-reviews/new",
    lambda w: _review_form(note_1="No\x00te"),
)
_form_case(
    "review score 99999999999999999999",
    "/sites/{site}/fidelity-reviews/new",
    lambda w: _review_form(score_1="99999999999999999999"),
)


@pytest.mark.parametrize(
    ("address", "form"),
    [(address, form) for _, address, form in FORM_CASES],
    ids=[name for name, _, _ in FORM_CASES],
)
def test_a_form_with_a_hostile_value_shows_an_error_and_writes_nothing(
    client, admin, world, address, form
):
    address = address.format(site=world["site"].id, programme=world["programme"].id)
    data = form(world)
    before = count_rows()
    response = client.post(address, data=data)
    assert response.status_code in (200, 422), response.status_code
    assert "nhsuk-error-summary" in response.get_data(as_text=True)
    assert count_rows() == before


def test_the_good_forms_above_are_accepted(client, admin, world):
    """The forms the hostile values go into are good ones, so their refusals are the value's."""
    site, programme = world["site"], world["programme"]
    accepted = {
        "/admin/programmes/new": _programme_form(world),
        "/admin/sites/new": _site_form(world),
        f"/admin/sites/{site.id}/designations/new": posted({"awarded_on": "2019-01-01"}),
        f"/admin/programmes/{programme.id}/sites/new": posted(
            {"site_id": str(site.id), "joined_on": "2020-02-01", "site_target": "20"}
        ),
        "/admin/assignments/new": {"user_id": str(world["trainer"].id), "site_id": str(site.id)}
        | _far("starts_on", "2030-01-01"),
        "/visits/new": _visit_form(world),
        f"/sites/{site.id}/fidelity-reviews/new": _review_form(),
        f"/sites/{site.id}/returns/2024-03": _return_form(),
    }
    for address, data in accepted.items():
        before = count_rows()
        response = client.post(address, data=data)
        assert response.status_code in (302, 303), (address, response.status_code)
        assert count_rows() > before, address


# 5. The CSV import ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "site_id,month,referrals,caseload,new_to_service,first_contact_within_4_weeks,job_starts,"
    "in_work,sustained_13_weeks,employment_specialists_fte,discharges"
)
CSV_GOOD = {
    "month": "2024-03",
    "referrals": "10",
    "caseload": "40",
    "new_to_service": "8",
    "first_contact_within_4_weeks": "6",
    "job_starts": "3",
    "in_work": "15",
    "sustained_13_weeks": "0",
    "employment_specialists_fte": "2.5",
    "discharges": "4",
}
CSV_CASES = [
    *(("site_id", str(number)) for number in BIG_IDS),
    *(("month", month) for month in BAD_MONTHS),
    *(("caseload", str(number)) for number in BAD_COUNTS),
    ("employment_specialists_fte", "1e300"),
    ("employment_specialists_fte", "1000001"),
    ("referrals", "1\x000"),
    ("month", "2024\x00-01"),
]


def test_a_hostile_cell_in_an_imported_csv_is_a_row_error_and_nothing_is_imported(
    api, admin, world
):
    caller = api(admin)
    before = count_rows()
    wrong = []
    for column, hostile in CSV_CASES:
        cells = {"site_id": str(world["site"].id)} | CSV_GOOD | {column: hostile}
        text = CSV_COLUMNS + "\n" + ",".join(cells[name] for name in CSV_COLUMNS.split(",")) + "\n"
        response = caller.post(
            "/api/v1/returns/import", data=text.encode(), content_type="text/csv"
        )
        rows = (response.json or {}).get("error", {}).get("rows", [])
        if response.status_code != 422 or not rows or column not in rows[0]["fields"]:
            wrong.append((column, hostile, response.status_code, rows))
    assert not wrong
    assert count_rows() == before
