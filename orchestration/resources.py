"""Resources: where the install lives (from CCWH_HOME), the writer lock, and dbt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dagster import ConfigurableResource, EnvVar, InitResourceContext
from dagster_dbt import DbtCliResource

from ccwh.paths import HOME_ENV, Home
from ccwh.warehouse import connect, writer_lock
from orchestration.dbt_project import dbt_executable, dbt_project

if TYPE_CHECKING:
    import duckdb

WAREHOUSE_ENV = "CCWH_WAREHOUSE"  # read by dbt_project/profiles.yml


class WarehouseResource(ConfigurableResource):
    """The data directory of this install; every path comes from ``ccwh.paths.Home``."""

    home: str

    @property
    def paths(self) -> Home:
        return Home.resolve(self.home).ensure()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to ccwh.duckdb, closed on exit (hold the writer lock)."""
        with connect(self.paths.warehouse) as con:
            yield con

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Point the dbt profile at this install's warehouse for the duration of a dbt call.

        DbtCliResource passes os.environ to dbt and has no per-call env; the step runs in its
        own run process, so setting the variable there affects nothing else.
        """
        previous = os.environ.get(WAREHOUSE_ENV)
        os.environ[WAREHOUSE_ENV] = str(self.paths.warehouse)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(WAREHOUSE_ENV, None)
            else:
                os.environ[WAREHOUSE_ENV] = previous


class WriterLockResource(ConfigurableResource):
    """Holds ``<home>/warehouse/.writer.lock`` for as long as the resource is alive.

    The pipeline job runs in-process, where resources live for the whole run: the run holds
    the lock from the loader to publish, and a second run (the sensor's, another
    ``ccwh build``) waits for it. With a multi-process executor it would be held per step,
    which still keeps the loader, dbt and publish from ever overlapping.
    """

    home: str

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WriterLockResource]:
        from orchestration.progress import say

        with writer_lock(Home.resolve(self.home).ensure(), announce=lambda m: say(context, m)):
            yield self


def home_from_env() -> EnvVar:
    return EnvVar(HOME_ENV)


def build_resources() -> dict[str, object]:
    """The resources of the definitions, all configured from $CCWH_HOME at run time."""
    return {
        "warehouse": WarehouseResource(home=home_from_env()),
        "writer_lock": WriterLockResource(home=home_from_env()),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    }
