# The two set-up commands: `make run` and `make test`. Everything they need is installed here.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app portal

.PHONY: install run test lint chromium libreoffice redis clean bench

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

# Debian's LibreOffice Calc, headless, for the test that opens every XLSX download in it
# (tests/programme/reports/test_xlsx_in_calc.py): about 300 MB, half a minute.
libreoffice:
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null; fi; }

# Debian's redis-server, for the test that counts logins of two workers in one Redis
# (tests/accounts/test_login_limits.py starts a server of its own on a free port).
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null; fi; }

# `make run PORT=5001` when 5000 is taken. A local SMTP server (core/mail_server.py) runs beside the
# app on MAIL_PORT and stops with it: each e-mail (invitations, password resets) is printed with
# its links and saved in instance/mail/.
PORT ?= 5000
MAIL_PORT ?= 8025

run: install
	PORTAL_CONFIG=development $(FLASK) db upgrade
	PORTAL_CONFIG=development $(FLASK) demo load --if-empty
	PORTAL_CONFIG=development $(FLASK) demo logins
	@$(PY) -m core.mail_server --port $(MAIL_PORT) --directory instance/mail & mail=$$!; \
	  trap 'kill $$mail 2>/dev/null' EXIT INT TERM; \
	  PORTAL_CONFIG=development MAIL_HOST=127.0.0.1 MAIL_PORT=$(MAIL_PORT) MAIL_TLS=none \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The suite runs in parallel, one worker per core, each file on one worker (PYTEST_WORKERS=0 for serial).
PYTEST_WORKERS ?= auto

test: lint chromium libreoffice redis
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

bench: install chromium
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.run --size $(SIZE) --database $(BENCH_DATABASE)
