# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12+: a python3.12/python3.13 on PATH, else pyenv's 3.12.
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || \
	ls -d $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3 2>/dev/null | tail -n 1 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: help run test lint format messages setup

help:
	@echo "make run    set everything up and serve the app at http://127.0.0.1:8000 (SQLite, demo data)"
	@echo "make test   lint and run every test against real PostgreSQL, S3 and Chromium"
	@echo "make stack-test   the production topology (nginx, 2 web, worker, scheduler) on loopback"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-ldap.txt | $(BIN)/python ldap-headers
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

messages: | $(BIN)/python
	$(MANAGE) compilemessages --ignore=.venv -v 0

setup: $(VENV)/.runtime messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo --if-empty

run: setup
	@echo "Serving at http://127.0.0.1:8000 (Ctrl-C stops)"
	$(MANAGE) runserver 127.0.0.1:8000

# python-ldap (requirements-ldap.txt, a test dependency) builds against these headers.
.PHONY: ldap-headers
ldap-headers:
	@[ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ] || { \
		echo "Installing: libldap2-dev libsasl2-dev"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null; }

# System packages the tests need: Debian's Chromium, PostgreSQL, gettext, OpenLDAP's
# server and tools (the LDAP sign-in tests start their own slapd) and Node.js for the
# OpenID Connect provider.
.PHONY: system-deps
system-deps: ldap-headers
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium chromium-driver"; \
	[ -x /usr/sbin/slapd ] || missing="$$missing slapd ldap-utils"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql postgresql-contrib"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Tests run on TEST_WORKERS processes at once (pytest-xdist; 0 runs them in this one).
TEST_WORKERS ?= 2
test: system-deps $(VENV)/.dev tools/oidc/node_modules/.package-lock.json messages lint
	$(BIN)/python -m tools.testenv -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The OpenID Connect provider the sign-in tests start (oidc-provider from npm).
tools/oidc/node_modules/.package-lock.json: tools/oidc/package-lock.json
	cd tools/oidc && npm ci --no-audit --no-fund --silent

# docker-compose.yml's topology on loopback without Docker: PostgreSQL, S3, migrate, two
# granian instances, worker, scheduler, an SMTP sink and Debian's nginx (installed if
# missing) with the site's own config; stacktests/ proves it through nginx.
.PHONY: stack-test
stack-test: system-deps $(VENV)/.dev messages
	$(BIN)/python -m tools.stacktest $(STACK_TEST_ARGS)

# The pages under load (wrk) on a throwaway PostgreSQL with 50k, 500k and 1M bookings, and
# the booking race; writes docs/benchmarks.md (see bench/README.md). Options in BENCH_ARGS,
# e.g. make bench BENCH_ARGS="--presets 50k --duration 10 --servers".
.PHONY: bench
bench: system-deps $(VENV)/.dev messages
	$(BIN)/python -m tools.benchenv $(BENCH_ARGS)

# After changing UI strings: refresh the catalogs (English msgstr = msgid, always), then
# translate the new Russian entries in locale/ru/LC_MESSAGES/django.po.
.PHONY: translations
translations: | $(BIN)/python
	$(MANAGE) makemessages -l ru -l en --ignore=.venv --ignore=artifacts --ignore=tools --no-obsolete
	for po in $$(find . -path ./.venv -prune -o -path '*/locale/en/LC_MESSAGES/django.po' -print); do \
		msgfilter -i $$po -o $$po --keep-header sed -e d && msgen $$po -o $$po; done
