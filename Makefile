# City Farm shop. `make run` serves the shop; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint mutation mutation-score translations translations-extract translations-update load bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

translations: $(STAMP_RUN)
	$(BIN)/pybabel compile -d shop/translations -f --statistics

translations-extract: $(STAMP_RUN)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 --ignore-dirs ".*" -o shop/translations/messages.pot --no-location --sort-output .

translations-update: translations-extract
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations --no-fuzzy-matching --ignore-obsolete

run: $(STAMP_RUN) translations
	$(FLASK) db upgrade
	$(FLASK) shop seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(STAMP_DEV) translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of the core (not part of `make test`; settings in pyproject.toml [tool.mutmut]).
# Two workers at most: the machine's two cores are shared. Results are kept in mutants/ and re-used.
mutation: $(STAMP_DEV) translations
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results
	$(BIN)/python tests/mutation_score.py

mutation-score: $(STAMP_DEV)
	$(BIN)/python tests/mutation_score.py

load: $(STAMP_DEV) translations
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	$(BIN)/python tests/load/run_load.py

bench: $(STAMP_DEV) translations
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python tests/load/bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache
