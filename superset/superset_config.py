"""Superset configuration for ccwh (loaded through SUPERSET_CONFIG_PATH by manage.sh).

Everything Superset keeps lives under ``<home>/superset/`` (``CCWH_SUPERSET_HOME``, set by
manage.sh from ``--home`` / ``CCWH_HOME``): the SQLite metadata database, the generated
SECRET_KEY, the admin password file, logs and the pid file. See ../shared/STACK.md for why each
setting is here and docs/superset.md for the operator's view.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # ccwh_security.py sits next to this file
    sys.path.insert(0, str(_HERE))

from ccwh_security import CcwhSecurityManager  # noqa: E402

SUPERSET_HOME = Path(
    os.environ.get("CCWH_SUPERSET_HOME")
    or Path(os.environ.get("CCWH_HOME", ".ccwh")).resolve() / "superset"
)
SUPERSET_HOME.mkdir(parents=True, exist_ok=True)
DATA_DIR = str(SUPERSET_HOME)


def _secret_key() -> str:
    """Generated once per install into the home (0600), never committed."""
    path = SUPERSET_HOME / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
_METADATA_DB = (SUPERSET_HOME / "superset.db").resolve()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_METADATA_DB}?timeout=30"
SQLALCHEMY_TRACK_MODIFICATIONS = False


@event.listens_for(Engine, "connect")
def _metadata_db_pragmas(dbapi_connection, _record) -> None:
    """The SQLite metadata database in WAL mode with synchronous=NORMAL.

    Superset writes to it on every request (the action log: three rows and commits per chart
    data request). In SQLite's default rollback-journal mode each commit costs several fsyncs
    and blocks every reader of the 2 worker processes x 8 threads meanwhile: measured, a third
    of a cached chart-data request was spent logging. WAL lets readers run during a write and
    NORMAL syncs at checkpoints instead of at every commit (a power cut may lose the last log
    rows, never corrupt the file). Only this file: the registry (ccwh_ops) is opened read-only
    through its own engine and left alone.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    files = {row[2] for row in dbapi_connection.execute("PRAGMA database_list")}
    if str(_METADATA_DB) in files:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


# No Redis. Caches are files under <home>/superset/cache (FileSystemCache), not SimpleCache:
# `serve` runs 2 gunicorn worker processes (Python is GIL-bound; 2 cores), and the filter state,
# explore state and chart-data caches must be shared by both, and survive a restart so the
# warm-up done by sync.py after a publish is not lost. Chart data is kept 1 h at most.
_CACHE_DIR = SUPERSET_HOME / "cache"


def _cache(prefix: str, timeout: int) -> dict:
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(_CACHE_DIR / prefix),
        "CACHE_THRESHOLD": 20000,
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_KEY_PREFIX": f"ccwh_{prefix}_",
    }


_HOUR = int(timedelta(hours=1).total_seconds())
CACHE_CONFIG = _cache("meta", _HOUR)
DATA_CACHE_CONFIG = _cache("data", _HOUR)
FILTER_STATE_CACHE_CONFIG = _cache("filter_state", 7 * 24 * _HOUR)
EXPLORE_FORM_DATA_CACHE_CONFIG = _cache("explore", 7 * 24 * _HOUR)
RATELIMIT_STORAGE_URI = "memory://"

# Served on 127.0.0.1 only, behind whatever TLS proxy an operator puts in front.
TALISMAN_ENABLED = False
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_SAMESITE = "Lax"
ENABLE_PROXY_FIX = True

# Tenant isolation: see ccwh_security.py and docs/superset.md ("Tenants").
CUSTOM_SECURITY_MANAGER = CcwhSecurityManager
FAB_ADD_SECURITY_API = True  # roles, users and permissions through the REST API (sync.py)
# The registry (ccwh_ops) is SQLite; Superset refuses SQLite databases unless this is off.
# Only Admin may create or edit databases, so this opens nothing to analysts.
PREVENT_UNSAFE_DB_CONNECTIONS = False

FEATURE_FLAGS = {
    "DASHBOARD_NATIVE_FILTERS": True,
    "DASHBOARD_CROSS_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
    # Adhoc SQL subqueries would let an analyst read around row-level security: keep off.
    "ALLOW_ADHOC_SUBQUERY": False,
    # Not relied upon for isolation (tenants get their own SQL Lab database instead), so off.
    "RLS_IN_SQLLAB": False,
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
    "EMBEDDED_SUPERSET": False,
}

SQLLAB_TIMEOUT = 120
SUPERSET_WEBSERVER_TIMEOUT = 120
SQL_MAX_ROW = 100000
DISPLAY_MAX_ROW = 10000
SQLLAB_CTAS_NO_LIMIT = False
ROW_LIMIT = 50000

# No outbound network here: keep the UI from phoning home.
PREFERRED_DATABASES = ["DuckDB", "SQLite"]
SHOW_STACKTRACE = False
DEBUG = False
LOG_LEVEL = os.environ.get("CCWH_SUPERSET_LOG_LEVEL", "WARNING")
APP_NAME = "ccwh"

# 15-minute intervals (the queue marts' grain) as a time grain: DuckDB's engine spec has none.
TIME_GRAIN_ADDONS = {"PT15M": "15 minute"}
TIME_GRAIN_ADDON_EXPRESSIONS = {
    "duckdb": {"PT15M": "time_bucket(INTERVAL 15 MINUTE, CAST({col} AS TIMESTAMP))"},
    "sqlite": {
        "PT15M": "DATETIME(STRFTIME('%Y-%m-%dT%H:', {col}) || "
        "PRINTF('%02d', (CAST(STRFTIME('%M', {col}) AS INTEGER) / 15) * 15) || ':00')"
    },
}


def _serialise_time_range_parsing() -> None:
    """Superset turns a chart's time range ("2026-11-20 : 2026-11-21") into dates with one
    pyparsing grammar per process, which pyparsing rewrites ("streamlines") on its first parse
    outside its own lock. In a fresh gunicorn worker the first chart requests with a time range
    arrive together on several threads, and a thread that meets the half-rewritten grammar fails
    the chart with "Expected '(', found ')'" (seen in CI with the Report day filter; reproduced
    with threads, tests/test_superset.py::test_time_range_parsing_is_thread_safe). One lock per
    process around the parse (microseconds each) makes the threads take turns."""
    from superset.utils import date_parser

    if getattr(date_parser.datetime_eval, "ccwh_serialised", False):
        return
    parse = date_parser.datetime_eval
    lock = threading.RLock()

    def datetime_eval(datetime_expression=None):
        with lock:
            return parse(datetime_expression)

    datetime_eval.ccwh_serialised = True
    date_parser.datetime_eval = datetime_eval  # get_since_until looks it up at call time


def FLASK_APP_MUTATOR(app) -> None:  # noqa: N802 (Superset's setting name)
    """Runs in every worker once the app exists (Superset's hook for changing the app)."""
    _serialise_time_range_parsing()
