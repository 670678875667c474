# Firefly Campaign Studio — the commands a person types.
# `make run` brings the whole product up; `make test` runs the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# npm writes this after `npm ci`: test tooling from npm (axe-core), pinned in package-lock.json.
NODE_STAMP := node_modules/.package-lock.json

# Commands that belong to the running app see `.env` as the Procfile's processes do.
APP_ENV := $(BIN)/honcho run

.PHONY: run test lint typecheck format bench install chromium migrate clean check-deploy demo-password

$(STAMP): requirements.txt requirements-dev.txt requirements-s3.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(STAMP) $(NODE_STAMP)

migrate: $(STAMP)
	$(APP_ENV) $(BIN)/python manage.py migrate --noinput

# Web, Celery worker, Celery beat and (without Firefly credentials) the local emulator.
# The studio's address (WEB_PORT, default 8000) is printed before the processes start.
run: migrate
	$(APP_ENV) $(BIN)/python manage.py ensure_demo_user
	@$(APP_ENV) sh -c 'if [ -n "$$FIREFLY_CLIENT_ID" ]; then \
		echo "Firefly credentials found: talking to the Adobe Firefly API (no emulator)."; \
		exec $(BIN)/honcho start web worker beat; \
	else \
		echo "No Firefly credentials: starting the local Firefly emulator."; \
		exec $(BIN)/honcho start web worker beat emulator; \
	fi'

# A new password for the demo account, when the one printed on the first `make run` was missed.
demo-password: $(STAMP)
	$(APP_ENV) $(BIN)/python manage.py ensure_demo_user --reset-password

chromium:
	@bash scripts/ensure-chromium

test: $(STAMP) $(NODE_STAMP) chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, the Dockerfile, the import contracts in pyproject.toml (which module may import which)
# and no app file over 400 lines.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/python scripts/file_length.py

# mypy (with the django-stubs plugin) over the typed modules; CI passes its own, longer list.
MYPY_PATHS ?= generation/firefly generation/emulator
typecheck: $(STAMP)
	$(BIN)/mypy $(MYPY_PATHS)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

check-deploy: $(STAMP)
	bash scripts/check-deploy

clean:
	rm -rf var/broker var/cache var/test-db.sqlite3*
