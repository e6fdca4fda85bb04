"""Keep Superset in step with the published warehouse, through Superset's REST API.

Run after every publish (the Dagster asset calls :func:`sync_after_publish`), and by
``superset/manage.sh bootstrap`` / ``sync``. Idempotent; each step only changes what differs:

1. Tenants: the tenants with data (``tenants`` mart, registry); each gets its SQL Lab file
   ``<home>/superset/tenants/<t>.duckdb`` rebuilt from serve.duckdb (tenant_files.py).
2. Objects as code: the import bundle is rebuilt from superset/dashboards/, the dbt docs and the
   databases' current columns (bundle.py) and imported through ``/api/v1/assets/import/`` when it
   differs from the last one imported: new columns, new marts and changed dbt descriptions reach
   Superset's datasets this way (an import overwrites datasets, charts and dashboards by UUID).
3. Tenant isolation: one role ``ccwh_tenant_<t>`` per tenant (dataset access on every ccwh
   dataset + database access on its own ``ccwh_tenant_<t>``), one row-level-security rule per
   tenant (``tenant_id = '<t>'``; ``tenant = '<t>'`` on report_runs), a Base rule ``1 = 0`` for
   everybody without a tenant role (Admin and ``ccwh_all_tenants`` excepted), and the role
   ``ccwh_all_tenants`` for analysts who may see every tenant.
4. Warm-up: every chart of every dashboard is computed once with ``force`` so the first viewer
   after a publish gets cached results.
5. Freshness: per dashboard, a fingerprint of its data (rows and latest report day of each of
   its tables); when it changes, the dashboard's certification line says when new data was
   last seen, and ``<home>/superset/sync_state.json`` records it.

Superset down: :class:`SupersetDown` with a message saying so; nothing else is affected (the
publish already happened; dashboards pick the data up on their next query anyway).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__:
    from . import bundle as bundle_mod
    from . import tenant_files
    from .api import Api, SupersetApiError, SupersetDown
else:
    import bundle as bundle_mod
    import tenant_files
    from api import Api, SupersetApiError, SupersetDown

__all__ = ["SupersetDown", "SupersetApiError", "sync", "sync_after_publish", "connect"]

DEFAULT_URL = "http://127.0.0.1:8088"
ADMIN_USER = "admin"
ALL_TENANTS_ROLE = "ccwh_all_tenants"
TENANT_ROLE_PREFIX = "ccwh_tenant_"
RLS_PREFIX = "ccwh "
BASE_RULE = "ccwh: no tenant role, no rows"
WARM_USER_PREFIX = "ccwh_warmup_"
WARM_WORKERS = 3


def superset_home(home: Path) -> Path:
    return Path(home) / "superset"


def state_path(home: Path) -> Path:
    return superset_home(home) / "sync_state.json"


def admin_password(home: Path) -> str:
    env = os.environ.get("CCWH_SUPERSET_ADMIN_PASSWORD")
    if env:
        return env
    path = superset_home(home) / "admin_password"
    if not path.exists():
        raise SupersetApiError(
            f"no admin password: set CCWH_SUPERSET_ADMIN_PASSWORD or run "
            f"`superset/manage.sh --home {home} bootstrap` (it writes {path})"
        )
    return path.read_text().strip()


def server_url(home: Path, url: str | None = None) -> str:
    if url:
        return url
    if os.environ.get("CCWH_SUPERSET_URL"):
        return os.environ["CCWH_SUPERSET_URL"]
    info = superset_home(home) / "server.json"
    if info.exists():
        try:
            return json.loads(info.read_text())["url"]
        except (ValueError, KeyError):
            pass
    return DEFAULT_URL


def connect(home: Path, url: str | None = None) -> Api:
    home = Path(home)
    api = Api(server_url(home, url), ADMIN_USER, "")
    api.ping()  # "Superset is down" before "no admin password": the first thing to fix
    api.password = admin_password(home)
    return api.login()


def _load_state(home: Path) -> dict[str, Any]:
    p = state_path(home)
    if p.exists():
        try:
            return json.loads(p.read_text())
        except ValueError:
            return {}
    return {}


def _save_state(home: Path, state: dict[str, Any]) -> None:
    p = state_path(home)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True, default=str))
    os.replace(tmp, p)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- roles and row-level security ------------------------------------------------------------


def ensure_role(api: Api, roles: dict[str, dict], name: str) -> int:
    if name not in roles:
        created = api.post("/api/v1/security/roles/", json={"name": name})
        roles[name] = {"id": created["id"], "name": name}
    return roles[name]["id"]


def sync_security(api: Api, tenants: list[str], built) -> dict[str, Any]:
    datasets = {
        d["table_name"]: d
        for d in api.list("dataset", columns=["id", "table_name", "database.database_name"])
    }
    managed = {name: datasets[name]["id"] for name in built.datasets if name in datasets}
    tenant_col = {
        name: (ds.get("extra") or {}).get("ccwh_tenant_column", "tenant_id")
        for name, ds in built.datasets.items()
    }
    pvms = api.list("security/permissions-resources")
    pvm_id = {(p["permission"]["name"], p["view_menu"]["name"]): p["id"] for p in pvms}
    databases = {
        d["database_name"]: d["id"] for d in api.list("database", columns=["id", "database_name"])
    }

    def ds_perm(name: str) -> int | None:
        db = built.datasets[name]["_database"]
        return pvm_id.get(("datasource_access", f"[{db}].[{name}](id:{managed[name]})"))

    def db_perm(name: str) -> int | None:
        if name not in databases:
            return None
        return pvm_id.get(("database_access", f"[{name}].(id:{databases[name]})"))

    dataset_perms = sorted(p for p in (ds_perm(n) for n in managed) if p)
    # Drill to detail / samples (Gamma lacks them); they go through RLS like chart data.
    dataset_perms += [
        pvm_id[k]
        for k in (("can_samples", "Datasource"), ("can_drill", "Dashboard"))
        if k in pvm_id
    ]
    roles = api.by_name("security/roles", "name")
    role_ids: dict[str, int] = {}
    for tenant in tenants:
        rname = TENANT_ROLE_PREFIX + tenant
        rid = ensure_role(api, roles, rname)
        role_ids[tenant] = rid
        perms = list(dataset_perms)
        own = db_perm(bundle_mod.tenant_db_name(tenant))
        if own:
            perms.append(own)
        api.post(
            f"/api/v1/security/roles/{rid}/permissions", json={"permission_view_menu_ids": perms}
        )
    all_id = ensure_role(api, roles, ALL_TENANTS_ROLE)
    all_perms = list(dataset_perms) + [
        p for p in (db_perm(bundle_mod.DB_MAIN), db_perm(bundle_mod.DB_OPS)) if p
    ]
    api.post(
        f"/api/v1/security/roles/{all_id}/permissions", json={"permission_view_menu_ids": all_perms}
    )

    rules = api.by_name("rowlevelsecurity", "name")

    def upsert(name: str, body: dict[str, Any]) -> None:
        body = {"name": name, **body}
        if name in rules:
            api.put(f"/api/v1/rowlevelsecurity/{rules[name]['id']}", json=body)
        else:
            api.post("/api/v1/rowlevelsecurity/", json=body)

    by_col: dict[str, list[int]] = {}
    for name, did in managed.items():
        by_col.setdefault(tenant_col[name], []).append(did)
    for tenant in tenants:
        quoted = tenant.replace("'", "''")
        for col, ids in sorted(by_col.items()):
            upsert(
                f"{RLS_PREFIX}{tenant} ({col})",
                {
                    "filter_type": "Regular",
                    "tables": sorted(ids),
                    "roles": [role_ids[tenant]],
                    "group_key": f"tenant_{col}",
                    "clause": f"{col} = '{quoted}'",
                    "description": f"Tenant {tenant} sees only its own rows (ccwh sync).",
                },
            )
    admin_role = roles.get("Admin", {}).get("id")
    upsert(
        BASE_RULE,
        {
            "filter_type": "Base",
            "tables": sorted(managed.values()),
            "roles": sorted([r for r in [admin_role, all_id, *role_ids.values()] if r]),
            "group_key": "",
            "clause": "1 = 0",
            "description": "Users without a tenant role (or Admin / ccwh_all_tenants) see no rows.",
        },
    )
    return {"roles": sorted(TENANT_ROLE_PREFIX + t for t in tenants), "datasets": len(managed)}


# --- freshness -------------------------------------------------------------------------------


def data_fingerprints(home: Path, built) -> dict[str, dict[str, Any]]:
    """Per dataset: rows and latest value of its time column (from the databases directly)."""
    import sqlite3

    out: dict[str, dict[str, Any]] = {}
    serving = bundle_mod.serving_path(home)
    if serving.exists():
        import duckdb

        con = duckdb.connect(str(serving), read_only=True)
        try:
            for name, ds in built.datasets.items():
                if ds["_database"] != bundle_mod.DB_MAIN:
                    continue
                tcol = ds["main_dttm_col"]
                expr = f"max({tcol})::VARCHAR" if tcol else "NULL"
                rows, latest = con.execute(
                    f'SELECT count(*)::BIGINT, {expr} FROM main."{name}"'
                ).fetchone()
                out[name] = {"rows": int(rows), "latest": latest}
        finally:
            con.close()
    reg = bundle_mod.registry_path(home)
    if reg.exists() and "report_runs" in built.datasets:
        rcon = sqlite3.connect(f"file:{reg}?mode=ro", uri=True)
        try:
            rows, latest = rcon.execute(
                "select count(*), max(coalesce(finished_at, requested_at)) from report_runs"
            ).fetchone()
            out["report_runs"] = {"rows": rows, "latest": latest}
        finally:
            rcon.close()
    return out


# --- cache warm-up ---------------------------------------------------------------------------


def warm_requests(
    api: Api, built, dashboards: dict[str, dict]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, dashboard slug, /api/v1/chart/data body with force) for every chart of every
    dashboard and every value-list filter: the very queries the dashboard's front end sends
    (bundle.query_context, bundle.filter_values_query), so they fill the cache entries it
    reads."""
    ids = {d["table_name"]: d["id"] for d in api.list("dataset", columns=["id", "table_name"])}
    by_uuid = {ds["uuid"]: name for name, ds in built.datasets.items()}
    out: list[tuple[str, str, dict[str, Any]]] = []
    for key, ch in built.charts.items():
        did = ids.get(ch["_dataset"])
        if did is None or ch["_dashboard"] not in dashboards:
            continue
        body = json.loads(ch["query_context"])
        body["datasource"] = {"id": did, "type": "table"}
        body["form_data"]["datasource"] = f"{did}__table"
        body["force"] = True
        out.append((key, ch["_dashboard"], body))
    for slug in dashboards:
        for f in built.dashboards[slug]["metadata"]["native_filter_configuration"]:
            if f["filterType"] != "filter_select":
                continue
            target = f["targets"][0]
            did = ids.get(by_uuid.get(target["datasetUuid"], ""))
            if did is None:
                continue
            body = bundle_mod.filter_values_query(did, target["column"]["name"])
            body["force"] = True
            out.append((f"filter {slug}/{f['name']}", slug, body))
    return out


def _warm_user(api: Api, tenant: str, roles: dict[str, dict], active: bool) -> tuple[str, str]:
    """The tenant's cache warm-up user: Gamma + ``ccwh_tenant_<t>``, i.e. the row-level security
    of the tenant's analysts, hence their cache keys. Its password is new at every call and
    never stored, and the user is active only while the sync warms (``active=False`` after)."""
    name = WARM_USER_PREFIX + tenant
    password = secrets.token_urlsafe(24)
    body = {
        "first_name": "ccwh",
        "last_name": f"cache warm-up {tenant}",
        "username": name,
        "email": f"{name}@ccwh.invalid",
        "password": password,
        "active": active,
        "roles": [roles["Gamma"]["id"], roles[TENANT_ROLE_PREFIX + tenant]["id"]],
    }
    users = api.by_name("security/users", "username")
    if name in users:
        api.put(f"/api/v1/security/users/{users[name]['id']}", json=body)
    else:
        api.post("/api/v1/security/users/", json=body)
    return name, password


def _run_warm(
    api: Api, requests_: list[tuple[str, str, dict[str, Any]]], workers: int
) -> tuple[dict[str, float], dict[str, str]]:
    """POST every body, ``workers`` at a time (Superset serves them on several threads and
    DuckDB runs them in parallel); returns (seconds per label, error per failed label)."""
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()

    def one(item: tuple[str, str, dict[str, Any]]) -> tuple[str, float, str | None]:
        label, _slug, body = item
        if not hasattr(local, "api"):
            local.api = api.clone()
        t0 = time.monotonic()
        try:
            res = local.api.post("/api/v1/chart/data", json=body)
            error = next((q["error"] for q in res.get("result", []) if q.get("error")), None)
        except SupersetApiError as e:
            error = str(e)
        return label, round(time.monotonic() - t0, 3), error

    timings: dict[str, float] = {}
    errors: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for label, seconds, error in pool.map(one, requests_):
            timings[label] = seconds
            if error:
                errors[label] = error
    return timings, errors


def warm_caches(
    api: Api,
    built,
    dashboards: dict[str, dict],
    tenants: list[str],
    log=print,
    workers: int = WARM_WORKERS,
) -> dict[str, Any]:
    """Compute every dashboard chart and value list once with ``force``, as admin (the cache
    entries of Admin and ``ccwh_all_tenants``, who have no row-level security) and as each
    tenant's warm-up user (the entries of that tenant's analysts: the results cache is keyed
    on the row-level-security clauses too). After this a viewer's first render after a
    publish reads only cached results."""
    reqs = warm_requests(api, built, dashboards)
    seconds, errors = _run_warm(api, reqs, workers)
    done = [(label, slug) for label, slug, _body in reqs if label not in errors]
    out: dict[str, Any] = {
        "charts": sum(1 for label, _slug in done if label in built.charts),
        "filters": sum(1 for label, _slug in done if label not in built.charts),
        "dashboards": sorted({slug for _label, slug in done}),
        "seconds": {k: v for k, v in seconds.items() if k in built.charts},
        "errors": [f"{label}: {e}" for label, e in errors.items()],
        "tenants": {},
    }
    roles = api.by_name("security/roles", "name")
    for tenant in tenants:
        if TENANT_ROLE_PREFIX + tenant not in roles:
            continue
        name, password = _warm_user(api, tenant, roles, active=True)
        try:
            user_api = Api(api.url, name, password, timeout=api.timeout).login()
            t0 = time.monotonic()
            _secs, errs = _run_warm(user_api, reqs, workers)
            out["tenants"][tenant] = {
                "requests": len(reqs) - len(errs),
                "seconds": round(time.monotonic() - t0, 2),
            }
            out["errors"] += [f"tenant {tenant}: {label}: {e}" for label, e in errs.items()]
        finally:
            _warm_user(api, tenant, roles, active=False)  # and a new, unknown password
    log(
        f"superset sync: warmed {out['charts']} charts and {out['filters']} value lists for "
        f"admin and {len(out['tenants'])} tenant(s); {len(out['errors'])} errors"
    )
    return out


# --- the sync --------------------------------------------------------------------------------


def sync(
    home: Path | str,
    url: str | None = None,
    *,
    warm: bool = True,
    force_import: bool = False,
    log=print,
) -> dict[str, Any]:
    """Bring Superset in line with ``home``'s published warehouse; returns a summary."""
    started = time.monotonic()
    home = Path(home).resolve()
    api = connect(home, url)
    state = _load_state(home)
    summary: dict[str, Any] = {"url": api.url}

    tenants = tenant_files.tenants_in_warehouse(home)
    summary["tenant_files"] = tenant_files.build_all(home, tenants)["seconds"]
    summary["tenants"] = tenants

    built = bundle_mod.build(home, tenants=tenants)
    digest = built.digest
    existing = {d["slug"] for d in api.list("dashboard", columns=["id", "slug"])}
    missing = [s for s in built.dashboards if s not in existing]
    if force_import or digest != state.get("bundle_digest") or missing:
        api.import_assets(built.zip_bytes())
        state["bundle_digest"] = digest
        state["bundle_imported_at"] = _now()
        summary["bundle_imported"] = True
        log(
            f"superset sync: imported {len(built.datasets)} datasets, {len(built.charts)} charts, "
            f"{len(built.dashboards)} dashboards"
        )
    else:
        summary["bundle_imported"] = False
    summary["skipped"] = built.skipped
    summary["datasets"] = sorted(built.datasets)

    summary["security"] = sync_security(api, tenants, built)

    dashboards = {
        d["slug"]: d
        for d in api.list(
            "dashboard", columns=["id", "slug", "dashboard_title", "certification_details"]
        )
        if d["slug"] in built.dashboards
    }
    warmed = warm_caches(api, built, dashboards, tenants, log) if warm else {}
    summary["charts_warmed"] = warmed.get("charts", 0)
    summary["filters_warmed"] = warmed.get("filters", 0)
    summary["tenants_warmed"] = warmed.get("tenants", {})
    summary["dashboards_warmed"] = warmed.get("dashboards", [])
    summary["warm_errors"] = warmed.get("errors", [])
    summary["warm_seconds"] = warmed.get("seconds", {})

    fingerprints = data_fingerprints(home, built)
    freshness = state.setdefault("dashboards", {})
    now = _now()
    for slug, dash in dashboards.items():
        used = sorted({c["_dataset"] for c in built.charts.values() if c["_dashboard"] == slug})
        fp = {n: fingerprints.get(n) for n in used}
        latest = max((v["latest"] for v in fp.values() if v and v.get("latest")), default=None)
        entry = freshness.get(slug, {})
        changed = entry.get("fingerprint") != fp
        if changed:
            entry = {"fingerprint": fp, "last_new_data_at": now, "latest_data": latest}
            freshness[slug] = entry
        details = (
            f"New data last seen {entry['last_new_data_at']} (latest "
            f"{entry.get('latest_data') or 'n/a'}); refreshed after every publish."
        )
        if dash.get("certification_details") != details:  # changed, or reset by an import
            api.put(
                f"/api/v1/dashboard/{dash['id']}",
                json={"certified_by": "ccwh pipeline", "certification_details": details},
            )
        entry["last_synced_at"] = now
    summary["dashboards"] = {
        slug: {k: v for k, v in freshness[slug].items() if k != "fingerprint"}
        for slug in dashboards
        if slug in freshness
    }
    state["last_sync_at"] = now
    _save_state(home, state)
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def sync_after_publish(home: Path | str, url: str | None = None, log=None) -> dict[str, Any]:
    """What the pipeline calls after each publish. Raises :class:`SupersetDown` (a clear message,
    naming the URL and how to start Superset) when Superset is not running; the caller should let
    that fail only its own step, never the load or the exports."""
    try:
        return sync(home, url, log=log or (lambda *_: None))
    except SupersetDown as e:
        raise SupersetDown(
            f"{e}. The warehouse was published; Superset was not synced. Start Superset "
            f"(`make superset` or `superset/manage.sh --home {home} serve`) and re-run this "
            "step or `superset/manage.sh sync`."
        ) from e


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="sync Superset with the published warehouse")
    p.add_argument("--home", default=os.environ.get("CCWH_HOME", ".ccwh"))
    p.add_argument("--url", default=None)
    p.add_argument("--no-warm", action="store_true")
    p.add_argument("--force-import", action="store_true")
    args = p.parse_args(argv)
    try:
        summary = sync(args.home, args.url, warm=not args.no_warm, force_import=args.force_import)
    except SupersetDown as e:
        print(f"superset sync: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, default=str))
    return 1 if summary["warm_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
