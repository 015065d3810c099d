# Choujian — `make run` serves the demo site, `make test` runs the whole suite (SQLite, then PostgreSQL if reachable).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: vendor access-matrix run demo test test-sqlite test-dates test-postgres fuzz fuzz-postgres lint bench load install install-dev browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

run: install
	$(BIN)/choujian run

demo: install
	$(BIN)/choujian migrate
	$(BIN)/choujian demo

lint: install-dev
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/ruff format --check src tests bench fuzz
	$(BIN)/lint-imports

browser:
	@{ command -v chromium && command -v pdftoppm && command -v zbarimg && fc-list | grep -q "CJK" \
		&& fc-list | grep -q "WenQuanYi"; } >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = "0" ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk \
				fonts-wqy-microhei poppler-utils zbar-tools >/dev/null) \
			|| echo "chromium, fonts or PDF tools could not be installed: browser and rendering tests will be skipped"; \
		else echo "missing: apt-get install chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils zbar-tools"; fi; }

test: install-dev browser lint
	CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/choujian makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-dates
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		$(MAKE) --no-print-directory -j2 --output-sync=target fuzz fuzz-postgres && \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable at 127.0.0.1:5432: skipped the PostgreSQL run"; \
		$(MAKE) --no-print-directory fuzz; fi

# The vendored browser libraries (served by the platform itself: no CDN on an intranet), fetched from npm at their
# pinned versions and checked against the digests in the vendor README.
ECHARTS_VERSION := 5.6.0
vendor:
	cd $$(mktemp -d) && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null && tar xzf echarts-$(ECHARTS_VERSION).tgz \
		&& cp package/dist/echarts.min.js $(CURDIR)/src/choujian/static/choujian/vendor/ \
		&& cp package/LICENSE $(CURDIR)/src/choujian/static/choujian/vendor/echarts.LICENSE
	cd src/choujian/static/choujian/vendor && echo "$$(grep -o 'sha256 [0-9a-f]*' README.txt | cut -d' ' -f2)  echarts.min.js" \
		| sha256sum -c -

# After a deliberate change of who may do what: rewrite docs/access-matrix.md from what the platform answers, then
# review its diff like code.
access-matrix: install-dev
	CHOUJIAN_WRITE_ACCESS_MATRIX=1 CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest -q tests/test_access_matrix.py

# --dist loadscope: a module's tests stay on one worker, so a module's demo (built once per module and worker, up to a
# minute with its history and statistics) is built once, not on both workers (measured: 6:49 instead of 9:47).
test-sqlite:
	@echo "== pytest on SQLite =="
	CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest -n 2 --dist loadscope $(PYTEST_ARGS)

# The tests whose expectations involve today's date, run again as if it were late December (holidays of a year not
# yet entered) in this year and the next: a suite that would go red at New Year goes red here first.
DATED_TESTS ?= tests/workcalendar tests/sampling tests/testing tests/planning tests/draws tests/enforcement
test-dates:
	@for day in 2026-12-20 2027-12-20; do \
		echo "== pytest on SQLite, today frozen to $$day =="; \
		CHOUJIAN_TEST_TODAY=$$day CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest -n 2 -q $(DATED_TESTS) \
			-m "not undated" -p no:randomly || exit 1; \
	done

# The browser flows run once, on SQLite: what they add over the other tests is the browser, not the database.
test-postgres:
	@echo "== pytest on PostgreSQL (browser flows: see the SQLite run) =="
	CHOUJIAN_DATA_DIR=$$(mktemp -d) DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n 2 --dist loadscope \
		-m "not browser" $(PYTEST_ARGS)

# The whole API, documented examples then generated input (FUZZ_EXAMPLES per operation and person; raise it for a
# longer hunt), as fifteen people (generated input as eight) against a demo site; then the ledger and every draw
# record must verify. Each run is one client process, so the SQLite and PostgreSQL runs go side by side.
FUZZ_EXAMPLES ?= 1
fuzz:
	@echo "== API fuzzing on SQLite =="
	CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/python -m fuzz.api --examples $(FUZZ_EXAMPLES)

fuzz-postgres:
	@echo "== API fuzzing on PostgreSQL =="
	CHOUJIAN_DATA_DIR=$$(mktemp -d) DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m fuzz.api --examples $(FUZZ_EXAMPLES)

bench: install-dev
	CHOUJIAN_DATA_DIR=$$(mktemp -d) $(BIN)/python -m bench

# 50 people at once against PostgreSQL + Redis (bench/load/): locust in an environment of its own, since its web
# framework's pins are not the platform's.
LOCUST_VERSION := 2.47.0
load: install-dev
	@test -x $(VENV)-load/bin/locust || { $(PYTHON) -m venv $(VENV)-load && \
		$(VENV)-load/bin/python -m pip install --quiet locust==$(LOCUST_VERSION); }
	$(BIN)/python -m bench.load --locust $(VENV)-load/bin/locust

clean:
	rm -rf $(VENV) $(VENV)-load build *.egg-info .pytest_cache .ruff_cache test-artifacts
