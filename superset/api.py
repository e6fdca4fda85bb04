"""A small client for Superset's REST API (requests only: usable from either virtualenv)."""

from __future__ import annotations

import json
from typing import Any

import requests


class SupersetDown(RuntimeError):
    """Superset is not answering at the given URL."""


class SupersetApiError(RuntimeError):
    pass


def rison(value: Any) -> str:
    """Encode a value as Rison (what Superset's list endpoints take in ``q``)."""
    if value is True:
        return "!t"
    if value is False:
        return "!f"
    if value is None:
        return "!n"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'"
    if isinstance(value, list | tuple):
        return "!(" + ",".join(rison(v) for v in value) + ")"
    if isinstance(value, dict):
        return "(" + ",".join(f"{k}:{rison(v)}" for k, v in value.items()) + ")"
    raise TypeError(type(value))


class Api:
    def __init__(self, url: str, username: str, password: str, timeout: float = 120):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        self.s = requests.Session()

    def clone(self) -> Api:
        """The same login on a session of its own (one per thread: requests.Session is not
        meant to be shared between threads)."""
        other = Api(self.url, self.username, self.password, self.timeout)
        other.s.headers.update(self.s.headers)
        other.s.cookies.update(self.s.cookies)
        return other

    # --- plumbing --------------------------------------------------------------------------

    def ping(self) -> None:
        try:
            r = self.s.get(f"{self.url}/health", timeout=10)
        except requests.RequestException as e:
            raise SupersetDown(f"Superset is not answering at {self.url}: {e}") from e
        if r.status_code != 200:
            raise SupersetDown(f"Superset at {self.url} answered /health with {r.status_code}")

    def login(self) -> Api:
        self.ping()
        r = self.s.post(
            f"{self.url}/api/v1/security/login",
            json={
                "username": self.username,
                "password": self.password,
                "provider": "db",
                "refresh": True,
            },
            timeout=self.timeout,
        )
        if r.status_code != 200:
            raise SupersetApiError(
                f"login as {self.username} failed: {r.status_code} {r.text[:200]}"
            )
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        r = self.s.get(f"{self.url}/api/v1/security/csrf_token/", timeout=self.timeout)
        r.raise_for_status()
        self.s.headers["X-CSRFToken"] = r.json()["result"]
        self.s.headers["Referer"] = self.url
        return self

    def web_login(self) -> Api:
        """Log in through the login form too (a session cookie), for the classic endpoints that
        do not take the API's bearer token (e.g. /datasource/samples, drill to detail)."""
        import re

        page = self.s.get(f"{self.url}/login/", timeout=self.timeout).text
        m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        data = {"username": self.username, "password": self.password}
        if m:
            data["csrf_token"] = m.group(1)
        r = self.s.post(f"{self.url}/login/", data=data, timeout=self.timeout)
        if r.status_code >= 400 or "/login" in r.url:
            raise SupersetApiError(f"form login as {self.username} failed: {r.status_code}")
        return self

    def request(self, method: str, path: str, ok=(200, 201), **kw) -> Any:
        kw.setdefault("timeout", self.timeout)
        try:
            r = self.s.request(method, f"{self.url}{path}", **kw)
        except requests.ConnectionError as e:
            raise SupersetDown(f"Superset stopped answering at {self.url}: {e}") from e
        if r.status_code not in ok:
            raise SupersetApiError(f"{method} {path}: {r.status_code} {r.text[:500]}")
        if not r.content:
            return None
        try:
            return r.json()
        except json.JSONDecodeError:
            return r.text

    def get(self, path: str, **kw) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw) -> Any:
        return self.request("DELETE", path, **kw)

    def list(self, resource: str, columns: list[str] | None = None, **query: Any) -> list[dict]:
        """Every row of a list endpoint (``/api/v1/<resource>/``), all pages."""
        out: list[dict] = []
        page = 0
        while True:
            q: dict[str, Any] = {"page": page, "page_size": 100, **query}
            if columns:
                q["columns"] = columns
            data = self.get(f"/api/v1/{resource}/", params={"q": rison(q)})
            rows = data.get("result", [])
            out.extend(rows)
            if len(rows) < 100:
                return out
            page += 1

    # --- helpers ---------------------------------------------------------------------------

    def import_assets(self, zip_bytes: bytes) -> None:
        headers = {"Accept": "application/json"}
        self.post(
            "/api/v1/assets/import/",
            files={"bundle": ("ccwh_bundle.zip", zip_bytes, "application/zip")},
            data={"passwords": "{}"},
            headers=headers,
        )

    def by_name(self, resource: str, key: str, columns: list[str] | None = None) -> dict[str, dict]:
        return {row[key]: row for row in self.list(resource, columns=columns)}
