# The two commands of the quick start are `make run` and `make test`; everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on as many workers as the machine has cores (2 on CI); JOBS=0 runs it in one process. A worker
# that runs out of tests takes some from another's queue (worksteal), so a long test near the end of one queue
# does not leave the other core idle.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test install install-dev setup lint format bench bench-load clean messages

# Where the machine sets PYTHONDONTWRITEBYTECODE, each of the many Python processes a run or a test run starts
# (servers, commands, the test workers) would compile the project's modules again: about 0.6 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE

# Two locks, both from pyproject.toml (README, "Developing"): requirements.lock is what running needs
# (`make run`, production), requirements-dev.lock adds the test and lint tools on the same pins.
# uv installs them in seconds where it is on PATH; pip does the same job, slower, where it is not.
# (--seed puts pip in the virtualenv all the same, for a later run without uv. --compile-bytecode does what pip
# does: without it, where PYTHONDONTWRITEBYTECODE is set, every start compiles Django again, 7 s of each setup.)
ifneq ($(shell command -v uv 2>/dev/null),)
VENV_CREATE = uv venv --quiet --seed --clear --python $(PYTHON) $(VENV)
PIP_INSTALL = uv pip install --quiet --compile-bytecode --python $(PY) -r
else
VENV_CREATE = $(PYTHON) -m venv $(VENV)
PIP_INSTALL = $(PY) -m pip install --quiet --disable-pip-version-check -r
endif

# $(call stage,what is happening,command): one line before a step that can be slow, its seconds after it.
stage = @printf '%s\n' '$(1)…'; t0=$$(date +%s); $(2) && echo "  ($$(( $$(date +%s) - t0 )) s)"

$(VENV)/.installed: requirements.lock
	$(call stage,Installing the runtime packages (first run only),(test -x $(PY) || $(VENV_CREATE)) && $(PIP_INSTALL) requirements.lock)
	@touch $@

# The dev lock holds the runtime pins too, so after it the runtime stamp is up to date as well.
$(VENV)/.installed-dev: requirements-dev.lock requirements.lock
	$(call stage,Installing the runtime and development packages (first time only),(test -x $(PY) || $(VENV_CREATE)) && $(PIP_INSTALL) requirements-dev.lock)
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Idempotent: re-running migrates, loads changed definitions as new versions and keeps every existing row.
setup: install
	$(PY) -m core.locale
	$(call stage,Migrating the database,$(PY) manage.py database_setup --verbosity 0)
	$(call stage,Loading the programs,$(PY) manage.py load_credentials && $(PY) manage.py load_calibration_samples)
	$(call stage,Seeding demo accounts,$(PY) manage.py seed_demo)
	$(call stage,Collecting static files,$(PY) manage.py collectstatic --noinput --verbosity 0)

# The server production runs (gunicorn, threaded; WhiteNoise serves the static files collected above).
SERVE := $(VENV)/bin/gunicorn --config python:microcred.gunicorn_config microcred.wsgi

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	PORT=$(PORT) $(SERVE)

test: install-dev
	$(PY) -m core.locale
	$(PY) -m pytest -n $(JOBS) --dist worksteal $(PYTEST_ARGS)

# lint-imports checks the layers contract in pyproject.toml: each app imports only the apps below it.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# One table of every figure as a ratio to its reference measured in the same run (bench/run.py); BENCH=quick for a
# shorter run. The Digital Bazaar reference is installed from npm into ~/.cache/microcred-bench the first time.
BENCH ?=
bench: install-dev
	$(PY) bench/run.py $(if $(filter quick,$(BENCH)),--quick)

# 50 educators autosaving at once for 60 s, against `make run`'s server on SQLite and the production profile
# on the local PostgreSQL; each on a throwaway database. BENCH_ARGS="--seconds 10 --target sqlite" for less.
BENCH_ARGS ?=
bench-load: install-dev
	$(PY) bench/load_autosave.py $(BENCH_ARGS)

# The Spanish catalog brought up to date with the code (needs GNU gettext's xgettext); README, "Developing".
messages: install-dev
	$(PY) manage.py update_translations

clean:
	rm -rf $(VENV) var

# Production, from a checkout: install from the lock, migrate, collect the static files, load the programs,
# create any missing issuer keys and run the deploy checks (ops/management/commands/production_setup.py).
# Needs the production variables (README, "Running it in production"); safe to re-run on every deploy.
.PHONY: production-setup
production-setup: install
	$(PY) -m core.locale
	$(PY) manage.py production_setup
