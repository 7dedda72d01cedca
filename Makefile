# Two entry points a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test faults soak bench install install-test install-bench migrate serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the project file changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

migrate: install
	$(BIN)/flask --app wsgi db upgrade

serve:
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) wsgi:app

# Development only: gunicorn alone can be stalled by slow clients; production puts nginx in front
# (deploy/nginx/engagement.conf, docs/production.md).
run: migrate serve

# The whole suite on SQLite, then on a throwaway PostgreSQL cluster with Redis (started and stopped by the script).
test: install-test
	PYTHON=$(BIN)/python ./scripts/test-all.sh

# The fault suite in full (a stopped PostgreSQL, a failing or hanging model, Redis gone, slow clients);
# `make test` runs it too, without the tests marked long_fault.
faults: install-test
	$(BIN)/python -m pytest -rs -m "" tests/faults tests/production/test_slow_clients.py tests/production/test_resilience.py tests/production/test_redis_rate_limits.py::test_the_api_keeps_answering_when_redis_dies

# Soak (not part of `make test`): 32 clients for MINUTES (default 5) against gunicorn on a throwaway PostgreSQL;
# prints requests, statuses, the 5xx count, whether counters and ledgers are exact, and RSS per worker.
MINUTES ?= 5
soak: install
	$(BIN)/python bench/soak.py --minutes $(MINUTES)

# HTTP benchmark (not part of `make test`): gunicorn as `make run` starts it, driven by wrk; one table.
# PEER=isso also runs Isso 0.14 in the same run; BENCH_ARGS e.g. "--duration 5 --worker-class gthread,sync --postgres".
bench: install-bench
	$(BIN)/python bench/http_bench.py $(if $(PEER),--peer $(PEER)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .bench
