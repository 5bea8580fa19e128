"""The API's errors in its OpenAPI document: the contract's shape (portal.errors.api_error,
`{"error": {"code", "message", "fields"?}}`) declared for every error status each operation can
answer. One place adds them to every operation as the document is built (`ErrorResponses`, an
apispec plugin), so no route has to, and a route's own description of a status is kept.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import Schema, fields
from marshmallow.validate import OneOf

from portal.errors import CODES

ERROR_SCHEMA = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = frozenset({"get", "head", "options", *WRITES})

DESCRIPTIONS = {
    400: "The body is not what the operation reads (JSON unless it says otherwise)",
    401: "No bearer token, or one that is not valid",
    403: "The token's user may not do this, or not to this record",
    404: "No such record",
    409: "A clash: the version sent is stale, or a value that must be unique is taken",
    413: "The body is too large",
    422: "The data sent is not valid: a message per field in `fields`",
    429: "Too many requests: wait, then try again",
}


class ImportRowErrorsSchema(Schema):
    row = fields.Integer(metadata={"description": "The row's number; the header is row 1"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "The row's messages, by column"},
    )


class ApiErrorBodySchema(Schema):
    code = fields.String(required=True, validate=OneOf(sorted({*CODES.values(), "error"})))
    message = fields.String(required=True, metadata={"description": "A sentence for people"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "The messages by field, when the data sent is not valid"},
    )
    warnings = fields.List(
        fields.String(), metadata={"description": "A return's warnings, to confirm"}
    )
    rows = fields.List(
        fields.Nested(ImportRowErrorsSchema),
        metadata={"description": "An import's rows with errors (the first ones)"},
    )
    rows_not_listed = fields.Integer(
        metadata={"description": "How many more rows of an import have errors"}
    )


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorBodySchema, required=True)


def register_error_shape(spec: APISpec) -> None:
    """The shape, and a response of it for each status (as flask-smorest names them: its
    arguments decorator refers to UNPROCESSABLE_ENTITY)."""
    spec.components.schema("RowErrors", schema=ImportRowErrorsSchema)
    spec.components.schema("ErrorBody", schema=ApiErrorBodySchema)
    spec.components.schema(ERROR_SCHEMA, schema=ApiErrorSchema)
    for status, description in DESCRIPTIONS.items():
        spec.components.response(
            HTTPStatus(status).name,
            {"description": description, "content": {"application/json": {"schema": ERROR_REF}}},
            lazy=True,
        )


def error_statuses(method: str, operation: dict[str, Any], path_ids: bool) -> list[int]:
    """The error statuses an operation can answer (API.md, "Errors and limits")."""
    statuses = [401, 403, 429]
    has_body = "requestBody" in operation
    if has_body:
        statuses += [400, 413]
    if path_ids:
        statuses.append(404)
    if method in WRITES:
        statuses.append(409)
    if has_body or path_ids or operation.get("parameters"):
        statuses.append(422)
    return sorted(statuses)


def _with_error_shape(response: Any) -> Any:
    """A route's own description of an error, given the shape when it names none."""
    if isinstance(response, dict) and "$ref" not in response and not response.get("content"):
        return {**response, "content": {"application/json": {"schema": ERROR_REF}}}
    return response


class ErrorResponses(BasePlugin):
    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        path_ids = bool(rule is not None and rule.arguments)
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in list(responses):
                if str(status).isdigit() and int(status) >= 400:
                    responses[status] = _with_error_shape(responses[status])
            declared = {int(status) for status in responses if str(status).isdigit()}
            for status in error_statuses(method, operation, path_ids):
                if status not in declared:
                    responses[status] = HTTPStatus(status).name
