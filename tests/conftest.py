"""Shared pytest configuration."""

from __future__ import annotations


def pytest_configure(config) -> None:
    # Registered here rather than in pyproject.toml (--strict-markers needs it declared).
    config.addinivalue_line(
        "markers",
        "spark: the dbt project on Apache Spark vs DuckDB (tests/test_spark.py); part of make "
        "test when the [spark] extra and Java are installed (skipped otherwise), alone with "
        "make test-spark, left out with -m 'not spark'",
    )
