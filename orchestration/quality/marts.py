"""Great Expectations suites on the key marts, as ``@asset_check``s on the dbt assets.

An ERROR suite is a blocking check: Dagster makes ``serving/warehouse`` wait for it (publish
depends on every dbt asset, and a blocking check of an asset gates what depends on that
asset), and skips publish when it fails, so readers keep the last good serve.duckdb. A WARN
suite (abandon rate: a real bad day can exceed 60 %) is reported and never blocks.

Each check reads only the columns it validates, through the run's own warehouse connection:
the run holds the writer lock (``writer_lock`` is a resource of the check, so it is held
even under a multi-process executor), and a second process could not open the file anyway.
"""

# no `from __future__ import annotations`: Dagster reads the annotations at runtime

from dataclasses import dataclass

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    asset_check,
)

from orchestration.quality.gx import Expect, check_result, validate
from orchestration.resources import WarehouseResource, WriterLockResource


@dataclass(frozen=True)
class MartSuite:
    name: str  # the check's name
    table: str  # the mart (schema main); also its dbt asset key
    severity: AssetCheckSeverity
    columns: tuple[str, ...]
    expectations: tuple[Expect, ...]
    description: str
    fix: str

    @property
    def blocking(self) -> bool:
        return self.severity == AssetCheckSeverity.ERROR

    def query(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM main.{self.table}"


_FIX_MODEL = (
    "Nothing was published; readers keep the last good copy. Find the rows with `.venv/bin/"
    "duckdb <home>/warehouse/ccwh.duckdb` (no run in progress), fix the model or the raw "
    "events behind them, rerun `ccwh build`."
)

SUITES: tuple[MartSuite, ...] = (
    MartSuite(
        name="gx_abandon_rate_plausible",
        table="queue_kpis_daily",
        severity=AssetCheckSeverity.WARN,
        columns=("abandon_rate",),
        expectations=(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "abandon_rate", "min_value": 0, "max_value": 0.6},
            ),
        ),
        description="Great Expectations (warning): abandon_rate between 0 and 60 % on every "
        "queue day. A real bad day can exceed it, so this never blocks publish.",
        fix="Compare the queue days over 60 % (queue_kpis_daily) with the source system; if "
        "they are real, nothing needs fixing.",
    ),
    MartSuite(
        name="gx_service_level_in_range",
        table="queue_kpis_daily",
        severity=AssetCheckSeverity.ERROR,
        columns=("service_level",),
        expectations=(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "service_level", "min_value": 0, "max_value": 1},
            ),
        ),
        description="Great Expectations: service_level in [0, 1] (null when nothing was "
        "offered). Blocks publish.",
        fix=_FIX_MODEL,
    ),
    MartSuite(
        name="gx_one_row_per_client",
        table="best_contact",
        severity=AssetCheckSeverity.ERROR,
        columns=("tenant_id", "campaign_id", "client_id"),
        expectations=(
            Expect(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["tenant_id", "campaign_id", "client_id"]},
            ),
        ),
        description="Great Expectations: one Best Contact row per tenant x campaign x "
        "client_id. Blocks publish.",
        fix=_FIX_MODEL,
    ),
    MartSuite(
        name="gx_cel_in_range",
        table="company_interaction_trends",
        severity=AssetCheckSeverity.ERROR,
        columns=("cel",),
        expectations=(
            Expect(
                "ExpectColumnValuesToBeBetween", {"column": "cel", "min_value": 0, "max_value": 100}
            ),
        ),
        description="Great Expectations: CEL in [0, 100] (null on total rows and inactive "
        "periods). Blocks publish.",
        fix=_FIX_MODEL,
    ),
)


def build_mart_check(suite: MartSuite) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey([suite.table]),
        name=suite.name,
        blocking=suite.blocking,
        description=suite.description,
    )
    def _check(
        context: AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        writer_lock: WriterLockResource,  # the run's lock: no other writer while we read
    ) -> AssetCheckResult:
        with warehouse.connect() as con:
            frame = con.execute(suite.query()).df()
        outcomes = validate(suite.name, frame, list(suite.expectations))
        result = check_result(suite.name, suite.severity, outcomes, len(frame), fix=suite.fix)
        if not result.passed:
            context.log.warning(f"{suite.table} {suite.name}: {result.description}")
        return result

    return _check


MART_CHECKS: list[AssetChecksDefinition] = [build_mart_check(s) for s in SUITES]
