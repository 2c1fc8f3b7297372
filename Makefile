# The two set-up commands on a new machine are `make run` and `make test` (see README.md).
# Python packages come from the hashed locks in requirements/ (never straight from PyPI ranges):
# what a fresh clone installs is exactly what CI tested. `make lock` refreshes them on purpose.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
APP_LOCK  := requirements/app.lock
TEST_LOCK := requirements/test.lock
HASH   := $(shell cat pyproject.toml $(APP_LOCK) $(TEST_LOCK) | sha256sum | cut -c1-12)
APP    := $(VENV)/.installed-app-$(HASH)
STAMP  := $(VENV)/.installed-test-$(HASH)
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint lock test-latest package bench lab-up lab-down clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The app alone for `make run`; the test lock (which adds test-only tools such as fakepve and the
# packaging tools) only for `make test` and `make package`. A stamp per lock content re-installs
# after a lock changes. --no-deps: the lock is the whole closure, nothing unlisted may come in.
$(APP): pyproject.toml $(APP_LOCK) | $(VENV)/bin/python
	$(PIP) install -q --require-hashes --no-deps -r $(APP_LOCK)
	$(PIP) install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-app-*
	touch $@

$(STAMP): pyproject.toml $(TEST_LOCK) | $(VENV)/bin/python
	$(PIP) install -q --require-hashes --no-deps -r $(TEST_LOCK)
	$(PIP) install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(APP) $@

## run: create .venv if missing, install the app and start the GUI
run: $(APP)
	$(VENV)/bin/ocv-desktop

## test: install system packages and the venv, then run the whole suite (lint included)
test:
	./scripts/install-system-deps.sh
	$(MAKE) --no-print-directory $(STAMP)
	$(VENV)/bin/ruff check ocv_desktop tests benchmarks packaging
	$(VENV)/bin/mypy
	$(PY) -m pytest -q --cov --cov-report=

## lint: ruff, and mypy with the settings in pyproject.toml (strict below ui/, lenient in ui/)
lint: $(STAMP)
	$(VENV)/bin/ruff check ocv_desktop tests benchmarks packaging
	$(VENV)/bin/mypy

## lock: re-resolve requirements/*.lock after pyproject.toml changed, keeping every pin that still
##       fits; `make lock UPGRADE=1` takes the newest releases within pyproject's ranges instead.
##       The test lock is resolved first; the app lock is held to the same versions.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) --extra test pyproject.toml requirements/build.in -o $(TEST_LOCK)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) pyproject.toml requirements/build.in -c $(TEST_LOCK) -o $(APP_LOCK)
	@echo "locks refreshed: review 'git diff requirements/', run 'make test', commit"

## test-latest: the suite against the newest releases pyproject.toml allows (not in CI: it shows
##              drift on purpose, before `make lock` takes it in). Uses its own venv.
test-latest:
	./scripts/install-system-deps.sh
	test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[test]'
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest -q -p no:cacheprovider

## package: the PyInstaller bundle, the .deb and the self-extracting .run, into dist/
package:
	./scripts/install-system-deps.sh package
	$(MAKE) --no-print-directory $(STAMP)
	PYTHON=$(abspath $(PY)) ./packaging/linux/build.sh

## bench: the scale figures of issue 15 as ratios against baselines measured in the same run,
##        the timing figures the tests print instead of asserting, and the health fan-out; all in
##        benchmarks/ (numbers, no asserts; run as root: they start lab servers)
bench: $(STAMP)
	$(PY) -m benchmarks
	$(PY) benchmarks/figures.py
	$(PY) benchmarks/health_fanout.py
	$(PY) benchmarks/api_console_echo.py

## lab-up: start the test lab (sshd, dockerd, incusd, LXD, fakepve) in the background, as root,
##         and write a home dir with its nodes (LAB_HOME, default /tmp/ocv-lab-home)
LAB_HOME ?= /tmp/ocv-lab-home
lab-up: $(STAMP)
	./scripts/install-system-deps.sh
	$(PY) -m tests.lab up --home $(LAB_HOME)

## lab-down: stop that lab by the PIDs it recorded
lab-down:
	$(PY) -m tests.lab down --home $(LAB_HOME)

clean:
	rm -rf $(VENV) .venv-latest build dist *.egg-info
