# khetrial: two commands for a fresh machine.
#   make demo   installs khetrial in .venv and runs the main job
#   make test   installs khetrial with its test tools and runs the whole test suite,
#               on SQLite and again (the database tests) on PostgreSQL
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install demo test test-sqlite test-postgres browser postgres bench clean

$(BIN)/khetrial $(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "Installing khetrial and its dependencies into $(VENV): a few minutes the first time."
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $(VENV)/.installed

install: $(VENV)/.installed

demo: install
	$(BIN)/khetrial demo

test: install browser postgres test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest

# The database tests once more, with PostgreSQL as the database; a failed connection fails.
test-postgres: install postgres
	KHETRIAL_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m db -p no:cacheprovider

# Debian's chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1

bench: install
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) khetrial-demo .pytest_cache
