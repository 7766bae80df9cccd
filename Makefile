# Riff: `make run` starts everything on this machine; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp

.PHONY: run test test-fast test-browser chromium migrate bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel

$(STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	@touch $@

run: $(STAMP)
	$(PY) -m config.run

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# The browser tests run in their own pytest process (Playwright's sync API and asyncio tests do not mix).
test: $(DEV_STAMP) chromium
	$(PY) -m pytest -m "not browser" -p no:cacheprovider
	$(PY) -m pytest -m browser -p no:cacheprovider

test-fast: $(DEV_STAMP)
	$(PY) -m pytest -m "not browser and not slow" -p no:cacheprovider

test-browser: $(DEV_STAMP) chromium
	$(PY) -m pytest -m browser -p no:cacheprovider

bench: $(DEV_STAMP)
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var
