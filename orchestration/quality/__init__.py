"""Great Expectations suites on raw.events and the key marts, as Dagster asset checks.

- ``gx.py``: validate a pandas DataFrame against a list of expectations (GE imported lazily:
  it costs 5–15 s here, and ``orchestration.definitions`` must load fast).
- ``suites.py``: what is expected of each table, with the severity of each check.
- ``raw.py``: the raw.events suite, run inside the loader's step (see its docstring why).
- ``marts.py``: the mart suites as ``@asset_check``s on the dbt assets; the ERROR ones are
  blocking, so a failure stops ``serving/warehouse`` (publish).

Every suite reads DataFrames through the run's own warehouse connection while the run holds
the writer lock (STACK.md: GE's DuckDB SQL datasource does not work; DataFrames do).
"""
