# The two set-up commands: `make run` and `make test`. Everything they need is installed here.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app portal

.PHONY: install run test lint chromium clean

install: $(VENV)/.installed static/vendor/.built

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed $(VENV)/.installed scripts/build_assets.sh static/scss/nhsuk.scss
	PYTHON=$(PY) bash scripts/build_assets.sh
	touch $@

# Debian's Chromium for the browser tests (never `playwright install`: it downloads its own build).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

run: install
	PORTAL_CONFIG=development $(FLASK) db upgrade
	PORTAL_CONFIG=development $(FLASK) demo load --if-empty
	PORTAL_CONFIG=development $(FLASK) demo logins
	PORTAL_CONFIG=development $(FLASK) run --host 127.0.0.1 --port 5000

test: install chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules static/vendor
