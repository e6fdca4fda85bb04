"""``serving/superset``: after each publish, bring Superset in step with the new serve.duckdb.

The asset calls ``superset/sync.py``'s ``sync_after_publish`` (docs/superset.md, "Sync after each
publish"): it rebuilds the tenants' SQL Lab files, re-imports the dashboards-as-code bundle when
the marts changed (new columns, new marts, changed dbt descriptions reach Superset's datasets),
refreshes roles and row-level security, warms every dashboard chart's cache and records when
each dashboard last saw new data. All through Superset's REST API.

Superset down: the asset fails with ``dagster.Failure`` ("Superset at URL is down: start it
with `make superset`"). It runs after publish and nothing depends on it, so the load, dbt,
publish and the exports are not affected; re-run it alone with the ``superset_sync`` job.
A data directory where Superset was never set up (no ``<home>/superset/superset.db``) and no
URL configured: the step is skipped with a log line, so ``ccwh build`` and ``make demo`` work
without Superset.

Where Superset is: the asset's config ``url``, else ``CCWH_SUPERSET_URL``, else the running
``superset/manage.sh serve`` of this home (``<home>/superset/server.json``), else
``http://127.0.0.1:8088``. The admin password: ``CCWH_SUPERSET_ADMIN_PASSWORD``, else
``<home>/superset/admin_password`` (written by bootstrap).

Why superset/sync.py is loaded by path (:func:`load_sync`): ``superset/`` has no
``__init__.py`` on purpose — it is a folder of scripts run by the Superset virtualenv, and as a
regular package named ``superset`` it would shadow the real ``superset`` package there (the repo
is the working directory of ``manage.sh``). The pipeline's editable install maps only ccwh,
ingestion, orchestration and exports, so ``import superset`` does not work here either, and
must not: ``superset`` is the name of a package that lives only in the other virtualenv. The
client modules (sync, api, bundle, tenant_files, dbt_docs) need only requests, pyyaml, duckdb
and the standard library, all in the pipeline's virtualenv; so they are imported under the
private package name ``ccwh_superset_client`` whose path is ``superset/``. Their relative
imports (``from . import bundle``) work as they do everywhere else, nothing is added to
sys.path, and the same files keep serving ``manage.sh`` in the Superset virtualenv.
"""

# no `from __future__ import annotations`: Dagster reads the annotations at runtime

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
    in_process_executor,
)
from pydantic import Field

from orchestration.progress import say
from orchestration.resources import WarehouseResource

SUPERSET_DIR = Path(__file__).resolve().parent.parent / "superset"
CLIENT_PACKAGE = "ccwh_superset_client"
URL_ENV = "CCWH_SUPERSET_URL"
PUBLISH_KEY = AssetKey(["serving", "warehouse"])  # orchestration/assets/publish.py
SUPERSET_KEY = AssetKey(["serving", "superset"])


def load_sync() -> ModuleType:
    """``superset/sync.py`` as ``ccwh_superset_client.sync`` (see the module docstring)."""
    name = f"{CLIENT_PACKAGE}.sync"
    if name in sys.modules:
        return sys.modules[name]
    if not (SUPERSET_DIR / "sync.py").exists():
        raise Failure(f"superset/sync.py not found under {SUPERSET_DIR}: run from the repository")
    if CLIENT_PACKAGE not in sys.modules:
        spec = importlib.machinery.ModuleSpec(CLIENT_PACKAGE, None, is_package=True)
        spec.submodule_search_locations = [str(SUPERSET_DIR)]
        sys.modules[CLIENT_PACKAGE] = importlib.util.module_from_spec(spec)
    return importlib.import_module(name)


class SupersetSyncConfig(Config):
    url: str | None = Field(
        default=None,
        description="Superset's URL; default: CCWH_SUPERSET_URL, else this home's running "
        "`superset/manage.sh serve`, else http://127.0.0.1:8088",
    )


def superset_configured(home: Path, url: str | None) -> bool:
    """Is there a Superset to sync: a URL given, or Superset bootstrapped in this home."""
    return bool(url or os.environ.get(URL_ENV) or (home / "superset" / "superset.db").exists())


def _metadata(summary: dict[str, Any]) -> dict[str, Any]:
    dashboards = summary.get("dashboards", {})
    rows = "\n".join(
        f"| {slug} | {d.get('last_new_data_at') or ''} | {d.get('latest_data') or ''} |"
        for slug, d in sorted(dashboards.items())
    )
    meta: dict[str, Any] = {
        "url": MetadataValue.url(summary["url"]),
        "datasets_synced": len(summary.get("datasets", [])),
        "datasets": MetadataValue.json(summary.get("datasets", [])),
        "bundle_imported": bool(summary.get("bundle_imported")),
        "not_yet_built": MetadataValue.json(summary.get("skipped", [])),
        "tenants": MetadataValue.json(summary.get("tenants", [])),
        "charts_warmed": summary.get("charts_warmed", 0),
        "filters_warmed": summary.get("filters_warmed", 0),
        "tenants_warmed": MetadataValue.json(summary.get("tenants_warmed", {})),
        "dashboards_warmed": MetadataValue.json(summary.get("dashboards_warmed", [])),
        "last_new_data": MetadataValue.md(
            "| dashboard | new data last seen | latest data |\n|---|---|---|\n" + rows
        ),
        "seconds": summary.get("seconds", 0.0),
    }
    for slug, d in sorted(dashboards.items()):
        meta[f"last_new_data/{slug}"] = d.get("last_new_data_at") or ""
    return meta


@asset(
    key=SUPERSET_KEY,
    group_name="serving",
    kinds={"superset"},
    deps=[PUBLISH_KEY],
    output_required=False,  # skipped where Superset was never set up
    description="Superset in step with serve.duckdb: datasets re-imported with new columns and "
    "dbt descriptions, tenants' roles/RLS and SQL Lab files, every dashboard chart's cache "
    "warmed, and when each dashboard last saw new data (superset/sync.py). Fails, alone, when "
    "Superset is down.",
)
def superset_sync(
    context: AssetExecutionContext, config: SupersetSyncConfig, warehouse: WarehouseResource
):
    home = warehouse.paths.root
    if not superset_configured(home, config.url):
        say(
            context,
            f"superset sync: skipped — Superset was never set up for {home} and no URL is "
            f"configured ({URL_ENV}); `make superset` sets it up",
        )
        return
    sync = load_sync()
    url = sync.server_url(home, config.url)
    say(context, f"superset sync: {url}…")
    try:
        summary = sync.sync_after_publish(home, url, log=lambda m: say(context, str(m)))
    except sync.SupersetDown as e:
        raise Failure(
            description=f"Superset at {url} is down: start it with `make superset` "
            f"(or `superset/manage.sh --home {home} serve`), then re-run this asset or the "
            f"`superset_sync` job. The warehouse was published; only Superset was not synced. "
            f"({e.__cause__ or e})",
            metadata={"url": MetadataValue.url(url)},
            allow_retries=False,
        ) from e
    except sync.SupersetApiError as e:
        raise Failure(
            description=f"Superset at {url} refused the sync: {e}",
            metadata={"url": MetadataValue.url(url)},
        ) from e
    metadata = _metadata(summary)
    if summary.get("warm_errors"):
        raise Failure(
            description=f"Superset at {url}: {len(summary['warm_errors'])} dashboard chart(s) "
            "failed while warming the caches: " + "; ".join(summary["warm_errors"][:5]),
            metadata={**metadata, "warm_errors": MetadataValue.json(summary["warm_errors"])},
        )
    say(
        context,
        f"superset sync: {len(summary.get('datasets', []))} datasets, "
        f"{summary['charts_warmed']} charts warmed on "
        f"{len(summary.get('dashboards_warmed', []))} dashboards in {summary['seconds']} s",
    )
    yield MaterializeResult(metadata=metadata)


SUPERSET_ASSETS = [superset_sync]

# Re-run the sync alone (after starting Superset): `dagster job execute -j superset_sync`, or
# from the UI. The scheduled `pipeline` job (AssetSelection.all()) includes the asset anyway.
superset_sync_job = define_asset_job(
    name="superset_sync",
    selection=AssetSelection.assets(superset_sync),
    description="Sync Superset with the published warehouse (superset/sync.py): datasets, "
    "tenants, row-level security, warm caches, freshness. Needs a running Superset.",
    executor_def=in_process_executor,
)

SUPERSET_JOBS = [superset_sync_job]
