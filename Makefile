# Two commands for a newcomer: `make run` (the demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: install run db demo test test-postgres lint clean bench drills i18n-extract i18n-update i18n-compile i18n-check

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

db: install
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

# The outbox worker runs in the background (mail goes to instance/mail/*.eml unless MAIL_SERVER is set)
# and is stopped when the server stops.
run: demo
	$(BIN)/flask outbox work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (the database is emptied first).
test-postgres: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest $(PYTEST_ARGS)

# ruff, then the import contracts of pyproject.toml (views -> services -> models; calendar builders pure;
# mail never imports views), checked by import-linter.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Translations (app/translations, domain "messages"; the compiled .mo files are committed, so a fresh machine
# needs none of these). After changing or adding strings: extract, update, translate every .po, compile.
I18N_DIR := app/translations
I18N_EXTRACT := -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output --no-wrap
i18n-extract: install
	$(BIN)/pybabel -q extract $(I18N_EXTRACT) --project="MPF Events" -o $(I18N_DIR)/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel -q update -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) --no-wrap --ignore-obsolete

i18n-compile: install
	$(BIN)/pybabel -q compile -d $(I18N_DIR) --statistics

# Fails when messages.pot is out of date with the code, a language has a missing, untranslated or fuzzy
# message, or a compiled .mo differs from its .po (CI runs it).
i18n-check: install
	$(BIN)/python -m app.i18n_check

clean:
	rm -rf $(VENV) instance/events.sqlite* instance/mail

# Throughput of each page as a ratio to /healthz under gunicorn, on PostgreSQL (database `bench`) and
# SQLite; writes bench/results/results.md and results.png. Not part of `make test`.
bench: install $(BIN)/.bench-installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

$(BIN)/.bench-installed: requirements-bench.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

# Load and fault drills on loopback against a throwaway PostgreSQL cluster (`drills`, port 5433, created
# on first use); exits non-zero when a promise breaks. Not part of `make test`. DRILLS="db_restart bad_input"
drills: install
	$(BIN)/python -m drills.run $(DRILLS)
