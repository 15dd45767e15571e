# Bruggen: `make run` serves the demo site, `make test` runs the checks and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# PostgreSQL server for the CI pass and for `make migration` (user postgres, no password).
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432
PG_DSN ?= host=127.0.0.1 port=5432 user=postgres dbname=postgres
# The PostgreSQL pass makes a database named $(PG_TEST_DB)_<time>_<pid>; under xdist each
# worker makes and drops its own next to it (<name>_gw0, <name>_gw1: tests/conftest.py).
PG_TEST_DB ?= bruggen_test
# pytest-xdist workers per pass (this is a 2-core machine; tests/e2e and tests/scaleout
# each stay on one worker).
PYTEST_WORKERS ?= 2
# Runs one SQL statement on the server (psycopg from the virtualenv: no psql needed).
PG_EXEC = $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], autocommit=True).execute(sys.argv[2])' "$(PG_DSN)"

.PHONY: run test test-postgres lint install lock translations translations-update migration clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# The virtualenv gets the exact versions of requirements.lock (the app with its `dev` and `demo`
# extras; hashes checked), then Bruggen itself without touching them. A changed lock or
# pyproject.toml reinstalls.
LOCK := requirements.lock
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# After changing the dependencies in pyproject.toml (which keeps the ranges): make lock, then
# commit requirements.lock. Versions already in the lock stay unless the ranges exclude them;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed release,
# `make lock LOCK_ARGS="--upgrade-package flask"` one package. uv reads no pip or uv
# configuration here (--no-config), so the hashes are those of the public index's files, for
# CI's Python (3.11) on Linux x86_64 whoever runs it.
LOCK_ARGS ?=
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra demo --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu --no-config \
		--custom-compile-command "make lock" --quiet --output-file $(LOCK) $(LOCK_ARGS)

# Compiled catalogues (.mo) are build output; the .po files are the source.
translations: install
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d translations; \
	else echo "Nog geen vertalingen in translations/: niets te compileren."; fi

# Migrate, load the demo (only what is missing) and serve on http://127.0.0.1:5000.
run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# mypy checks the packages listed in pyproject.toml's [tool.mypy] (cache in .mypy_cache).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# axe-core for the accessibility checks of tests/e2e (pinned in tests/e2e/package-lock.json).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --silent
	touch $@

# Mozilla's ical.js for tests/events/test_ical_interop.py (pinned in tests/js/package-lock.json).
ICALJS := tests/js/node_modules/ical.js/package.json
$(ICALJS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $@

# Runs pytest with the arguments $(1) and prints how long the pass $(2) took. Any exit
# status but 0 fails the target, 5 ("no tests collected") included.
PYTEST_PASS = start=$$(date +%s); $(BIN)/pytest -n $(PYTEST_WORKERS) $(1); rc=$$?; \
	echo "$(2) pass: $$(( $$(date +%s) - start )) s (pytest exit status $$rc)"; \
	if [ $$rc -eq 5 ]; then echo "$(2) pass: pytest collected no tests"; fi

# In CI (CI=true) the whole suite runs a second time against a fresh PostgreSQL database,
# with only the browser tests marked both_databases (the others run once, on SQLite; .ci/run
# installs Debian's chromium) and without tests/scaleout (it always makes its own
# PostgreSQL database: once is enough).
test: lint translations $(AXE) $(ICALJS)
	@$(call PYTEST_PASS,,SQLite); exit $$rc
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-postgres: translations $(AXE) $(ICALJS)
	@db=$(PG_TEST_DB)_$$(date +%s)_$$$$; \
	echo "PostgreSQL pass on database $$db"; \
	$(PG_EXEC) "CREATE DATABASE $$db" || exit 1; \
	export TEST_DATABASE_URL=$(PG_URL)/$$db; \
	$(call PYTEST_PASS,--ignore=tests/scaleout,PostgreSQL); \
	$(PG_EXEC) "DROP DATABASE $$db WITH (FORCE)"; \
	exit $$rc

# A new revision from the models: make migration m="add signals". Autogenerate runs
# against a throw-away PostgreSQL database upgraded to head (SQLite cannot compare
# expression indexes such as lower(email)). Read the generated file before committing.
migration: install
	@test -n "$(m)" || { echo 'Usage: make migration m="what changes"'; exit 2; }
	@db=bruggen_migration_$$(date +%s)_$$$$; \
	$(PG_EXEC) "CREATE DATABASE $$db" || exit 1; \
	DATABASE_URL=$(PG_URL)/$$db $(FLASK) db upgrade && \
	DATABASE_URL=$(PG_URL)/$$db $(FLASK) db migrate -m "$(m)"; rc=$$?; \
	$(PG_EXEC) "DROP DATABASE $$db WITH (FORCE)"; \
	exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Benchmark (issue 8, bench/run.py): seeds fresh databases at 1x, 4x and 16x (2,000 activities,
# 20,000 registrations... at 1x), times every page in-process at each scale, serves 1x with
# gunicorn and loads it with wrk next to a floor app; prints the tables and writes
# bench/results.md. Knobs: BENCH_SECONDS (wrk per URL), BENCH_SCALES, DATABASE_URL (a
# PostgreSQL server: fresh databases are made there and dropped), REDIS_URL (passed to the
# app; unset by default). Quick try: make bench BENCH_SECONDS=2 BENCH_SCALES=1
BENCH_SECONDS ?= 5
BENCH_SCALES ?= 1,4,16
bench: translations
	@command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	BENCH_SECONDS=$(BENCH_SECONDS) BENCH_SCALES=$(BENCH_SCALES) $(BIN)/python -m bench.run

# After changing UI strings: refresh the catalogues, then translate the new
# entries in translations/en (the Dutch catalogue repeats the Dutch source).
translations-update: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__ node_modules" -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m community.core.i18n_tools fill-source translations/nl/LC_MESSAGES/messages.po
