"""``serving/warehouse``: publish the marts and seeds to serve.duckdb for readers."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from ccwh.publish import publish
from orchestration.assets.dbt import dbt_models
from orchestration.assets.report_days import report_day_marts
from orchestration.progress import say
from orchestration.resources import WarehouseResource, WriterLockResource


@asset(
    key=["serving", "warehouse"],
    group_name="serving",
    kinds={"duckdb"},
    # Depends on every dbt asset: it runs only after the whole dbt build step succeeded, i.e.
    # after every blocking (error-severity) dbt test passed.
    deps=[dbt_models, report_day_marts],
    description="serve.duckdb: the copy readers open (ccwh sql, Superset, exports), "
    "replaced atomically after each successful build (schemas main and reference).",
)
def serving_warehouse(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,  # nothing may write the warehouse while we copy it
) -> MaterializeResult:
    say(context, "publish: copying marts and seeds to serve.duckdb…")
    summary = publish(warehouse.paths)
    say(context, summary.describe())
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(summary.path)),
            "tables": MetadataValue.json(summary.tables),
            "bytes": summary.bytes,
            "seconds": round(summary.seconds, 3),
        }
    )
