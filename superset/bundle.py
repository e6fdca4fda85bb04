"""Build Superset's import bundle (ZIP) from the dashboards' source files in superset/dashboards/.

The bundle has exactly one top folder holding ``metadata.yaml``, ``databases/``,
``datasets/<db>/``, ``charts/`` and ``dashboards/`` (../shared/STACK.md, import traps). It is
deterministic: UUIDs are uuid5 of stable names, files are written in sorted order with a fixed
timestamp, so the same sources, dbt docs and warehouse give a byte-identical ZIP, and a
re-import overwrites the same objects instead of adding copies.

Inputs: ``dashboards/datasets.yaml`` (datasets and metrics), one ``dashboards/<name>.yaml`` per
dashboard, the dbt docs (descriptions, see dbt_docs.py), and the databases themselves for the
column lists and types (the published ``serve.duckdb``; the registry SQLite). A dataset whose
table does not exist yet (a mart family not built yet) is skipped with its charts; a dashboard
left with no chart is skipped.

Runs in either virtualenv (needs pyyaml and duckdb). CLI:
``python superset/bundle.py --home HOME --out bundle.zip``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sqlite3
import sys
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

if __package__:
    from . import dbt_docs
else:  # run as a script, or imported from superset/ on sys.path
    import dbt_docs

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "dashboards"
NAMESPACE = uuid.UUID("6f1c3a52-7d0e-4b8e-9a51-ccc0ffee0005")
TOP = "ccwh_bundle"
VERSION = "1.0.0"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

DB_MAIN = "ccwh"
DB_OPS = "ccwh_ops"
TENANT_DB_PREFIX = "ccwh_tenant_"


def stable_uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"ccwh:{kind}:{name}"))


# --- databases -------------------------------------------------------------------------------


def duckdb_uri(path: Path) -> str:
    """Read-only DuckDB URI: every query opens the file afresh (NullPool) and read-only, so the
    publish swap (os.replace) is never blocked and never seen half-done. External access is off
    and the configuration locked: SQL Lab cannot ATTACH other files or read_csv() the server's
    files (the Superset secret key, another tenant's database, …)."""
    return (
        f"duckdb:///{path}?access_mode=read_only&enable_external_access=false"
        "&lock_configuration=true"
    )


def registry_uri(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def registry_path(home: Path) -> Path:
    return home / "exports" / "registry.sqlite"


def serving_path(home: Path) -> Path:
    return home / "warehouse" / "serve.duckdb"


def database_yaml(name: str, uri: str, *, sqllab: bool = True) -> dict[str, Any]:
    return {
        "database_name": name,
        "sqlalchemy_uri": uri,
        "cache_timeout": None,
        "expose_in_sqllab": sqllab,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "extra": {},  # required by the importer (STACK.md)
        "uuid": stable_uuid("database", name),
        "version": VERSION,
    }


# --- column metadata from the databases ------------------------------------------------------

TEMPORAL = ("DATE", "TIMESTAMP", "TIME")


def duckdb_columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, type)] of schema main of a DuckDB file (empty if it does not exist)."""
    if not path.exists():
        return {}
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "ORDER BY table_name, column_index"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def sqlite_columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    if not path.exists():
        return {}
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        out = {}
        for t in tables:
            cols = con.execute(f'pragma table_info("{t}")').fetchall()
            out[t] = [
                (c[1], "DATETIME" if c[1].endswith("_at") else (c[2] or "TEXT").upper())
                for c in cols
            ]
        return out
    finally:
        con.close()


# --- sources ---------------------------------------------------------------------------------


@dataclass
class Dashboard:
    key: str
    spec: dict[str, Any]


@dataclass
class Sources:
    datasets: dict[str, dict[str, Any]]
    dashboards: list[Dashboard] = field(default_factory=list)


def load_sources(root: Path = SOURCES) -> Sources:
    ds = yaml.safe_load((root / "datasets.yaml").read_text())
    dashboards = [
        Dashboard(p.stem, yaml.safe_load(p.read_text()))
        for p in sorted(root.glob("*.yaml"))
        if p.name != "datasets.yaml"
    ]
    return Sources(datasets=ds["datasets"], dashboards=dashboards)


# --- metrics ---------------------------------------------------------------------------------


def metric_sql(spec: dict[str, Any]) -> str:
    if "sum" in spec:
        return f"CAST(SUM({spec['sum']}) AS BIGINT)"
    if "ratio" in spec:
        num, den = spec["ratio"]
        return f"CAST(SUM({num}) AS DOUBLE) / NULLIF(SUM({den}), 0)"
    if "weighted" in spec:
        value, weight = spec["weighted"]
        return (
            f"SUM(CAST({value} AS DOUBLE) * {weight}) / "
            f"NULLIF(SUM(CASE WHEN {value} IS NOT NULL THEN {weight} END), 0)"
        )
    return " ".join(str(spec["expr"]).split())


def metric_doc_column(spec: dict[str, Any]) -> str | None:
    if "doc" in spec:
        return spec["doc"]
    if "sum" in spec:
        return spec["sum"]
    if "ratio" in spec:
        return spec["ratio"][0]
    if "weighted" in spec:
        return spec["weighted"][0]
    return None


def metric_description(name: str, spec: dict[str, Any], columns_doc: dict[str, str]) -> str:
    if spec.get("description"):
        return spec["description"]
    column = metric_doc_column(spec)
    text = columns_doc.get(column or "", "")
    how = metric_sql(spec)
    if "weighted" in spec:
        how = f"mean of {spec['weighted'][0]} weighted by {spec['weighted'][1]}"
    elif "ratio" in spec:
        how = f"SUM({spec['ratio'][0]}) / SUM({spec['ratio'][1]}), null when 0"
    elif "sum" in spec:
        how = f"SUM({spec['sum']})"
    return f"{text} Over several rows: {how}.".strip()


# --- the bundle ------------------------------------------------------------------------------


@dataclass
class Built:
    files: dict[str, str]  # path inside the top folder -> YAML text
    datasets: dict[str, dict[str, Any]]  # name -> dataset yaml
    charts: dict[str, dict[str, Any]]  # key -> chart yaml (with _dataset, _dashboard)
    dashboards: dict[str, dict[str, Any]]  # slug -> dashboard yaml
    skipped: list[str]

    def zip_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(self.files):
                info = zipfile.ZipInfo(f"{TOP}/{path}", date_time=ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, self.files[path])
        return buf.getvalue()

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.zip_bytes()).hexdigest()


def _dump(obj: Any) -> str:
    return yaml.safe_dump(obj, sort_keys=True, allow_unicode=True, width=100)


def _time_filter(column: str | None) -> list[dict[str, Any]]:
    if not column:
        return []
    return [
        {
            "clause": "WHERE",
            "comparator": "No filter",
            "expressionType": "SIMPLE",
            "operator": "TEMPORAL_RANGE",
            "subject": column,
        }
    ]


def chart_params(spec: dict[str, Any], dataset: dict[str, Any], ds_uid: str) -> dict[str, Any]:
    """Superset form data for one chart spec (viz: big_number, line, bar, table, raw_table,
    pie)."""
    tcol = dataset.get("main_dttm_col")
    filters = _time_filter(tcol)
    if spec.get("where"):
        filters.append({"clause": "WHERE", "expressionType": "SQL", "sqlExpression": spec["where"]})
    viz = spec["viz"]
    base: dict[str, Any] = {
        "datasource": ds_uid,
        "adhoc_filters": filters,
        "extra_form_data": {},
        "dashboards": [],
    }
    if viz == "big_number":
        fmt = spec.get("format") or next(
            (m["d3format"] for m in dataset["metrics"] if m["metric_name"] == spec["metric"]),
            None,
        )
        return {
            **base,
            "viz_type": "big_number_total",
            "metric": spec["metric"],
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "y_axis_format": fmt or "SMART_NUMBER",
            "time_format": "smart_date",
        }
    if viz in ("line", "bar"):
        p = {
            **base,
            "viz_type": "echarts_timeseries_line" if viz == "line" else "echarts_timeseries_bar",
            "x_axis": spec["x"],
            "time_grain_sqla": spec.get("time_grain"),
            "metrics": spec["metrics"],
            "groupby": [spec["series"]] if spec.get("series") else [],
            "row_limit": 10000,
            "truncate_metric": True,
            "show_legend": True,
            "legendType": "scroll",
            "legendOrientation": "top",
            "x_axis_time_format": "smart_date",
            "rich_tooltip": True,
            "y_axis_format": "SMART_NUMBER",
            "comparison_type": "values",
            "order_desc": True,
            "sort_series_type": "sum",
        }
        if spec.get("stack"):
            p["stack"] = "Stack"
        return p
    if viz == "table":
        return {
            **base,
            "viz_type": "table",
            "query_mode": "aggregate",
            "groupby": spec["groupby"],
            "metrics": spec["metrics"],
            "all_columns": [],
            "percent_metrics": [],
            "order_by_cols": [],
            "timeseries_limit_metric": spec.get("order_by"),
            "order_desc": True,
            "row_limit": spec.get("row_limit", 1000),
            "server_page_length": 10,
            "table_timestamp_format": "smart_date",
            "show_cell_bars": True,
            "color_pn": True,
        }
    if viz == "raw_table":
        return {
            **base,
            "viz_type": "table",
            "query_mode": "raw",
            "groupby": [],
            "metrics": [],
            "all_columns": spec["columns"],
            "percent_metrics": [],
            "order_by_cols": [json.dumps([spec.get("order_by", spec["columns"][0]), False])],
            "row_limit": spec.get("row_limit", 1000),
            "server_page_length": 10,
            "table_timestamp_format": "smart_date",
        }
    if viz == "pie":
        return {
            **base,
            "viz_type": "pie",
            "groupby": [spec["groupby"]],
            "metric": spec["metric"],
            "row_limit": 100,
            "show_labels": True,
            "label_type": "key_percent",
            "number_format": "SMART_NUMBER",
            "show_legend": True,
            "legendType": "scroll",
            "legendOrientation": "top",
            "donut": True,
            "sort_by_metric": True,
        }
    raise ValueError(f"chart viz {viz!r} is not one this builder knows")


def query_context(params: dict[str, Any], dataset_id: int | None = None) -> dict[str, Any]:
    """The chart's saved query (what warm-up and /api/v1/chart/<id>/data run). The dataset id is
    filled in by sync.py once Superset has assigned it (the importer does not remap it).

    It is, field for field, the query Superset 6.1's front end builds for the chart on a
    dashboard with its filters at their defaults (each viz's buildQuery): the results cache is
    keyed on the query, so only then does the sync's warm-up (which runs this saved query) fill
    the entries a viewer's dashboard reads. tests/test_superset.py checks in Chromium that every
    chart request of a dashboard opened after a sync is a cache hit."""
    viz = params["viz_type"]
    filters = [
        {"col": f["subject"], "op": "TEMPORAL_RANGE", "val": f["comparator"]}
        for f in params.get("adhoc_filters", [])
        if f.get("operator") == "TEMPORAL_RANGE"
    ]
    where = " AND ".join(
        f"({f['sqlExpression']})"
        for f in params.get("adhoc_filters", [])
        if f.get("expressionType") == "SQL"
    )
    q: dict[str, Any] = {
        "filters": filters,
        "extras": {"having": "", "where": where},
        "applied_time_extras": {},
        "annotation_layers": [],
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "series_limit": 0,
        "group_others_when_limit_reached": False,
        "order_desc": True,
    }
    if viz == "big_number_total":
        q.update(columns=[], metrics=[params["metric"]])  # no row_limit: Superset's default
    elif viz.startswith("echarts_timeseries"):
        metrics, groupby = params["metrics"], params["groupby"]
        post: list[dict[str, Any]] = [
            {
                "operation": "pivot",
                "options": {
                    "index": [params["x_axis"]],
                    "columns": groupby,
                    "aggregates": {m: {"operator": "mean"} for m in metrics},
                    "drop_missing_columns": False,
                },
            }
        ]
        if groupby and len(metrics) == 1:  # the front end's renameOperator
            post.append(
                {
                    "operation": "rename",
                    "options": {"columns": {metrics[0]: None}, "level": 0, "inplace": True},
                }
            )
        post.append({"operation": "flatten"})
        q["extras"] = {"time_grain_sqla": params["time_grain_sqla"], **q["extras"]}
        q.update(
            columns=[
                {
                    "timeGrain": params["time_grain_sqla"],
                    "columnType": "BASE_AXIS",
                    "sqlExpression": params["x_axis"],
                    "label": params["x_axis"],
                    "expressionType": "SQL",
                    "isColumnReference": True,
                },
                *groupby,
            ],
            metrics=metrics,
            orderby=[[metrics[0], False]],
            row_limit=params["row_limit"],
            series_columns=groupby,
            time_offsets=[],
            post_processing=post,
        )
    elif viz == "table" and params["query_mode"] == "aggregate":
        order = params.get("timeseries_limit_metric")
        q.update(
            columns=params["groupby"],
            metrics=params["metrics"],
            orderby=[[order, False]] if order else [],
            row_limit=params["row_limit"],
            post_processing=[],
            time_offsets=[],
        )
        if order:
            q["series_limit_metric"] = order
    elif viz == "table":  # raw records: the front end sends no metrics at all
        q.update(
            columns=params["all_columns"],
            orderby=[json.loads(c) for c in params["order_by_cols"]],
            row_limit=params["row_limit"],
            post_processing=[],
            time_offsets=[],
        )
    elif viz == "pie":
        metric = params["metric"]
        q.update(
            columns=params["groupby"],
            metrics=[metric],
            orderby=[[metric, False]],
            row_limit=params["row_limit"],
            post_processing=[
                {
                    "operation": "contribution",
                    "options": {
                        "columns": [metric],
                        "rename_columns": [f"{metric}__contribution"],
                    },
                }
            ],
        )
    return {
        "datasource": {"id": dataset_id or 0, "type": "table"},
        "force": False,
        "queries": [q],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }


def filter_values_query(dataset_id: int, column: str) -> dict[str, Any]:
    """The query a dashboard's value-list filter (filter_select, no parent value chosen) sends
    for its values: the same fields as Superset 6.1's front end, hence the same cache entry
    (see query_context)."""
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": False,
        "queries": [
            {
                "filters": [],
                "extras": {"having": "", "where": ""},
                "applied_time_extras": {},
                "columns": [column],
                "metrics": [],
                "orderby": [[column, True]],
                "annotation_layers": [],
                "row_limit": 1000,
                "series_limit": 0,
                "group_others_when_limit_reached": False,
                "order_desc": True,
                "url_params": {},
                "custom_params": {},
                "custom_form_data": {},
            }
        ],
        "result_format": "json",
        "result_type": "full",
    }


def tenant_db_name(tenant: str) -> str:
    return TENANT_DB_PREFIX + tenant


def tenant_file(home: Path, tenant: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in tenant)
    digest = hashlib.sha1(tenant.encode()).hexdigest()[:8]
    return home / "superset" / "tenants" / f"{safe}-{digest}.duckdb"


def build(
    home: Path, sources: Sources | None = None, docs=None, tenants: list[str] | None = None
) -> Built:
    """Everything the import needs, from the sources, the dbt docs and the databases of
    ``home`` (a ccwh data directory)."""
    home = Path(home)
    sources = sources or load_sources()
    docs = docs if docs is not None else dbt_docs.load()
    tables = {
        DB_MAIN: duckdb_columns(serving_path(home)),
        DB_OPS: sqlite_columns(registry_path(home)),
    }
    files: dict[str, str] = {}
    skipped: list[str] = []

    databases = {
        DB_MAIN: database_yaml(DB_MAIN, duckdb_uri(serving_path(home))),
        # The registry is operational data; SQL Lab on it is for admins (ccwh_security.py).
        DB_OPS: database_yaml(DB_OPS, registry_uri(registry_path(home))),
    }
    # One SQL Lab database per tenant: a DuckDB file holding only that tenant's rows
    # (tenant_files.py), the only database a tenant analyst may query in SQL Lab.
    for tenant in sorted(tenants or []):
        name = tenant_db_name(tenant)
        databases[name] = database_yaml(name, duckdb_uri(tenant_file(home, tenant)))

    datasets: dict[str, dict[str, Any]] = {}
    for name, spec in sorted(sources.datasets.items()):
        db = spec.get("database", DB_MAIN)
        cols = tables[db].get(name)
        if not cols:
            skipped.append(f"dataset {name} (no table {name} in {db} yet)")
            continue
        doc = docs.get(name)
        columns_doc = dict(doc.columns) if doc else {}
        columns_doc.update(spec.get("columns_doc") or {})
        tcol = spec.get("time_column")
        columns = []
        for cname, ctype in cols:
            is_dttm = ctype.upper().startswith(TEMPORAL) or ctype.upper() == "DATETIME"
            columns.append(
                {
                    "column_name": cname,
                    "verbose_name": None,
                    "is_dttm": is_dttm,
                    "is_active": True,
                    "type": ctype,
                    "advanced_data_type": None,
                    "groupby": True,
                    "filterable": True,
                    "expression": None,
                    "description": columns_doc.get(cname) or None,
                    "python_date_format": None,
                    "extra": {},
                }
            )
        col_names = {c for c, _ in cols}
        for cname, cspec in sorted((spec.get("computed") or {}).items()):
            if cspec.get("doc") and cspec["doc"] not in col_names:
                continue
            text = f"{cspec.get('prefix', '')} {columns_doc.get(cspec.get('doc', ''), '')}"
            columns.append(
                {
                    "column_name": cname,
                    "verbose_name": None,
                    "is_dttm": False,
                    "is_active": True,
                    "type": cspec.get("type", "VARCHAR"),
                    "advanced_data_type": None,
                    "groupby": True,
                    "filterable": True,
                    "expression": cspec["expr"],
                    "description": text.strip() or None,
                    "python_date_format": None,
                    "extra": {},
                }
            )
            col_names.add(cname)
        metrics = []
        for mname, mspec in sorted((spec.get("metrics") or {}).items()):
            doc_col = metric_doc_column(mspec)
            if doc_col and doc_col not in col_names and "description" not in mspec:
                skipped.append(f"metric {name}.{mname} (no column {doc_col})")
                continue
            metrics.append(
                {
                    "metric_name": mname,
                    "verbose_name": mspec.get("label") or mname.replace("_", " ").capitalize(),
                    "metric_type": None,
                    "expression": metric_sql(mspec),
                    "description": metric_description(mname, mspec, columns_doc),
                    "d3format": mspec.get("format"),
                    "extra": {},
                    "warning_text": None,
                }
            )
        schema = spec.get("schema", "main")
        datasets[name] = {
            "table_name": name,
            "main_dttm_col": tcol if tcol in col_names else None,
            "description": (spec.get("description") or (doc.description if doc else "")) or None,
            "default_endpoint": None,
            "offset": 0,
            "cache_timeout": None,
            "schema": schema,
            "catalog": None,
            "sql": None,
            "params": None,
            "template_params": None,
            "filter_select_enabled": True,
            "fetch_values_predicate": None,
            "extra": {"ccwh_tenant_column": spec.get("tenant_column", "tenant_id")},
            "normalize_columns": False,
            "always_filter_main_dttm": False,
            "uuid": stable_uuid("dataset", f"{db}.{name}"),
            "database_uuid": databases[db]["uuid"],
            "columns": columns,
            "metrics": metrics,
            "version": VERSION,
            "_database": db,
        }

    charts: dict[str, dict[str, Any]] = {}
    dashboards: dict[str, dict[str, Any]] = {}
    used_datasets: set[str] = set()
    for dash in sources.dashboards:
        spec = dash.spec
        slug = spec["slug"]
        dash_charts: dict[str, dict[str, Any]] = {}
        for key, cspec in spec["charts"].items():
            ds = datasets.get(cspec["dataset"])
            if ds is None:
                skipped.append(f"chart {key} (dataset {cspec['dataset']} missing)")
                continue
            metric_names = {m["metric_name"] for m in ds["metrics"]}
            wanted = [cspec["metric"]] if "metric" in cspec else list(cspec.get("metrics", []))
            if any(m not in metric_names for m in wanted):
                skipped.append(f"chart {key} (metric missing in {cspec['dataset']})")
                continue
            params = chart_params(cspec, ds, f"__{cspec['dataset']}")
            chart_uuid = stable_uuid("chart", key)
            dash_charts[key] = {
                "slice_name": cspec["title"],
                "description": cspec.get("description"),
                "certified_by": None,
                "certification_details": None,
                "viz_type": params["viz_type"],
                "params": params,
                "query_context": json.dumps(query_context(params), sort_keys=True),
                "cache_timeout": None,
                "uuid": chart_uuid,
                "version": VERSION,
                "dataset_uuid": ds["uuid"],
                "_dataset": cspec["dataset"],
                "_dashboard": slug,
            }
        if not dash_charts:
            skipped.append(f"dashboard {slug} (no chart has its data yet)")
            continue
        charts.update(dash_charts)
        used_datasets.update(c["_dataset"] for c in dash_charts.values())
        dashboards[slug] = dashboard_yaml(spec, dash_charts, datasets)

    # Every dataset goes in (analysts build their own charts on them), used or not.
    for name, ds in datasets.items():
        db = ds["_database"]
        body = {k: v for k, v in ds.items() if not k.startswith("_")}
        files[f"datasets/{db}/{name}.yaml"] = _dump(body)
    for name, db in databases.items():
        files[f"databases/{name}.yaml"] = _dump(db)
    for key, ch in charts.items():
        body = {k: v for k, v in ch.items() if not k.startswith("_")}
        # the datasource param is the dataset's "<id>__table" once imported; the importer
        # rewrites it from dataset_uuid.
        files[f"charts/{key}.yaml"] = _dump(body)
    for slug, d in dashboards.items():
        files[f"dashboards/{slug}.yaml"] = _dump(d)
    files["metadata.yaml"] = _dump(
        {"version": VERSION, "type": "assets", "timestamp": "2026-01-01T00:00:00+00:00"}
    )
    return Built(
        files=files, datasets=datasets, charts=charts, dashboards=dashboards, skipped=skipped
    )


def _filter_id(slug: str, name: str) -> str:
    return "NATIVE_FILTER-" + hashlib.sha1(f"{slug}:{name}".encode()).hexdigest()[:10]


def dashboard_yaml(
    spec: dict[str, Any], charts: dict[str, dict[str, Any]], datasets: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    slug = spec["slug"]
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": spec["title"]}},
    }
    local_ids: dict[str, int] = {}
    for r, row in enumerate(spec["layout"]):
        row_id = f"ROW-{slug}-{r}"
        present = []
        for item in row:
            key, width = item if isinstance(item, list) else (item, None)
            if key in charts:
                present.append((key, width))
        if not present:
            continue
        default_width = max(2, 12 // len(present))
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for key, width in present:
            local_ids[key] = len(local_ids) + 1
            chart_id = f"CHART-{key}"
            position[row_id]["children"].append(chart_id)
            viz = charts[key]["viz_type"]
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "width": width or default_width,
                    "height": 22 if viz == "big_number_total" else 50,
                    "chartId": local_ids[key],  # required by the importer (STACK.md)
                    "uuid": charts[key]["uuid"],
                    "sliceName": charts[key]["slice_name"],
                },
            }
    filters = []
    ids_by_name = {f["name"]: _filter_id(slug, f["name"]) for f in spec.get("filters", [])}
    for f in spec.get("filters", []):
        fid = ids_by_name[f["name"]]
        if f.get("type") == "time":
            filters.append(
                {
                    "id": fid,
                    "name": f["name"],
                    "filterType": "filter_time",
                    "type": "NATIVE_FILTER",
                    "targets": [{}],
                    "controlValues": {"enableEmptyFilter": False},
                    "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                    "cascadeParentIds": [],
                    "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                    "description": "Report day range (applies to each chart's report day).",
                }
            )
            continue
        ds = datasets[f["dataset"]]
        # charts whose dataset lacks the column are kept out of the filter's scope
        excluded = sorted(
            local_ids[k]
            for k, c in charts.items()
            if k in local_ids
            and f["column"]
            not in {col["column_name"] for col in datasets[c["_dataset"]]["columns"]}
        )
        filters.append(
            {
                "id": fid,
                "name": f["name"],
                "filterType": "filter_select",
                "type": "NATIVE_FILTER",
                "targets": [{"datasetUuid": ds["uuid"], "column": {"name": f["column"]}}],
                "controlValues": {
                    "enableEmptyFilter": False,
                    "defaultToFirstItem": False,
                    "multiSelect": True,
                    "searchAllOptions": False,
                    "inverseSelection": False,
                },
                "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                "cascadeParentIds": [ids_by_name[f["parent"]]] if f.get("parent") else [],
                "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
                "description": f.get("description", ""),
            }
        )
    metadata = {
        "native_filter_configuration": filters,
        "chart_configuration": {},
        "global_chart_configuration": {
            "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
            "chartsInScope": [],
        },
        "color_scheme": "supersetColors",
        "refresh_frequency": 0,
        "expanded_slices": {},
        "label_colors": {},
        "shared_label_colors": [],
        "color_scheme_domain": [],
        "timed_refresh_immune_slices": [],
        "cross_filters_enabled": True,
        "default_filters": "{}",
    }
    return {
        "dashboard_title": spec["title"],
        "description": spec.get("description"),
        "css": "",
        "slug": slug,
        "uuid": stable_uuid("dashboard", slug),
        "position": position,
        "metadata": metadata,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "version": VERSION,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="build the Superset import bundle")
    p.add_argument("--home", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--tenant", action="append", default=[], help="add a tenant database")
    args = p.parse_args(argv)
    built = build(args.home.resolve(), tenants=args.tenant)
    args.out.write_bytes(built.zip_bytes())
    for s in built.skipped:
        print(f"skipped: {s}", file=sys.stderr)
    print(
        f"{args.out}: {len(built.datasets)} datasets, {len(built.charts)} charts, "
        f"{len(built.dashboards)} dashboards, sha256 {built.digest[:12]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
