"""No 500 for any JSON body (issue 15; API.md, "Errors and limits, for every endpoint").

Every JSON body of the API (read from its OpenAPI document), each field with the hostile values of
its type (ids and counts out of range, NUL and lone surrogates in text, dates and months outside
the years the portal records): 422 naming the field, and nothing written. Bodies nested too deep:
400 before they are parsed; bodies that are not objects: 400 or 422.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from portal.api import api as portal_api
from tests.portal.input_bounds.hostile import (
    BAD_COUNTS,
    BAD_DAYS,
    BAD_MONTHS,
    BAD_NUMBERS,
    BAD_TEXTS,
    BIG_IDS,
    LISTING_APP,
    count_rows,
)

# 2. JSON bodies ---------------------------------------------------------------------------------


def _bodies(world: dict[str, Any], action: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """A body each operation accepts, keyed by (method, OpenAPI path)."""
    site, programme = world["site"], world["programme"]
    organisation, review, trainer = world["organisation"], world["review"], world["trainer"]
    return {
        ("post", "/api/v1/organisations"): {
            "name": "Leeds Trust",
            "kind": "nhs_trust",
            "ods_code": "RXE",
            "region": "london",
        },
        ("post", "/api/v1/sites"): {
            "organisation_id": organisation.id,
            "name": "Leeds IPS",
            "locality": "Leeds",
            "region": "london",
            "launched_on": "2015-04-01",
            "closed_on": "2024-03-31",
            "latitude": 53.8,
            "longitude": -1.5,
        },
        ("patch", "/api/v1/sites/{site_id}"): {
            "version": site.version,
            "organisation_id": organisation.id,
            "name": "Renamed IPS",
            "locality": "Leeds",
            "region": "london",
            "launched_on": "2015-04-01",
            "closed_on": "2024-03-31",
            "latitude": 53.8,
            "longitude": -1.5,
        },
        ("post", "/api/v1/sites/{site_id}/designations"): {
            "awarded_on": "2019-01-01",
            "ended_on": "2020-01-01",
        },
        ("put", "/api/v1/sites/{site_id}/returns/{month}"): {
            "referrals": 10,
            "caseload": 40,
            "new_to_service": 8,
            "first_contact_within_4_weeks": 6,
            "job_starts": 3,
            "in_work": 15,
            "sustained_13_weeks": 0,
            "employment_specialists_fte": 2.5,
            "discharges": 4,
            "sectors": {"construction": 3},
            "submit": True,
        },
        ("post", "/api/v1/programmes"): {
            "name": "Improve 3",
            "funder": "Health Foundation",
            "summary": "West Midlands teams.",
            "starts_on": "2020-01-01",
            "ends_on": "2022-12-31",
            "job_start_target": 100,
            "target_profile": [{"month": "2020-06", "cumulative": 10}],
        },
        ("patch", "/api/v1/programmes/{programme_id}"): {
            "version": programme.version,
            "name": "Improve 4",
            "funder": "Health Foundation",
            "summary": "West Midlands teams.",
            "starts_on": "2020-01-01",
            "ends_on": "2022-12-31",
            "job_start_target": 100,
            "target_profile": [{"month": "2020-06", "cumulative": 10}],
        },
        ("post", "/api/v1/programmes/{programme_id}/participations"): {
            "site_id": site.id,
            "joined_on": "2020-02-01",
            "left_on": "2021-01-31",
            "site_target": 20,
        },
        ("post", "/api/v1/sites/{site_id}/fidelity-reviews"): {
            "reviewed_on": "2022-05-01",
            "kind": "peer_review",
            "status": "draft",
            "lead_reviewer": "Sam",
            "scores": {"1": 4},
            "notes": {"1": "Caseloads of 18."},
            "actions": {"1": {"description": "Hire", "owner": "Lead", "due_on": "2022-06-01"}},
        },
        ("post", "/api/v1/fidelity-reviews/{review_id}/reopen"): {
            "version": review.version,
            "reason": "A score was typed wrong.",
        },
        ("post", "/api/v1/sites/{site_id}/visits"): {
            "visited_on": "2024-01-10",
            "purpose": "training",
            "summary": "Job development training.",
            "actions": [{"description": "Call employers", "owner": "Team", "due_on": "2024-02-01"}],
        },
        ("patch", "/api/v1/actions/{action_id}"): {
            "status": "done",
            "closed_on": "2024-01-20",
            "note": "Done at the team meeting.",
            "version": action["version"],
        },
        ("post", "/api/v1/sites/{site_id}/returns/{month}/approve"): {
            "version": world["submitted"].version,
        },
        ("post", "/api/v1/sites/{site_id}/returns/{month}/send-back"): {
            "version": world["submitted"].version,
            "reason": "The caseload looks high: check it.",
        },
        ("post", "/api/v1/sites/{site_id}/returns/{month}/reopen"): {
            "version": world["approved"].version,
            "reason": "A figure was typed wrong.",
        },
        ("post", "/api/v1/sites/{site_id}/returns/{month}/queries"): {
            "field": "job_starts",
            "text": "Job starts look high against the last six months.",
        },
        ("post", "/api/v1/queries/{query_id}/answer"): {
            "text": "Checked with the team: right.",
            "close": True,
        },
        ("post", "/api/v1/sites/{site_id}/mentoring"): {
            "mentee_site_id": world["mentee"].id,
            "starts_on": "2020-01-01",
            "ends_on": "2021-12-31",
            "programme_id": programme.id,
            "note": "Monthly supervision of the team leader.",
        },
        ("post", "/api/v1/sites/{site_id}/assignments"): {
            "user_id": trainer.id,
            "starts_on": "2030-01-01",
            "ends_on": "2031-01-01",
        },
    }


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of the API with a JSON body: method, path and the body's schema."""
    spec = portal_api.spec.to_dict()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):  # the path's own "parameters"
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                found.append((method, path, content["application/json"]["schema"]))
    return sorted(found, key=lambda found: (found[1], found[0]))


with LISTING_APP.app_context():
    OPERATIONS = _operations()
    SCHEMAS = portal_api.spec.to_dict()["components"]["schemas"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    return SCHEMAS[ref.rsplit("/", 1)[1]] if ref else schema


def _hostile_values(name: str, schema: dict[str, Any]) -> tuple[Any, ...]:
    kind = schema.get("type")
    if name == "version":  # a version that does not match is a stale edit: 409
        return ()
    if kind == "integer":
        return BIG_IDS if name.endswith("_id") else BAD_COUNTS
    if kind == "number":
        return BAD_NUMBERS
    if kind == "string" and schema.get("format") == "date":
        return (*BAD_DAYS, *BAD_TEXTS)
    if kind == "string" and "pattern" in schema:
        return (*BAD_MONTHS, *BAD_TEXTS)
    if kind == "string":
        return BAD_TEXTS
    return ()


def _cases(schema: dict[str, Any], body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(the field's name, the body with a hostile value in that field), for each field and
    value; nested objects and lists of objects are followed into their first item."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name, field in _resolve(schema).get("properties", {}).items():
        field = _resolve(field) if "$ref" in field else field
        value = body.get(name)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner, changed in _cases(field.get("items", field), value[0]):
                cases.append((f"{name}.0.{inner}", body | {name: [changed, *value[1:]]}))
        elif isinstance(value, dict):
            key, first = next(iter(value.items()))
            for hostile_key in BAD_TEXTS:
                cases.append((f"{name} key", body | {name: {hostile_key: first}}))
            if isinstance(first, dict):  # {"7": {"description", "owner", "due_on"}}
                for inner in first:
                    kind = {"type": "string", "format": "date"} if inner.endswith("_on") else {}
                    for hostile in _hostile_values(inner, kind or {"type": "string"}):
                        nested = {key: first | {inner: hostile}}
                        cases.append((f"{name}.{key}.{inner}", body | {name: nested}))
            else:
                values = BAD_COUNTS if isinstance(first, int) else (*BAD_TEXTS, *BAD_COUNTS)
                for hostile in values:
                    cases.append((f"{name}.{key}", body | {name: {key: hostile}}))
        else:
            for hostile in _hostile_values(name, field):
                cases.append((name, body | {name: hostile}))
    return cases


def _action(caller: Any, site: Any) -> dict[str, Any]:
    response = caller.post(
        f"/api/v1/sites/{site.id}/visits",
        json={
            "visited_on": "2024-01-05",
            "purpose": "supervision",
            "summary": "Supervision.",
            "actions": [{"description": "Log contacts", "owner": "Team", "due_on": "2024-03-01"}],
        },
    )
    assert response.status_code == 201, response.json
    return response.json["actions"][0]


def _month_of(path: str) -> str:
    """The approved return for /reopen, the submitted one for the other moves and queries, and
    a month with no return yet for a PUT that creates one."""
    if path.endswith("/reopen"):
        return "2024-02"
    if path.endswith(("/approve", "/send-back", "/queries")):
        return "2024-01"
    return "2024-03"


def _api_path(path: str, world: dict[str, Any], action: dict[str, Any]) -> str:
    ids = {
        "site_id": world["site"].id,
        "programme_id": world["programme"].id,
        "review_id": world["review"].id,
        "action_id": action["id"],
        "query_id": world["query"].id,
        "month": _month_of(path),
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def _names(fields: dict[str, Any]) -> set[str]:
    return {part for key in fields for part in (key, key.split(".")[0])}


OPERATION_IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]


@pytest.mark.parametrize(("method", "path", "schema"), OPERATIONS, ids=OPERATION_IDS)
def test_a_hostile_value_in_any_field_of_a_body_is_refused_by_name(
    api, admin, world, method, path, schema
):
    caller = api(admin)
    action = _action(caller, world["site"])
    body = _bodies(world, action)[(method, path)]
    address = _api_path(path, world, action)
    before = count_rows()
    wrong = []
    for field, hostile_body in _cases(schema, body):
        response = caller.open(address, method=method.upper(), json=hostile_body)
        error = (response.json or {}).get("error", {})
        top = field.split(".")[0].split(" ")[0]
        if response.status_code != 422 or top not in _names(error.get("fields", {})):
            wrong.append((field, _shown(hostile_body, field), response.status_code, error))
    assert not wrong
    assert count_rows() == before


def _shown(body: dict[str, Any], field: str) -> str:
    return json.dumps(body.get(field.split(".")[0].split(" ")[0]))[:60]


@pytest.mark.parametrize(("method", "path", "schema"), OPERATIONS, ids=OPERATION_IDS)
def test_each_operation_accepts_its_sample_body(api, admin, world, method, path, schema):
    """The bodies above are good, so the refusals above are the hostile field's doing."""
    caller = api(admin)
    action = _action(caller, world["site"])
    body = _bodies(world, action)[(method, path)]
    response = caller.open(_api_path(path, world, action), method=method.upper(), json=body)
    assert response.status_code in (200, 201), response.json


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("method", "path", "schema"), OPERATIONS, ids=OPERATION_IDS)
def test_deep_or_shapeless_bodies_are_bad_requests(api, admin, world, method, path, schema):
    caller = api(admin)
    action = _action(caller, world["site"])
    address = _api_path(path, world, action)
    before = count_rows()
    for text in (_nested(1000), '{"name": ' + _nested(33) + "}", '{"a": ' * 40 + "1" + "}" * 40):
        response = caller.open(
            address, method=method.upper(), data=text, content_type="application/json"
        )
        assert response.status_code == 400, (text[:20], response.json)
        assert response.json["error"]["code"] == "bad_request"
    for shapeless in ([], [1, 2], 1, "text", True, None, _nested(32)):
        data = shapeless if isinstance(shapeless, str) and "[" in shapeless else None
        response = caller.open(
            address,
            method=method.upper(),
            data=data if data is not None else json.dumps(shapeless),
            content_type="application/json",
        )
        assert response.status_code in (400, 422), (shapeless, response.json)
    assert count_rows() == before
