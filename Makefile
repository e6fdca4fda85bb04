# ccwh: two commands on a fresh machine —  `make demo`  and  `make test`.
# Needs only python3 (>= 3.11) and make; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SS_VENV := .venv-superset
SPARK_STAMP := $(VENV)/.installed-spark

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export PYTHONDONTWRITEBYTECODE :=

.PHONY: install demo test lint format bench clean help system-deps dagster docs \
        superset superset-stop test-superset bench-superset install-spark test-spark

help:
	@echo "make demo    set everything up and run the pipeline on a simulated week"
	@echo "make test    run the whole test suite (Superset + headless Chromium included)"
	@echo "make bench   run the benchmarks (prints figures; see README 'Benchmarks')"
	@echo "make dagster Dagster UI + daemon on http://127.0.0.1:3000 (CCWH_HOME, default ./.ccwh); Ctrl-C stops"
	@echo "make docs    build dbt docs from the warehouse, serve on http://127.0.0.1:8080"
	@echo "make superset  bootstrap Superset and serve it on http://127.0.0.1:8088"
	@echo "make test-superset  Superset dashboards in a real Superset + headless Chromium"
	@echo "make test-spark  the dbt project on Apache Spark: every mart identical to DuckDB's (~10 min)"
	@echo "make lint    ruff check + format check"
	@echo "make clean   remove the virtualenv and the demo data directory"

# One resolve pinned by constraints.txt (regenerate with `make constraints`).
# uv installs in ~10 s instead of pip's ~60 s; --compile-bytecode because this machine sets
# PYTHONDONTWRITEBYTECODE, without which every import of the stack is recompiled.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -c constraints.txt -e '.[dev]'
	$(BIN)/ccwh build --prepare-only
	@touch $@

install: $(STAMP)

constraints:
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark --python-version 3.11 -o constraints.txt

demo: $(STAMP)
	$(BIN)/ccwh demo

# Debian packages the tests use: gpg (PGP-encrypted exports); chromium and chromium-driver
# (Superset's dashboards in a headless browser).
system-deps:
	@bash scripts/ensure-debian-packages.sh gnupg:gpg chromium:chromium chromium-driver:chromedriver

# Everything: the Superset tests (a real Superset from .venv-superset + Chromium) and the
# Spark comparison (the [spark] extra + Java 17) included.
test: $(STAMP) $(SS_VENV)/.installed $(SPARK_STAMP) system-deps
	$(BIN)/python -m pytest

dagster: $(STAMP)
	$(BIN)/python -m orchestration.dev

docs: $(STAMP)
	$(BIN)/python -m orchestration.docs

# Superset has its own virtualenv: it pins older pandas/SQLAlchemy than the pipeline.
# (manage.sh install uses the pipeline's uv when .venv exists, hence the order-only $(STAMP).)
$(SS_VENV)/.installed: superset/requirements.txt | $(STAMP)
	superset/manage.sh install

superset: $(STAMP) $(SS_VENV)/.installed
	superset/manage.sh bootstrap
	superset/manage.sh serve

superset-stop:
	superset/manage.sh stop

# The Superset tests alone (`make test` runs them too): Debian's chromium and chromium-driver.
test-superset: $(STAMP) $(SS_VENV)/.installed
	@bash scripts/ensure-debian-packages.sh chromium:chromium chromium-driver:chromedriver
	$(BIN)/python -m pytest tests/test_superset.py -v

# The Spark target (dbt_project/README.md "Running on Spark"): the [spark] extra (dbt-spark,
# pyspark ~490 MB) in the same resolve, and Java 17 from Debian.
$(SPARK_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -c constraints.txt -e '.[dev,spark]'
	@bash scripts/ensure-debian-packages.sh openjdk-17-jre-headless:java
	@touch $@

install-spark: $(SPARK_STAMP)

# One simulated data set built on DuckDB and on Spark (local[2], the raw Parquet lake as
# source), every mart and seed compared row by row (tests/test_spark.py).
test-spark: $(SPARK_STAMP)
	$(BIN)/python -m pytest -m spark tests/test_spark.py -v -s

bench-superset: $(STAMP) $(SS_VENV)/.installed
	$(BIN)/python benchmarks/bench_superset.py

bench: $(STAMP)
	bash benchmarks/run_all.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(SS_VENV) .ccwh dbt_project/target dbt_project/logs
