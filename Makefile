# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test lint translations compile-translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  (echo "collab needs Python 3.11 or newer (set PYTHON=python3.x)"; exit 1)
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

compile-translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d collab/translations --use-fuzzy -f 2>&1 | grep -v '^compiling' || true

run: $(VENV)/.installed compile-translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask search reindex --if-empty
	@echo "collab is on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

# The SSO tests' OpenID provider (npm's oidc-provider), when Node.js is here; without
# Node those tests are skipped, except on CI where they fail.
tests/oidc/node_modules/.installed: tests/oidc/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the SSO tests will be skipped"; fi

test: $(VENV)/.installed-dev compile-translations tests/oidc/node_modules/.installed
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check collab tests config
	$(BIN)/ruff format --check collab tests config

# Refresh the catalogs after changing UI strings; then translate what is new in fr.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o collab/translations/messages.pot \
	  --no-location --omit-header --ignore-dirs '.*' collab templates
	$(BIN)/pybabel update -i collab/translations/messages.pot -d collab/translations \
	  --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache
