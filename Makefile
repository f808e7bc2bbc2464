# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
PORT ?= 5000
WORKERS ?= 3

.PHONY: install run serve test test-e2e test-postgres lint check vendor clean messages bench bench-quick bench-tools

# PDFs embed Noto Sans JP from one TrueType file per weight: unpacked from the vendored WOFF2
# once here, because WeasyPrint would take seconds to unpack it in every export.
PDF_FONTS := $(patsubst %.woff2,%.ttf,$(wildcard tracker/static/vendor/noto-sans-jp-*/NotoSansJP-*.woff2))

install: $(VENV)/.installed $(PDF_FONTS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/pybabel --quiet compile -d tracker/translations
	touch $@

%.ttf: %.woff2 | $(VENV)/.installed
	$(BIN)/python -c "import sys; from fontTools.ttLib import TTFont; \
	  font = TTFont(sys.argv[1]); font.flavor = None; font.save(sys.argv[2])" $< $@

# Local settings for `make run`: a random SECRET_KEY, and cookies allowed over plain HTTP
# because the server listens on 127.0.0.1 only. Never overwritten once it exists.
instance/config.py:
	mkdir -p instance
	$(BIN)/python bin/write_instance_config.py $@

run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) points load
	$(FLASK) seed-demo --if-empty
	$(FLASK) demo-logins
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: install
	$(BIN)/python -m pytest

# The browser journeys (tests/e2e): Playwright driving Debian's Chromium against gunicorn on a
# free port. A browser is never downloaded: without /usr/bin/chromium the run fails, it does
# not skip. `make test` leaves these out.
test-e2e: install
	@test -x /usr/bin/chromium || { echo "make test-e2e: /usr/bin/chromium is missing;" \
	  "install Debian's Chromium (apt-get install -y chromium). No browser is downloaded." >&2; \
	  exit 1; }
	TRACKER_E2E=1 $(BIN)/python -m pytest tests/e2e

lint: install
	$(BIN)/ruff check tracker tests bench
	$(BIN)/lint-imports
	@# The migrations match the models: migrate a throw-away SQLite file, then compare.
	tmp=$$(mktemp -d) && export TRACKER_ENV=testing DATABASE_URL=sqlite:///$$tmp/check.sqlite \
	  && $(FLASK) db upgrade 2>/dev/null && $(FLASK) db check && rm -rf $$tmp

# Every marked string into the template catalog, then into each shipped language's catalog
# (English is the source language; tracker/translations/<lang>/LC_MESSAGES/messages.po).
messages: install
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l -k lazy_gettext --no-location \
	  --sort-output --ignore-dirs='.* __pycache__ .venv node_modules' \
	  -o tracker/translations/messages.pot .
	@for po in tracker/translations/*/LC_MESSAGES/messages.po; do \
	  [ -e "$$po" ] && $(BIN)/pybabel --quiet update -i tracker/translations/messages.pot \
	    -d tracker/translations --no-fuzzy-matching; break; done
	$(BIN)/pybabel --quiet compile -d tracker/translations || true

# The benchmark at scale (bench/scale.py; figures in docs/performance.md): a generated clinic
# group, gunicorn with (2 x cores) + 1 workers, 8 clients at once (wrk), the clinic-wide CSV
# beside the database's own dump, 8 writers; on SQLite, then PostgreSQL (127.0.0.1:5432, or
# BENCH_PG_ADMIN_URL). Exits 1 when a budget is missed. BENCH_ARGS adds options, such as
# BENCH_ARGS="--backends sqlite --reuse".
bench-quick: install bench-tools
	$(BIN)/python bench/scale.py --scale quick $(BENCH_ARGS)

bench: install bench-tools
	$(BIN)/python bench/scale.py --scale full $(BENCH_ARGS)

# wrk (the load tool), sqlite3 and psql (the databases' own dumps) from Debian when missing.
bench-tools:
	@missing=""; for tool in wrk sqlite3 psql; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  packages=$$(echo "$$missing" | sed 's/psql/postgresql-client/'); \
	  as_root=""; [ "$$(id -u)" -eq 0 ] || as_root="sudo"; \
	  echo "installing$$packages"; $$as_root apt-get install -y -qq $$packages; fi

vendor:
	./bin/vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
