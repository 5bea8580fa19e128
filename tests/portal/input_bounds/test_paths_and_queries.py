"""No 500 for any input in an address (issue 15; API.md, "Errors and limits, for every endpoint").

Every route with an id or a month in its path, as admin, with ids beyond 32 bits, 0 and a number
beyond 64 bits, and months outside 1990-01..2100-12: not found. Query strings of the API and the
pages with the same hostile values: never a 500.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.portal.input_bounds.hostile import (
    BAD_DAYS,
    BAD_MONTHS,
    BAD_TEXTS,
    BIG_IDS,
    LISTING_APP,
)


def _has_id_or_month(rule: Any) -> bool:
    kinds = {type(converter).__name__ for converter in rule._converters.values()}
    return bool(kinds & {"IntegerConverter", "MonthConverter"}) or "month" in rule.arguments


PATH_RULES = sorted(
    (rule for rule in LISTING_APP.url_map.iter_rules() if _has_id_or_month(rule)),
    key=lambda rule: rule.rule,
)
# The rules by blueprint: a test each, whose failure lists the routes (a test per route would
# spend most of its time making the same records).
BLUEPRINTS = sorted({rule.endpoint.split(".")[0] for rule in PATH_RULES})
SHARED_PATHS = {
    rule.rule for rule in PATH_RULES if [r.rule for r in PATH_RULES].count(rule.rule) > 1
}


# 1. Paths ---------------------------------------------------------------------------------------


def _path(rule: Any, values: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _kind(rule: Any, name: str) -> str:
    converter = type(rule._converters[name]).__name__
    if converter == "IntegerConverter":
        return "id"
    if converter == "MonthConverter" or name == "month":
        return "month"
    return "other"


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_an_id_or_month_out_of_range_in_a_path_is_not_found(client, api, admin, world, blueprint):
    site = world["site"]
    good = {"id": site.id, "month": "2024-01", "other": "x"}
    caller = api(admin)
    answers = []
    rules = [rule for rule in PATH_RULES if rule.endpoint.split(".")[0] == blueprint]
    for rule, name in ((each, name) for each in rules for name in each.arguments):
        kind = _kind(rule, name)
        hostile = BIG_IDS if kind == "id" else BAD_MONTHS if kind == "month" else ()
        for value in hostile:
            values = {other: good[_kind(rule, other)] for other in rule.arguments} | {name: value}
            path = _path(rule, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if path.startswith("/api/"):
                    body = {} if method in {"POST", "PUT", "PATCH"} else None
                    response = caller.open(path, method=method, json=body)
                else:
                    response = client.open(path, method=method, data={})
                # The API's month names the return a PUT saves: a month it cannot be is a 422
                # at "month", as a month in the future is (tests/sites/returns/test_returns.py).
                api_month = kind == "month" and path.startswith("/api/")
                expected = {422} if api_month else {404}
                if rule.rule in SHARED_PATHS:
                    # Two views share the path (GET and POST): werkzeug checks the method before
                    # the converter, so the other view's rule answers 405, which is no 500.
                    expected.add(405)
                answers.append((method, path, response.status_code, expected))
    wrong = [answer for answer in answers if answer[2] not in answer[3]]
    assert answers and not wrong


# 3. Query strings -------------------------------------------------------------------------------

QUERY_VALUES = (
    *(str(number) for number in BIG_IDS),
    "-1",
    *BAD_MONTHS,
    *BAD_DAYS,
    *BAD_TEXTS,
)
QUERIES = [
    "/api/v1/sites?programme_id={v}&q={v}&region={v}&band={v}&page={v}&per_page={v}",
    "/api/v1/organisations?page={v}&per_page={v}",
    "/api/v1/programmes?page={v}",
    "/api/v1/programmes/{programme}/progress?on={v}",
    "/api/v1/sites/{site}/returns?from={v}&to={v}&page={v}",
    "/api/v1/sites/{site}/outcomes?from={v}&to={v}",
    "/api/v1/sites/{site}/visits?page={v}&per_page={v}",
    "/api/v1/fidelity/profile?programme_id={v}&region={v}",
    "/api/v1/exports/returns.csv?programme_id={v}&site_id={v}&period={v}",
]
PAGE_QUERIES = [
    "/sites/?programme_id={v}&region={v}&band={v}&q={v}&page={v}",
    "/sites/{site}?period={v}",
    "/programmes/?status={v}&page={v}",
    "/programmes/{programme}?period={v}",
    "/programmes/{programme}/report?period={v}",
    "/returns/late?programme_id={v}&region={v}",
    "/fidelity/profile?programme_id={v}&region={v}",
    "/actions?site_id={v}&status={v}&due={v}",
    "/visits/new?site_id={v}",
    "/visits/activity?trainer={v}&month={v}",
    "/my-sites?trainer={v}",
    "/returns/import/result?imported={v}&page={v}",
    "/admin/audit?table={v}&record={v}&page={v}",
    "/admin/security-log?user={v}&page={v}&kind={v}",
    "/admin/assignments/new?site_id={v}",
    "/admin/emails?status={v}",
    "/admin/organisations/new?lookup={v}",
    "/admin/users?q={v}",
    "/exports/returns.csv?programme_id={v}&site_id={v}&period={v}",
]


@pytest.mark.parametrize("query", QUERIES + PAGE_QUERIES)
def test_hostile_query_strings_are_answered_without_a_server_error(
    client, api, admin, world, query
):
    caller = api(admin)
    wrong = []
    for value in QUERY_VALUES:
        address = query.format(v="{v}", site=world["site"].id, programme=world["programme"].id)
        address = address.replace("{v}", _quoted(value))
        response = (caller if address.startswith("/api/") else client).get(address)
        if response.status_code >= 500 or (
            address.startswith("/api/") and response.status_code not in (200, 404, 422)
        ):
            wrong.append((value, response.status_code))
    assert not wrong


def _quoted(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")
