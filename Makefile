# The two commands of the quick start are `make run` and `make test`; everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on as many workers as the machine has cores (2 on CI); JOBS=0 runs it in one process.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test install setup lint format bench bench-load clean

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Idempotent: re-running migrates, loads changed definitions as new versions and keeps every existing row.
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_credentials
	$(PY) manage.py load_calibration_samples
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0

# The server production runs (gunicorn, threaded; WhiteNoise serves the static files collected above).
SERVE := $(VENV)/bin/gunicorn --config python:microcred.gunicorn_config microcred.wsgi

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	PORT=$(PORT) $(SERVE)

test: install
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

# lint-imports checks the layers contract in pyproject.toml: each app imports only the apps below it.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

# 50 educators autosaving at once for 60 s, against `make run`'s server on SQLite and the production profile
# on the local PostgreSQL; each on a throwaway database. BENCH_ARGS="--seconds 10 --target sqlite" for less.
BENCH_ARGS ?=
bench-load: install
	$(PY) bench/load_autosave.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var

# Production, from a checkout: install from the lock, migrate, collect the static files, load the programs,
# create any missing issuer keys and run the deploy checks (ops/management/commands/production_setup.py).
# Needs the production variables (README, "Running it in production"); safe to re-run on every deploy.
.PHONY: production-setup
production-setup: install
	$(PY) manage.py production_setup
