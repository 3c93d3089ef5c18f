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

.PHONY: help run install install-test test lint typecheck unit-sqlite test-postgres browser-deps pdf-deps messages doctor clean pack bench bench-peers bench-screen models

help:
	@echo "make run    - install, migrate, create the first admin, serve http://127.0.0.1:8000 + worker"
	@echo "make test   - install test needs and run lint, types, unit, database (SQLite + PostgreSQL), API and browser tests"
	@echo "make doctor - check the installation"
	@echo "make pack   - build the reference data pack from ACTIVES_RAW_DATA"
	@echo "make bench  - run the benchmarks and update docs/benchmarks.md (run make bench-peers first)"
	@echo "make bench-peers - install Chemprop and ADMET-AI (PyPI) into var/bench/peers-venv for the benchmarks"
	@echo "make bench-screen - library screening throughput and memory (SCREEN_ARGS=\"--n 100000\" for a shorter run)"
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

run: install pdf-deps
	$(BIN)/actives serve

doctor: install
	$(BIN)/actives doctor

browser-deps:
	@scripts/install-browser.sh

# A Korean font and HarfBuzz's subsetter for PDF reports (Debian packages; a notice without root).
pdf-deps:
	@scripts/install-fonts.sh

lint: install-test
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install-test
	$(TEST_ENV) $(BIN)/mypy src

# Everything (unit, database, API, browser) on the embedded SQLite database.
unit-sqlite: install-test browser-deps pdf-deps
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

# Speed, memory and accuracy measurements, written to docs/benchmarks.md (never part of
# `make test`). model_accuracy (Chemprop included) takes about an hour and a half on 2 cores.
bench: install
	$(PY) benchmarks/knowledge_pack.py
	nice -n 10 $(PY) benchmarks/model_accuracy.py
	$(PY) benchmarks/predict_throughput.py
	$(PY) benchmarks/sensitisation.py
	$(PY) benchmarks/regulation.py
	$(PY) benchmarks/qpcr_cq.py
	$(PY) benchmarks/qpcr_quality.py
	$(PY) benchmarks/qpcr_plate.py

# Library screening throughput and memory against the parse+fingerprint floor, written to
# docs/benchmarks.md: 1,000,000 molecules by default (about 1.5 h on 2 cores); SCREEN_ARGS="--n 100000".
SCREEN_ARGS ?=
bench-screen: install
	$(PY) benchmarks/screening_throughput.py $(SCREEN_ARGS)

# The peer tools the benchmarks compare against, from PyPI only, in their own venv (never ours):
# Chemprop v2 and ADMET-AI need torch; the only local torch wheel is 2.13.0 for CPython 3.11
# (any other torch spec would download a multi-GB CUDA build), so torch goes in first, pinned.
PEERS_VENV   := var/bench/peers-venv
PEERS_PYTHON ?= /root/.pyenv/versions/3.11.7/bin/python
PEERS_CHECK  := var/bench/peers-check
bench-peers:
	@test -x $(PEERS_VENV)/bin/python || $(PEERS_PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/pip install --quiet torch==2.13.0
	$(PEERS_VENV)/bin/pip install --quiet chemprop admet-ai
	@$(PEERS_VENV)/bin/python -c "import torch, chemprop, admet_ai; \
	assert torch.__version__ == '2.13.0+cpu', f'pip replaced torch: {torch.__version__}'; \
	print('torch', torch.__version__, '| chemprop', chemprop.__version__)"
	@echo "ADMET-AI, offline (no network namespace): its models ship in the PyPI package"
	@unshare -n $(PEERS_VENV)/bin/python -c "from admet_ai import ADMETModel; \
	p = ADMETModel().predict(smiles=['CCO', 'Oc1ccccc1']); \
	assert p.shape[0] == 2, p.shape; print('ADMET-AI OK:', p.shape[1], 'properties')" 2>/dev/null \
	|| { echo "ADMET-AI check failed (unshare -n needs root; retrying with the network)"; \
	$(PEERS_VENV)/bin/python -c "from admet_ai import ADMETModel; \
	print('ADMET-AI OK:', ADMETModel().predict(smiles=['CCO']).shape[1], 'properties')" 2>/dev/null; }
	@echo "Chemprop CLI: train 3 epochs on a toy set we generate, then predict"
	@rm -rf $(PEERS_CHECK) && mkdir -p $(PEERS_CHECK)
	@$(PEERS_VENV)/bin/python -c "import csv; w = csv.writer(open('$(PEERS_CHECK)/toy.csv', 'w')); \
	w.writerow(['smiles', 'value']); \
	[w.writerow(['C' * n + 'O' * k, n + 0.5 * k]) for n in range(1, 16) for k in range(3)]"
	$(PEERS_VENV)/bin/chemprop train -i $(PEERS_CHECK)/toy.csv -s smiles --target-columns value \
	  --epochs 3 -n 0 -o $(PEERS_CHECK)/model > $(PEERS_CHECK)/train.log 2>&1
	$(PEERS_VENV)/bin/chemprop predict -i $(PEERS_CHECK)/toy.csv -s smiles -n 0 \
	  --model-paths $(PEERS_CHECK)/model/model_0/best.pt -o $(PEERS_CHECK)/preds.csv \
	  > $(PEERS_CHECK)/predict.log 2>&1
	@test $$(wc -l < $(PEERS_CHECK)/preds.csv) -eq 46 && echo "Chemprop CLI OK (train + predict)"

# Retrain the shipped models (value models, the sensitisation classifiers, the qPCR
# curve-quality classifier) from ACTIVES_RAW_DATA into src/actives/resources/models (minutes).
models: install
	$(PY) -c "from pathlib import Path; from actives.config import get_settings; \
	from actives.predict.shipped import train_shipped; \
	print(train_shipped(get_settings().raw_data, Path('src/actives/resources/models')))"
	$(PY) -c "from pathlib import Path; from actives.config import get_settings; \
	from actives.safety.models import train_sensitisation_models; \
	print(train_sensitisation_models(get_settings().raw_data, Path('src/actives/resources/models')))"
	$(PY) -m actives.assays.qpcr.quality
