# breachdesk — two commands do everything: `make run` and `make test`.
# Both are idempotent: they create .venv, install what is missing and build the translations.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= $(or $(BREACHDESK_PORT),5000)
DEBIAN_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
DEBIAN_TEST := chromium postgresql poppler-utils nginx
CATALOGUES := $(wildcard breachdesk/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
LINT_PATHS := breachdesk tests $(wildcard benchmarks)

.PHONY: run test install debian-run debian-test translations lint typecheck pytest fuzz extract clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations

# Debian packages: installed when missing and running as root; otherwise say what to install.
define ensure_debian
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install these Debian packages first:$$missing  (sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi
endef

debian-run:
	$(call ensure_debian,$(DEBIAN_RUN))

debian-test:
	$(call ensure_debian,$(DEBIAN_RUN) $(DEBIAN_TEST))

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(STAMP) $(COMPILED)

run: debian-run install
	$(BIN)/breachdesk db upgrade
	$(BIN)/breachdesk demo load
	BREACHDESK_PORT=$(PORT) $(BIN)/breachdesk serve

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(STAMP)
	$(BIN)/mypy breachdesk

# The suite on every CPU (pytest-xdist; each worker has its own SQLite files, or its own
# PostgreSQL database next to BREACHDESK_TEST_DATABASE_URL). PYTEST_WORKERS=0 runs it in one
# process.
PYTEST_WORKERS ?= auto
pytest: install debian-test
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: debian-test install lint typecheck pytest

# The long fuzz run: 10,000 generated inputs over every form and JSON input (the suite runs a
# fixed-seed slice of about 1,000). BREACHDESK_FUZZ_EXAMPLES=50000 make fuzz runs more.
# The API's schemathesis run: API_FUZZ_EXAMPLES per operation and mode (positive, negative);
# 100 x 13 operations x 2 modes = about 2,600 requests (the suite runs 40 each).
FUZZ_EXAMPLES ?= $(or $(BREACHDESK_FUZZ_EXAMPLES),10000)
API_FUZZ_EXAMPLES ?= $(or $(BREACHDESK_API_FUZZ_EXAMPLES),100)
fuzz: install
	BREACHDESK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/web/test_fuzz.py -q -s --durations=5
	BREACHDESK_API_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) $(BIN)/pytest tests/api/test_contract.py -q -s

# English is the source language: an English msgstr that `pybabel update` leaves empty gets its
# msgid, so the en catalogue is complete (tests/unit/test_catalogues.py) and stays editable.
define FILL_ENGLISH
from babel.messages.pofile import read_po, write_po
path = "breachdesk/translations/en/LC_MESSAGES/messages.po"
with open(path, "rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        message.string = tuple(s or message.id[min(i, 1)] for i, s in enumerate(message.string))
    elif not message.string:
        message.string = message.id
with open(path, "wb") as handle:
    write_po(handle, catalog, width=76, ignore_obsolete=True)
endef
export FILL_ENGLISH

# Refresh the catalogues after changing user-facing text; then fill the empty Dutch msgstr
# (tests/unit/test_catalogues.py and tests/web/test_untranslated.py list them).
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o breachdesk/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i breachdesk/translations/messages.pot -d breachdesk/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -c "$$FILL_ENGLISH"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
