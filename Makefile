# make run  — install dtlab in .venv and open the terminal UI on the default database
# make test — install dtlab with its test tools, run the whole suite, then check the wheel installs
# make bench — the performance figures against their baselines (makes and caches demo databases),
#              on SQLite and, beside it, on PostgreSQL ($DTLAB_BENCH_POSTGRESQL, else a local server)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint bench clean wheel-check hq-try hq-stop messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps record which extras are installed; they are redone when the pins or metadata change.
$(VENV)/.stamp-base: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-base
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $@

# The linters only where they are asked for: mypy alone took a sixth of a clean clone's make test.
$(VENV)/.stamp-lint: $(VENV)/.stamp-test
	$(PIP) install -c constraints.txt -e '.[test,lint]'
	touch $@

run: $(VENV)/.stamp-base
	$(BIN)/dtlab

# The suite on SQLite and, for the tests marked both_databases, on PostgreSQL (a throwaway local
# server when $DTLAB_TEST_POSTGRESQL names none), with the wheel check alongside: see the script.
test: $(VENV)/.stamp-test
	BIN=$(BIN) VENV=$(VENV) bash tools/run_tests.sh

# Build the wheel, install it alone in a fresh environment and run the command-line contract from it.
wheel-check: $(VENV)/.stamp-test
	$(BIN)/python tools/wheel_check.py

# HQ on PostgreSQL on this machine, to try it: a throwaway local server (tools/pg_local.py, no
# fsync: never for data anyone keeps) with a database at the current schema, site HQ and demo
# data. It prints the URL to give dtlab; `make hq-stop` stops the server and removes it.
HQ_DIR ?= /tmp/dtlab-hq
hq-try: $(VENV)/.stamp-test
	@$(BIN)/python tools/pg_local.py start $(HQ_DIR) > /dev/null && \
	hq=$$($(BIN)/python tools/pg_local.py createdb $(HQ_DIR) dtlab_hq) && \
	$(BIN)/dtlab --db "$$hq" db upgrade && $(BIN)/dtlab --db "$$hq" init --site HQ && \
	$(BIN)/dtlab --db "$$hq" demo --cases 500 && \
	echo "HQ on PostgreSQL: $(BIN)/dtlab --db $$hq   (make hq-stop when done)"

hq-stop:
	@$(BIN)/python tools/pg_local.py stop $(HQ_DIR) && rm -rf $(HQ_DIR) && echo "stopped; $(HQ_DIR) removed"

# The PostgreSQL figures need its driver (the `postgres` extra); without a server they are skipped.
$(VENV)/.stamp-postgres: $(VENV)/.stamp-base
	$(PIP) install -c constraints.txt -e '.[postgres]'
	touch $@

bench: $(VENV)/.stamp-postgres
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The catalogues (docs/translating.md): extract every marked word from the code into the template,
# bring each language's .po up to it (new words untranslated, gone ones dropped), compile the .mo
# files dtlab reads. The .mo files are committed so an install needs no build step; a test holds
# them equal to their .po.
LOCALES := ar es fr ru zh
messages: $(VENV)/.stamp-base
	$(BIN)/pybabel -q extract -F tools/babel.cfg --no-location --sort-output --add-comments=Translators: \
		--project=dtlab --copyright-holder="ITU Digital Transformation Lab" -o dtlab/locale/dtlab.pot dtlab
	@# Only the extraction's date changed: keep the template as it was, so the catalogues do not
	@# change either (every run rewrote all five, and their .mo, for a date).
	@git diff --quiet -I '^"POT-Creation-Date' -- dtlab/locale/dtlab.pot 2>/dev/null && \
		git checkout -q -- dtlab/locale/dtlab.pot 2>/dev/null || true
	for l in $(LOCALES); do test -f dtlab/locale/$$l/LC_MESSAGES/dtlab.po || \
		$(BIN)/pybabel -q init -i dtlab/locale/dtlab.pot -d dtlab/locale -D dtlab -l $$l; done
	$(BIN)/pybabel -q update -i dtlab/locale/dtlab.pot -d dtlab/locale -D dtlab --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel compile -d dtlab/locale -D dtlab --statistics

lint: $(VENV)/.stamp-lint
	$(BIN)/ruff check dtlab tests
	$(BIN)/mypy dtlab
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
