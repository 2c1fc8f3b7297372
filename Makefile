# The two set-up commands on a new machine are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test lint lab-up lab-down clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

## run: create .venv if missing, install the app and start the GUI
run: $(STAMP)
	$(VENV)/bin/ocv-desktop

## test: install system packages and the venv, then run the whole suite (lint included)
test:
	./scripts/install-system-deps.sh
	$(MAKE) --no-print-directory $(STAMP)
	$(VENV)/bin/ruff check ocv_desktop tests
	$(PY) -m pytest -q

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
