"""Resources: where the install lives (from CCWH_HOME), the writer lock, and dbt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dagster import ConfigurableResource, EnvVar, InitResourceContext
from dagster_dbt import DbtCliResource

from ccwh.paths import HOME_ENV, Home
from ccwh.spark_marts import LAKE_DIR_ENV, SPARK_DIR_ENV, dbt_target
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
        """Point the dbt profile at this install for the duration of a dbt call.

        The DuckDB warehouse (CCWH_WAREHOUSE), and for the Spark targets the Spark warehouse
        and metastore (CCWH_SPARK_DIR) and the raw lake (CCWH_LAKE_DIR) of this home, unless
        the environment names them already (a cluster's lake is an s3a:// or hdfs:// URI).
        DbtCliResource passes os.environ to dbt and has no per-call env; the step runs in its
        own run process, so setting the variables there affects nothing else.
        """
        paths = self.paths
        values = {
            WAREHOUSE_ENV: str(paths.warehouse),
            SPARK_DIR_ENV: os.environ.get(SPARK_DIR_ENV) or str(paths.spark_dir),
            LAKE_DIR_ENV: os.environ.get(LAKE_DIR_ENV) or str(paths.lake_events),
        }
        previous = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in previous.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


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
        # target: the profile's output dbt builds with, `duckdb` (default) or `spark`
        # (README "Scaling out"); from CCWH_DBT_TARGET, or per run in the launchpad's
        # resources config. The assets, checks and publish are the same on both.
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
            target=dbt_target(),
        ),
    }
