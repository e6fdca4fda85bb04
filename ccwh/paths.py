"""Where everything of one ccwh install lives.

One data directory (``--home`` / ``CCWH_HOME``, default ``./.ccwh``) holds all state of an
install, so several installs can run side by side without sharing anything:

    <home>/config/destinations.yaml   receiver credentials and routes (see docs/receiver.md)
    <home>/tls/cert.pem, key.pem      receiver certificate (self-signed on first run)
    <home>/landing/open/              segments being written (one per receiver process)
    <home>/landing/ready/             closed segments, waiting for the loader
    <home>/landing/loaded/            segments already in the warehouse (kept: raw rows point here)
    <home>/landing/quarantine/        rejected bodies with their reason
    <home>/warehouse/ccwh.duckdb      the warehouse; one writer process at a time
    <home>/warehouse/serve.duckdb     published read-only copy that every reader opens
    <home>/lake/events/               raw lake: loaded events as immutable Parquet, partitioned
                                      tenant_id=/event_type=/occurred_day= (the Spark source)
    <home>/spark/                     Spark warehouse dir and Derby metastore (spark target)
    <home>/dagster/                   DAGSTER_HOME (run storage, dagster.yaml)
    <home>/dbt/                       dbt target and log folders for this install
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = ".ccwh"
HOME_ENV = "CCWH_HOME"
REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Home:
        """The data directory: the argument, else $CCWH_HOME, else ./.ccwh (made absolute)."""
        chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def destinations_file(self) -> Path:
        return self.config_dir / "destinations.yaml"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def landing_open(self) -> Path:
        return self.landing / "open"

    @property
    def landing_ready(self) -> Path:
        return self.landing / "ready"

    @property
    def landing_loaded(self) -> Path:
        return self.landing / "loaded"

    @property
    def quarantine(self) -> Path:
        return self.landing / "quarantine"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "ccwh.duckdb"

    @property
    def serving(self) -> Path:
        return self.warehouse_dir / "serve.duckdb"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def lake_events(self) -> Path:
        return self.lake / "events"

    @property
    def spark_dir(self) -> Path:
        return self.root / "spark"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def dbt_dir(self) -> Path:
        return self.root / "dbt"

    def ensure(self) -> Home:
        """Create every folder of the layout (idempotent) and return self."""
        for d in (
            self.config_dir,
            self.tls_dir,
            self.landing_open,
            self.landing_ready,
            self.landing_loaded,
            self.quarantine,
            self.warehouse_dir,
            self.dagster_home,
            self.dbt_dir,
        ):
            d.mkdir(parents=True, exist_ok=True)
        return self
