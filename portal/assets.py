"""Static files: WhiteNoise serves static/ ahead of Flask, sending the gzip or Brotli form that
scripts/build_assets.sh made to a browser that accepts it, with the same hardening headers as the
pages. The content-hashed copies that static/vendor/manifest.json names (written by
scripts/fingerprint_assets.py) are cached for ever (`immutable`), any other file for
STATIC_MAX_AGE seconds.

Templates link a built file with `asset_url("vendor/plotly-charts.min.js")`: its hashed copy,
or the plain name in development (STATIC_AUTOREFRESH) and before the assets are built.
"""

from __future__ import annotations

import json
from pathlib import Path
from wsgiref.headers import Headers

from flask import Flask, url_for
from whitenoise import WhiteNoise

from portal.security import hardening_headers

MANIFEST = "vendor/manifest.json"


def hashed_names(static_folder: Path) -> dict[str, str]:
    """Each built file's name under static/ mapped to its hashed copy's; empty before a build."""
    try:
        return json.loads((static_folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def init_app(app: Flask) -> None:
    static_folder = Path(app.static_folder or "static")
    autorefresh = app.config["STATIC_AUTOREFRESH"]
    hashed = {} if autorefresh else hashed_names(static_folder)
    immutable = {f"{app.static_url_path}/{name}" for name in hashed.values()}
    static_headers = hardening_headers(app.config["HSTS_SECONDS"])

    def add_hardening_headers(headers: Headers, path: str, url: str) -> None:
        for name, value in static_headers.items():  # the pages' headers
            headers[name] = value

    def asset_url(filename: str) -> str:
        return url_for("static", filename=hashed.get(filename, filename))

    app.jinja_env.globals["asset_url"] = asset_url
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(static_folder),
        prefix=app.static_url_path,
        autorefresh=autorefresh,
        max_age=app.config["STATIC_MAX_AGE"],
        allow_all_origins=False,
        immutable_file_test=lambda path, url: url in immutable,
        add_headers_function=add_hardening_headers,
    )
