# The two set-up commands: `make run` and `make test`. Everything they need is installed here.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app portal

.PHONY: install run test lint chromium clean bench

install: $(VENV)/.installed static/vendor/.built

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed $(VENV)/.installed scripts/build_assets.sh \
    scripts/plotly_csp.py scripts/fingerprint_assets.py static/scss/nhsuk.scss
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

# The suite runs in parallel, one worker per core, each file on one worker (PYTEST_WORKERS=0 for serial).
PYTEST_WORKERS ?= auto

test: lint chromium
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The layers (import-linter, contracts in pyproject.toml) and types (mypy, strict on core/ and the
# pure maths modules) are part of lint, and lint is part of test.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) node_modules static/vendor

# The benchmark (bench/README.md): `make bench` (under 15 minutes) or `make bench SIZE=small`
# (under a minute). PostgreSQL runs in a database named `bench` on BENCH_DATABASE_URL's server.
SIZE ?= default
BENCH_DATABASE ?= both
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.run --size $(SIZE) --database $(BENCH_DATABASE)
