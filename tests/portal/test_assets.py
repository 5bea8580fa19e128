"""Static files (portal/assets.py): chart pages load our partial Plotly bundles, which hold just the
trace types the pages draw (charts; geo on the map page only), never the 4.8 MB full one, by
content-hashed names, deferred, before portal.js that draws the charts; each bundle asks V8 to
compile it as it streams in; those files are sent gzip- or Brotli-compressed to a browser that
accepts it, and cached for ever. The assets must be built (`make install`), as for the browser
tests."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import brotli
import pytest

from portal import create_app
from portal.assets import hashed_names
from training.models import Visit

A_YEAR = 365 * 24 * 60 * 60
CHARTS = "vendor/plotly-charts.min.js"
GEO = "vendor/plotly-geo.min.js"
BUNDLES = (CHARTS, GEO)


@pytest.fixture
def built(app) -> dict[str, str]:
    names = hashed_names(Path(app.static_folder))
    assert names, "static/vendor/manifest.json is missing: run `make install`"
    return names


def bundle_traces(app, name: str) -> set[str]:
    """The trace types a bundle holds, as its banner names them (scripts/build_assets.sh):
    `* plotly.js (charts: scatter, bar, heatmap - minified) v4.1.1`."""
    with (Path(app.static_folder) / name).open(encoding="utf-8") as bundle:
        head = "".join(bundle.readline() for _ in range(3))
    match = re.search(r"plotly\.js \(\w+: ([\w, ]+) - minified\)", head)
    assert match, head
    return set(match.group(1).split(", "))


def script_sources(response) -> list[str]:
    return re.findall(r'<script\b[^>]*\ssrc="([^"]+)"', response.get_data(as_text=True))


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
    assert match, response.headers["Cache-Control"]
    return int(match.group(1))


def script_tags(response) -> list[str]:
    return re.findall(r"<script\b[^>]*\ssrc=[^>]*>", response.get_data(as_text=True))


def trace_types(response) -> set[str]:
    """The trace types of the page's figures (macros.html `chart` puts each in a JSON block)."""
    blocks = re.findall(
        r'<script type="application/json" id="[^"]*">(.*?)</script>',
        response.get_data(as_text=True),
        re.S,
    )
    return {t.get("type", "scatter") for block in blocks for t in json.loads(block)["data"]}


@pytest.fixture
def chart_pages(make) -> dict[str, tuple[object, str]]:
    """Each page with charts: who sees them (a role or a user) and the bundle it should load."""
    funder = make.funder()
    programme = make.programme(
        funder=funder, starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31)
    )
    site = make.site(latitude=53.79, longitude=-1.75)
    make.participation(programme, site)
    for month in range(1, 7):
        make.monthly_return(site, date(2020, month, 1), job_starts=month % 3)
    make.fidelity_review(site, total=90, reviewed_on=date(2019, 6, 1))
    review = make.fidelity_review(site, total=101, reviewed_on=date(2020, 6, 1))
    visit = Visit(site_id=site.id, visited_on=date.today(), purpose="training", summary="Training")
    make.db.session.add(visit)
    make.db.session.commit()
    funder_user = make.user("funder", funder=funder)
    return {
        f"/programmes/{programme.id}": ("admin", CHARTS),
        f"/programmes/{programme.id}/report": ("admin", CHARTS),
        f"/sites/{site.id}": ("admin", CHARTS),
        f"/fidelity-reviews/{review.id}": ("admin", CHARTS),
        "/visits/activity": ("admin", CHARTS),
        "/funded": (funder_user, CHARTS),
        "/fidelity/profile": ("admin", CHARTS),
        "/map": ("admin", GEO),
    }


def get_as(client, login_as, who, path: str):
    login_as(who)
    response = client.get(path)
    assert response.status_code == 200, path
    return response


def test_each_chart_page_loads_a_bundle_with_just_the_trace_types_pages_draw(
    app, client, login_as, built, chart_pages
) -> None:
    drawn: dict[str, set[str]] = {name: set() for name in BUNDLES}
    for path, (who, bundle) in chart_pages.items():
        response = get_as(client, login_as, who, path)
        scripts = script_sources(response)
        plotly = [src for src in scripts if "plotly" in src and "plotly-csp" not in src]
        assert plotly == [f"/static/{built[bundle]}"], (path, scripts)
        types = trace_types(response)
        assert types, f"{path} has no figure"
        assert types <= bundle_traces(app, bundle), (path, types - bundle_traces(app, bundle))
        drawn[bundle] |= types
        # Plotly's stylesheet (plotly-csp.js links it), by its hashed name too.
        assert f'data-stylesheet="/static/{built["vendor/plotly.css"]}"' in response.get_data(
            as_text=True
        )
    # No trace type that no page draws (scatter is in Plotly's core, whatever the bundle).
    for bundle, types in drawn.items():
        assert bundle_traces(app, bundle) - {"scatter"} <= types, bundle


def test_no_script_blocks_the_parser_and_plotly_runs_before_portal_js(
    client, login_as, chart_pages
) -> None:
    for path, (who, _) in [*chart_pages.items(), ("/account", ("admin", None))]:
        tags = script_tags(get_as(client, login_as, who, path))
        assert tags, path
        for tag in tags:
            if tag == '<script src="/static/js/js-enabled.js">':
                # But one: NHS.UK's snippet as a file (templates/layout.html), which must mark
                # the body before it is drawn; a few bytes, fetched beside the stylesheets.
                continue
            assert re.search(r"\sdefer[\s>]", tag) or 'type="module"' in tag, (path, tag)
            assert " async" not in tag, (path, tag)
        for tag in tags:  # the charts wait for Plotly: ahead of the other deferred scripts
            if re.search(r"/plotly-(?!csp)", tag):
                assert 'fetchpriority="high"' in tag, (path, tag)
        # Deferred and module scripts run in document order: the charts' module after Plotly.
        sources = [re.search(r'src="([^"]+)"', tag).group(1) for tag in tags]
        portal = next(i for i, src in enumerate(sources) if src.endswith("/js/portal.js"))
        assert all(i < portal for i, src in enumerate(sources) if "plotly" in src), sources


def test_the_map_preloads_its_outlines_from_our_static_folder(client, login_as, make) -> None:
    make.site(latitude=53.79, longitude=-1.75)
    login_as("admin")
    page = client.get("/map").get_data(as_text=True)
    assert 'data-topojson-url="/static/vendor/topojson/"' in page
    # The file Plotly asks for: scope and resolution of the figure's geo, fetched with the page.
    (figure,) = re.findall(r'<script type="application/json" id="[^"]*">(.*?)</script>', page, re.S)
    geo = json.loads(figure)["layout"]["geo"]
    outlines = f"/static/vendor/topojson/{geo['scope']}_{geo['resolution']}m.json"
    assert f'<link rel="preload" href="{outlines}" as="fetch" crossorigin>' in page
    response = client.get(outlines, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"


def test_a_page_without_charts_loads_no_plotly(client, login_as) -> None:
    login_as("admin")
    scripts = script_sources(client.get("/account"))
    assert not any("plotly" in src for src in scripts), scripts


@pytest.mark.parametrize("name", BUNDLES)
def test_a_plotly_bundle_asks_v8_to_compile_it_while_it_streams_in(app, built, name) -> None:
    """V8's compile-hints comment, first in the file: Chromium compiles the whole bundle on a
    background thread as it downloads, not function by function on the main thread as Plotly
    starts (bench/first_chart.py: 260 ms of main-thread time down to 30)."""
    static = Path(app.static_folder)
    for path in (static / name, static / built[name]):
        with path.open("rb") as bundle:
            assert bundle.readline() == b"//# allFunctionsCalledOnLoad\n", path


def test_what_portal_js_imports_is_fetched_beside_it(app, client, login_as) -> None:
    script = (Path(app.static_folder) / "js" / "portal.js").read_text(encoding="utf-8")
    imported = re.findall(r'^import\b[^;]*?\bfrom\s+"([^"]+)"', script, re.M | re.S)
    assert imported
    login_as("admin")
    page = client.get("/account").get_data(as_text=True)
    for specifier in imported:
        url = urljoin("/static/js/portal.js", specifier)
        assert f'<link rel="modulepreload" href="{url}">' in page, url
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "name", [CHARTS, GEO, "vendor/plotly.css", "vendor/nhsuk/nhsuk-frontend.min.css"]
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
        assert int(response.headers["Content-Length"]) < 0.4 * len(plain)
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
        url = app.jinja_env.globals["asset_url"](CHARTS)
    assert url == f"/static/{CHARTS}"
