"""How deep a JSON body may nest, checked on its bytes before anything parses it: Python's
parser, and every schema after it, recurse once per level, so a body nested a thousand deep would
exhaust the stack (a 500) before any field could be checked."""

from __future__ import annotations

import re

from flask import Request, abort

MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in `body` (0 for a bare value): brackets inside
    strings do not count. Malformed JSON is the parser's to refuse; this only counts."""
    deepest = depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def refuse_deep_json(request: Request) -> None:
    """400 for a body nested deeper than MAX_JSON_DEPTH levels."""
    if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        abort(400, f"The JSON body must not nest deeper than {MAX_JSON_DEPTH} levels.")
