# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtualenv they need from nothing but Python 3.11+.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

# make run PORT=8080 HOST=0.0.0.0. Pages on any localhost port (a Vite dev
# server, say) and VS Code webviews may call it; logs are plain text. The
# PLUGINHUB_* variables, when set in the environment, win.
PORT ?= 8000
HOST ?= 127.0.0.1
CORS_ORIGINS ?= http://localhost:*,http://127.0.0.1:*,http://[::1]:*,vscode-webview://*
LOG_FORMAT ?= text

.PHONY: run test check lint types coverage schema lock graphiql-assets clean

# Installs the versions pinned in constraints.txt (`make lock` renews them).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The API on SQLite at http://$(HOST):$(PORT)/graphql, with demo data on first run.
run: $(STAMP)
	@mkdir -p data
	$(BIN)/pluginhub migrate
	@if [ ! -s data/demo-tokens.json ]; then \
	  $(BIN)/pluginhub demo --json > data/demo-tokens.tmp && mv data/demo-tokens.tmp data/demo-tokens.json \
	  || { rm -f data/demo-tokens.tmp; echo "(the database already has data: no demo tokens to show)"; }; \
	fi
	@[ -s data/demo-tokens.json ] && $(BIN)/python -c "import json; \
	  t = json.load(open('data/demo-tokens.json'))['tokens']; \
	  print('\nDemo tokens: send one as the header  Authorization: Bearer <token>'); \
	  [print(f'  {k:6} {v}') for k, v in t.items()]; print()" || true
	PLUGINHUB_CORS_ORIGINS="$${PLUGINHUB_CORS_ORIGINS-$(CORS_ORIGINS)}" \
	PLUGINHUB_LOG_FORMAT="$${PLUGINHUB_LOG_FORMAT-$(LOG_FORMAT)}" \
	PLUGINHUB_WEBHOOK_ALLOW_PRIVATE="$${PLUGINHUB_WEBHOOK_ALLOW_PRIVATE-1}" \
	$(BIN)/pluginhub serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then on PostgreSQL when PLUGINHUB_TEST_POSTGRES_URL is set.
test: $(STAMP)
	$(BIN)/python -m pytest
	@if [ -n "$$PLUGINHUB_TEST_POSTGRES_URL" ]; then \
	  echo "--- the same suite on PostgreSQL"; \
	  PLUGINHUB_TEST_BACKEND=postgres $(BIN)/python -m pytest; \
	fi

# Lint, format, types and the coverage gate: what CI runs before `make test`.
check: lint types coverage

lint: $(STAMP)
	$(BIN)/ruff check pluginhub tests
	$(BIN)/ruff format --check pluginhub tests

types: $(STAMP)
	$(BIN)/mypy pluginhub

# The SQLite suite under coverage (branches, and the processes the tests start);
# fails under the floor set in pyproject.toml.
coverage: $(STAMP)
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

schema: $(STAMP)
	$(BIN)/pluginhub export-schema > schema.graphql

# Renew constraints.txt: the newest versions pyproject.toml allows, resolved in a fresh virtualenv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# Every dependency pluginhub installs (with the test and tracing extras), pinned: \`make lock\` renews it."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | LC_ALL=C sort; } > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt && rm -rf .lock-venv

# Re-vendor GraphiQL's assets from npm at the versions pinned in the script.
graphiql-assets:
	scripts/vendor-graphiql

clean:
	rm -rf $(VENV) .lock-venv data .pytest_cache .coverage .coverage.* .mypy_cache .ruff_cache
