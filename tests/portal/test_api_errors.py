"""The OpenAPI document declares the contract's error shape (portal.errors.api_error) for every
error status each operation can answer, and the shape matches what the API sends."""

from __future__ import annotations

import jsonschema_rs  # schemathesis's own validator
import pytest

from portal.api_errors import error_statuses

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(api) -> dict:
    return api("funder").get("/api/v1/openapi.json").get_json()


def _resolved(document: dict, item: dict) -> dict:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = document["components"][section][name]
    return item


def _validator(document: dict) -> jsonschema_rs.Draft4Validator:
    """The document's Error shape, its references resolved within the document."""
    schema = {"$ref": "#/components/schemas/Error", "components": document["components"]}
    return jsonschema_rs.Draft4Validator(schema)


def test_every_operation_declares_the_error_shape_for_its_error_statuses(document) -> None:
    missing = []
    for path, item in document["paths"].items():
        path_ids = "{" in path
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            for status in error_statuses(method, operation, path_ids):
                answer = _resolved(document, responses.get(str(status), {}))
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Error"}:
                    missing.append(f"{method.upper()} {path} {status}: {answer}")
            assert {"401", "403", "429"} <= set(responses), (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "409"} <= set(responses), (method, path)
            if path_ids:
                assert "404" in responses, (method, path)
    assert not missing, "\n".join(missing)


def test_the_answers_of_the_api_match_the_declared_shape(document, client, api) -> None:
    validator = _validator(document)
    admin = api("admin")
    answers = [
        client.get("/api/v1/sites"),  # 401
        admin.get("/api/v1/sites/2147483000"),  # 404
        admin.delete("/api/v1/sites"),  # 405
        admin.post("/api/v1/organisations", data="x", content_type="text/plain"),  # 400
        admin.post("/api/v1/organisations", json={"name": ""}),  # 422 with fields
        api("funder").post("/api/v1/organisations", json={}),  # 403
    ]
    statuses = set()
    for answer in answers:
        statuses.add(answer.status_code)
        errors = [str(error) for error in validator.iter_errors(answer.get_json())]
        assert not errors, (answer.status_code, answer.get_json(), errors)
    assert statuses == {400, 401, 403, 404, 405, 422}
    assert list(validator.iter_errors({"code": 404, "status": "Not Found", "message": "x"}))
