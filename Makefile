# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtualenv they need from nothing but Python 3.11+.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test check lint types coverage schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The API on SQLite at http://127.0.0.1:8000/graphql, with demo data on first run.
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
	$(BIN)/pluginhub serve --host 127.0.0.1 --port 8000

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

clean:
	rm -rf $(VENV) data .pytest_cache .coverage .coverage.* .mypy_cache .ruff_cache
