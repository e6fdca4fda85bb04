"""Read tables that dbt built on Spark, in a process of their own (tests/test_spark.py).

    python tests/spark_read_tables.py SPARK_DIR OUT.pickle schema.table [schema.table ...]

Starts a local Spark session on the same warehouse and Derby metastore as dbt's `spark`
target (dbt_project/profiles.yml; Derby lets one Spark process at a time in, so this runs
after dbt has exited) and writes {"schema.table": {"columns", "types", "rows"}} to OUT: column
names, Spark type names (simpleString) and the rows as tuples of Python values (str, int,
float, Decimal, bool, date, datetime, None) — no pandas conversion on the way, so nothing is
rounded or re-typed before the comparison.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def session_config(spark_dir: Path) -> dict[str, str]:
    """The `spark` target's server_side_parameters (profiles.yml), for this spark_dir."""
    return {
        "spark.master": "local[2]",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}/derby",
    }


def read_tables(spark_dir: Path, tables: list[str]) -> dict[str, dict]:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_config(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        out = {}
        for name in tables:
            df = spark.table(name)
            out[name] = {
                "columns": list(df.columns),
                "types": [f.dataType.simpleString() for f in df.schema.fields],
                "rows": [tuple(row) for row in df.collect()],
            }
        return out
    finally:
        spark.stop()


def main(argv: list[str]) -> int:
    spark_dir, out, *tables = argv
    result = read_tables(Path(spark_dir), tables)
    Path(out).write_bytes(pickle.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
