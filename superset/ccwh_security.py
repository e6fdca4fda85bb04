"""Superset security manager for ccwh: SQL Lab needs *database* access, not just dataset access.

Row-level security (RLS) filters chart and API queries built from a dataset, but Superset does
not apply it to raw SQL in SQL Lab (``RLS_IN_SQLLAB`` rewrites SQL and documents that it can be
bypassed). Stock Superset lets a user who may read a dataset run any SQL Lab query that names
its table — unfiltered. For ccwh that would show one tenant every tenant's rows.

So this manager refuses SQL Lab (and table-metadata) access to a database unless the user holds
``database_access`` on it (or ``all_database_access``). Tenant analysts get dataset access on
the shared ``ccwh`` database (charts, filtered by RLS) and ``database_access`` only on their own
``ccwh_tenant_<t>`` database: a DuckDB file that contains nothing but their tenant's rows, opened
read-only with external access disabled and the configuration locked (no ATTACH, no file
reads). See docs/superset.md, "Tenants and row-level security".
"""

from __future__ import annotations

from typing import Any

from superset.errors import ErrorLevel, SupersetError, SupersetErrorType
from superset.exceptions import SupersetSecurityException
from superset.security.manager import SupersetSecurityManager


class CcwhSecurityManager(SupersetSecurityManager):
    def raise_for_access(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        database = kwargs.get("database")
        query = kwargs.get("query")
        sql = kwargs.get("sql")
        table = kwargs.get("table")
        target = None
        if database is not None and (sql or table is not None):
            target = database
        elif query is not None and hasattr(query, "sql") and hasattr(query, "database"):
            target = query.database  # a SQL Lab query
        if target is not None and not self.can_access_database(target):
            raise SupersetSecurityException(
                SupersetError(
                    error_type=SupersetErrorType.DATABASE_SECURITY_ACCESS_ERROR,
                    message=(
                        f"SQL Lab on database '{target.database_name}' needs access to the whole "
                        "database; tenant analysts query their own ccwh_tenant_<tenant> database."
                    ),
                    level=ErrorLevel.ERROR,
                )
            )
        super().raise_for_access(*args, **kwargs)
