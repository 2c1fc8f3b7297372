# The two set-up commands on a new machine are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HASH   := $(shell sha256sum pyproject.toml | cut -c1-12)
APP    := $(VENV)/.installed-app-$(HASH)
STAMP  := $(VENV)/.installed-test-$(HASH)

.PHONY: run test lint lab-up lab-down clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# The app alone for `make run`; the test extra (which includes test-only tools such as fakepve)
# only for `make test`. A stamp per pyproject.toml content re-installs after it changes.
$(APP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.installed-app-*
	touch $@

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(APP) $@

## run: create .venv if missing, install the app and start the GUI
run: $(APP)
	$(VENV)/bin/ocv-desktop

## test: install system packages and the venv, then run the whole suite (lint included)
test:
	./scripts/install-system-deps.sh
	$(MAKE) --no-print-directory $(STAMP)
	$(VENV)/bin/ruff check ocv_desktop tests
	$(PY) -m pytest -q --cov --cov-report=

## lab-up: start the test lab (sshd, dockerd, incusd, LXD, fakepve) in the background, as root,
##         and write a home dir with its nodes (LAB_HOME, default /tmp/ocv-lab-home)
LAB_HOME ?= /tmp/ocv-lab-home
lab-up: $(STAMP)
	./scripts/install-system-deps.sh
	$(PY) -m tests.lab up --home $(LAB_HOME)

## lab-down: stop that lab by the PIDs it recorded
lab-down:
	$(PY) -m tests.lab down --home $(LAB_HOME)

lint: $(STAMP)
	$(VENV)/bin/ruff check ocv_desktop tests

clean:
	rm -rf $(VENV) build dist *.egg-info
