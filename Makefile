# The two commands of the README's contract are `make run` and `make test`; both set up
# everything they need from a fresh clone (virtualenv, pinned packages, database, seed data).
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= province
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: install run serve seed test test-sqlite test-postgres browser lock messages bench clean-synthetic clean help

help:
	@echo "make run    set up and serve the app with the real plans on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite (again on PostgreSQL if TEST_DATABASE_URL is set)"
	@echo "make bench  benchmarks at SCALE=province|national against PostgreSQL (see benchmarks/README.md)"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

seed: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed_data
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py open_demo_periods
	$(BIN)/python manage.py generate_demo_values
	$(BIN)/python manage.py generate_demo_progress

# Served without debug, as users will see it: the project's own 403/404 pages, static files
# through WhiteNoise from the collected STATIC_ROOT. DJANGO_DEBUG=1 make run for Django's debug pages.
run: seed
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "生态指标 → http://$(HOST):$(PORT)/  （管理后台 /admin/；其他地址：make run HOST=0.0.0.0 PORT=8080）"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; install it when it is missing and we may (root + apt).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser tests"; \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	fi

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

bench: install
	$(BIN)/python -m benchmarks.run --scale $(SCALE)

clean-synthetic: install
	$(BIN)/python manage.py remove_synthetic

# Re-resolve pins after editing requirements*.in (needs the package registry).
lock:
	rm -rf .lockenv && $(PY) -m venv .lockenv
	.lockenv/bin/pip install -q -r requirements.in
	{ echo "# Exact runtime pins, resolved from requirements.in (make lock)."; .lockenv/bin/pip freeze --exclude pip; } > requirements.txt
	.lockenv/bin/pip install -q -r requirements-dev.in
	{ echo "# Exact test pins, resolved from requirements-dev.in (make lock)."; echo "-r requirements.txt"; \
	  .lockenv/bin/pip freeze --exclude pip | grep -vxFf requirements.txt; } > requirements-dev.txt
	rm -rf .lockenv

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
