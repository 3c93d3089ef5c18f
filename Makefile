# Actives: `make run` starts the platform, `make test` runs every check. Nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
export ACTIVES_HOME ?= $(CURDIR)/var
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_ENV  := ACTIVES_ENV=test ACTIVES_HOME=$(CURDIR)/var/test DATABASE_URL=
LINT_PATHS := src tests benchmarks scripts

.PHONY: help run install install-test test lint typecheck unit-sqlite test-postgres browser-deps messages doctor clean pack bench models

help:
	@echo "make run    - install, migrate, create the first admin, serve http://127.0.0.1:8000 + worker"
	@echo "make test   - install test needs and run lint, types, unit, database (SQLite + PostgreSQL), API and browser tests"
	@echo "make doctor - check the installation"
	@echo "make pack   - build the reference data pack from ACTIVES_RAW_DATA"
	@echo "make bench  - run the benchmarks and update docs/benchmarks.md"
	@echo "make messages - extract and compile the Korean translations (needs GNU gettext)"

$(PY):
	@py=$$(scripts/find-python.sh) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/actives serve

doctor: install
	$(BIN)/actives doctor

browser-deps:
	@scripts/install-browser.sh

lint: install-test
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install-test
	$(TEST_ENV) $(BIN)/mypy src

# Everything (unit, database, API, browser) on the embedded SQLite database.
unit-sqlite: install-test browser-deps
	$(TEST_ENV) $(BIN)/pytest

# The database tests again on PostgreSQL; required when CI=true, skipped with a notice otherwise.
test-postgres: install-test
	@if ACTIVES_TEST_POSTGRES_URL=$(POSTGRES_TEST_URL) $(PY) scripts/postgres-available.py; then \
	  echo "Running the database tests on PostgreSQL ($(POSTGRES_TEST_URL))"; \
	  ACTIVES_ENV=test ACTIVES_HOME=$(CURDIR)/var/test DATABASE_URL=$(POSTGRES_TEST_URL) \
	    $(BIN)/pytest -m "django_db and not browser" -p no:cacheprovider; \
	elif [ "$$CI" = "true" ]; then \
	  echo "ERROR: PostgreSQL is required when CI=true."; exit 1; \
	else \
	  echo "NOTE: PostgreSQL is not reachable, so the database tests on PostgreSQL are SKIPPED (they ran on SQLite)."; \
	fi

test: lint typecheck unit-sqlite test-postgres

messages: install-test
	cd src/actives/web && ../../../$(BIN)/django-admin makemessages -l ko --settings=actives.web.settings --ignore="*/migrations/*" --no-obsolete
	cd src/actives/web && msgfmt --check -o locale/ko/LC_MESSAGES/django.mo locale/ko/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) var/test .mypy_cache .ruff_cache .pytest_cache

# Reference data pack from ACTIVES_RAW_DATA (default ../shared/data); several minutes on 2 cores.
pack: install
	$(BIN)/actives data build

# Speed and memory measurements, written to docs/benchmarks.md (never part of `make test`).
bench: install
	$(PY) benchmarks/knowledge_pack.py

# Retrain the shipped models from ACTIVES_RAW_DATA into src/actives/resources/models (minutes).
models: install
	$(PY) -c "from pathlib import Path; from actives.config import get_settings; \
	from actives.predict.shipped import train_shipped; \
	print(train_shipped(get_settings().raw_data, Path('src/actives/resources/models')))"
