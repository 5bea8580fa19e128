"""The API's reference for people, drawn on the server from the OpenAPI document as an NHS.UK
page: each endpoint with its parameters, body and answers, then each shape with its fields. No
script runs, so the page is as accessible as every other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    anchor: str
    parameters: list[Parameter]
    body: str | None  # the name of the body's shape
    answers: list[tuple[str, str, str | None]]  # status, description, shape


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Shape:
    name: str
    fields: list[tuple[str, str, str]]  # name, type, description


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _ref_name(schema.get("items"))
        return f"list of {inner}" if inner else "list"
    return str(schema.get("type")) if schema.get("type") else None


def _content_shape(holder: dict[str, Any]) -> str | None:
    for content in (holder.get("content") or {}).values():
        return _ref_name(content.get("schema"))
    return None


def _type_of(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return _ref_name(spec) or ""
    if spec.get("type") == "array":
        return f"list of {_type_of(spec.get('items') or {})}".strip()
    kind = str(spec.get("type", "any"))
    if spec.get("enum"):
        kind += ": " + ", ".join(str(value) for value in spec["enum"] if value is not None)
    if spec.get("format"):
        kind += f" ({spec['format']})"
    return kind


def reference(document: dict[str, Any]) -> tuple[list[Group], list[Shape]]:
    """The document's operations grouped by tag, in the order of its tags, and its shapes."""
    groups = {
        tag["name"]: Group(tag["name"], tag.get("description") or tag["name"])
        for tag in document.get("tags", [])
    }
    responses = document.get("components", {}).get("responses", {})
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            tag = (spec.get("tags") or ["other"])[0]
            group = groups.setdefault(tag, Group(tag, tag))
            parameters = [
                Parameter(p["name"], p["in"], bool(p.get("required")), p.get("description", ""))
                for p in [*item.get("parameters", []), *spec.get("parameters", [])]
            ]
            answers = []
            for status, answer in spec.get("responses", {}).items():
                if "$ref" in answer:
                    answer = responses.get(answer["$ref"].rsplit("/", 1)[-1], {})
                answers.append((status, answer.get("description", ""), _content_shape(answer)))
            group.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    anchor=f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    parameters=parameters,
                    body=_content_shape(spec.get("requestBody") or {}),
                    answers=answers,
                )
            )
    shapes = [
        Shape(
            name,
            [
                (field_name, _type_of(field_spec), field_spec.get("description", ""))
                for field_name, field_spec in (schema.get("properties") or {}).items()
            ],
        )
        for name, schema in sorted(document.get("components", {}).get("schemas", {}).items())
    ]
    return [group for group in groups.values() if group.operations], shapes
