# Bruggen: `make run` serves the demo site, `make test` runs the checks and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432
PSQL ?= psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d postgres

.PHONY: run test test-postgres lint install translations bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Compiled catalogues (.mo) are build output; the .po files are the source.
translations: install
	$(BIN)/pybabel compile -q -d translations

run: translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# In CI (CI=true) the whole suite runs a second time against a fresh PostgreSQL database.
test: lint translations
	$(BIN)/pytest
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-postgres: translations
	@db=bruggen_test_$$(date +%s)_$$$$; \
	echo "PostgreSQL pass on database $$db"; \
	$(PSQL) -c "CREATE DATABASE $$db" || exit 1; \
	TEST_DATABASE_URL=$(PG_URL)/$$db $(BIN)/pytest; rc=$$?; \
	$(PSQL) -c "DROP DATABASE $$db WITH (FORCE)"; \
	exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
