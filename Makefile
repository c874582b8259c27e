# IMS Portal developer entry points. `make run` for a local demo, `make test` for the full gate (CI runs it).
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Re-installs only when pyproject.toml is newer than the stamp.
STAMP := $(VENV)/.installed

# make test: a real PostgreSQL and Redis, as in production. Override by exporting the variables.
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/ims)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
TEST_ENV := DEBUG=0 IMS_SANDBOX_CLOCK=1 SECRET_KEY=test-only-secret-key-0123456789abcdef \
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)"
PYTEST_ARGS ?=

# make run: DEBUG and the sandbox clock on; SQLite and in-process tasks unless DATABASE_URL/REDIS_URL are set.
RUN_ENV := DEBUG=$(or $(DEBUG),1) IMS_SANDBOX_CLOCK=$(or $(IMS_SANDBOX_CLOCK),1)
HOST ?= 127.0.0.1
PORT ?= 8000

# Installs [project] dependencies + the dev extra straight from pyproject.toml: no build backend, no
# egg-info/build dirs in the tree (the project is run from the checkout, it is not a library).
define INSTALL_DEPS
import subprocess, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
reqs = project["dependencies"] + project.get("optional-dependencies", {}).get("dev", [])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs]))
endef
export INSTALL_DEPS

# Exits 0 when host:port of the URL in $$1 accepts TCP connections within 2 s.
define PORT_OPEN
import socket, sys
from urllib.parse import urlparse
url = urlparse(sys.argv[1])
try:
    socket.create_connection((url.hostname, url.port or int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
endef
export PORT_OPEN

.PHONY: help install run lint services smoke-run browser test clean

help:
	@echo "make run    install, migrate, seed demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   lint + migrations check + full pytest suite on PostgreSQL and Redis"
	@echo "make lint   ruff check ., the import layers (lint-imports) and makemigrations --check"
	@echo "make clean  remove .venv, caches and the local SQLite database"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -c "$$INSTALL_DEPS"
	touch $@

install: $(STAMP)

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The migrations check needs no server: an in-memory SQLite has no history to compare against.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=0 SECRET_KEY=lint-only-secret-key-0123456789abcdef DATABASE_URL=sqlite:///:memory: \
		$(PY) manage.py makemigrations --check --dry-run

# Starts the machine's PostgreSQL/Redis if they do not answer, then fails loudly if they still do not.
services: install
	@if ! $(PY) -c "$$PORT_OPEN" "$(TEST_DATABASE_URL)" 5432; then \
		echo "PostgreSQL not answering; starting it"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
	fi
	@if ! $(PY) -c "$$PORT_OPEN" "$(TEST_REDIS_URL)" 6379; then \
		echo "Redis not answering; starting it"; \
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true; \
	fi
	@for name in "PostgreSQL $(TEST_DATABASE_URL) 5432" "Redis $(TEST_REDIS_URL) 6379"; do \
		set -- $$name; \
		for _ in $$(seq 30); do $(PY) -c "$$PORT_OPEN" "$$2" "$$3" && break; sleep 1; done; \
		if ! $(PY) -c "$$PORT_OPEN" "$$2" "$$3"; then echo "ERROR: $$1 does not answer at $$2" >&2; exit 1; fi; \
		echo "$$1 answers"; \
	done

# `make run`'s embedded mode (SQLite, tasks in process) on a throwaway file: migrate and seed the demo.
smoke-run: install
	rm -f .smoke.sqlite3
	DEBUG=1 IMS_SANDBOX_CLOCK=1 DATABASE_URL=sqlite:///.smoke.sqlite3 REDIS_URL= $(PY) manage.py migrate -v 0 --noinput
	DEBUG=1 IMS_SANDBOX_CLOCK=1 DATABASE_URL=sqlite:///.smoke.sqlite3 REDIS_URL= $(PY) manage.py seed_demo > /dev/null
	rm -f .smoke.sqlite3

# Browser tests drive Debian's Chromium: installed from the distribution's packages when missing
# (Playwright's own browser download cannot work on closed networks).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@/usr/bin/chromium --version 2>/dev/null

# pytest's own exit codes pass through: 5 (no tests collected) fails the target like any other.
test: lint services smoke-run browser
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles db.sqlite3
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Screenshots of the main pages for the README: the browser tests write them when IMS_SCREENSHOTS_DIR is set.
.PHONY: screenshots
screenshots: install services browser
	IMS_SCREENSHOTS_DIR=docs/screenshots $(TEST_ENV) $(PY) -m pytest tests/ims_portal/test_browser.py tests/ims_portal/test_browser_recon.py -q
