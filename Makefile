# Riff: `make run` starts everything on this machine; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp

.PHONY: run workers test test-fast test-browser test-production services-deps chromium migrate bench clean messages compile-messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel

$(STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	@# resemblyzer pulls webrtcvad, whose module fails to import (pkg_resources); webrtcvad-wheels ships the same
	@# module fixed: make sure its copy is the one installed, whatever order pip chose.
	$(PIP) install --force-reinstall --no-deps webrtcvad-wheels
	@touch $@

run: $(STAMP) compile-messages
	$(PY) -m config.run

# The interface's catalogues (locale/): `make messages` collects new strings into locale/fr/LC_MESSAGES/django.po
# (translate them there) and compiles it; the compiled .mo is kept in the repository, so a machine without
# gettext still runs, and run/test recompile it when gettext is there.
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -d django --no-location --no-obsolete --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "var/*"
	$(PY) manage.py makemessages -l fr -d djangojs --no-location --no-obsolete --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "var/*"
	$(PY) manage.py compilemessages -l fr --ignore ".venv/*"

compile-messages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages -l fr --ignore ".venv/*" --ignore "var/*" >/dev/null; fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

services-deps:
	@missing=""; command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then echo "installing$$missing for the production-topology tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; fi

# 1. the embedded stack (SQLite + Valkey + files), 2. the browser tests in their own pytest process (Playwright's
# sync API and asyncio tests do not mix), 3. the same suite on the production topology: PostgreSQL + Redis + S3.
test: $(DEV_STAMP) chromium services-deps compile-messages
	$(PY) -m pytest -m "not browser" -p no:cacheprovider --durations=20
	$(PY) -m pytest -m browser -p no:cacheprovider --durations=10
	$(MAKE) --no-print-directory test-production

TOPOLOGY_DIR ?= $(CURDIR)/var/test-topology
# Library tests that touch no database, broker or storage ran in the first pass already (as did the checks of the
# catalogues and of the import layers); so did the API fuzzing,
# the diffusers backend and the watermark's re-share survey (their storage and database paths are the ones the
# other tests cover here).
PRODUCTION_SKIP := --ignore=tests/generation/test_preview_backend.py --ignore=tests/generation/test_scene_parser.py \
	--ignore=tests/generation/test_media.py --ignore=tests/generation/test_provenance.py \
	--ignore=tests/generation/test_diffusers_backend.py --ignore=tests/generation/test_diffusers_worker.py \
	--ignore=tests/generation/test_watermark_reshare.py --ignore=tests/cameos/test_speech.py \
	--ignore=tests/generation/test_voices.py --ignore=tests/generation/test_mouths.py \
	--ignore=tests/api/test_fuzz_schema.py --ignore=tests/generation/test_diffusers_speed.py \
	--ignore=tests/generation/test_diffusers_ltx2.py --ignore=tests/generation/test_video_fit.py \
	--ignore=tests/generation/test_animatic.py --ignore=tests/generation/test_figures.py \
	--ignore=tests/generation/test_diffusers_parallel.py \
	--ignore=tests/config/test_i18n.py --ignore=tests/config/test_layers.py --ignore=tests/config/test_web_purity.py
test-production: $(DEV_STAMP) services-deps
	@rm -rf $(TOPOLOGY_DIR); mkdir -p $(TOPOLOGY_DIR)
	@set -e; export PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	trap '$(PY) -m config.topology down $(TOPOLOGY_DIR)' EXIT; \
	services="$$($(PY) -m config.topology up $(TOPOLOGY_DIR))"; eval "$$services"; \
	test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" -a -n "$$AWS_S3_ENDPOINT_URL"; \
	echo "production topology: $$DATABASE_URL $$REDIS_URL $$AWS_S3_ENDPOINT_URL/$$AWS_STORAGE_BUCKET_NAME"; \
	RIFF_TOPOLOGY_DIR=$(TOPOLOGY_DIR) $(PY) -m pytest -m "not browser" -p no:cacheprovider --durations=20 $(PRODUCTION_SKIP)

test-fast: $(DEV_STAMP)
	$(PY) -m pytest -m "not browser and not slow" -p no:cacheprovider

test-browser: $(DEV_STAMP) chromium
	$(PY) -m pytest -m browser -p no:cacheprovider --durations=10

# One generation worker per visible GPU (CUDA_VISIBLE_DEVICES pinned) and a CPU-queue worker: config/workers.py.
workers: $(STAMP) compile-messages
	$(PY) -m config.workers

BENCHES := $(filter-out bench/common.py,$(wildcard bench/*.py))
bench: $(DEV_STAMP)
	for b in $(BENCHES); do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var
