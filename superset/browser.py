"""Open ccwh's dashboards in headless Chromium and report what each chart shows.

Used by tests/test_superset.py and benchmarks/bench_superset.py; runs with the Superset
virtualenv's Python (selenium is pinned there). Debian ``chromium`` + ``chromium-driver``.

    .venv-superset/bin/python superset/browser.py --url URL --user admin --password P \\
        --dashboard queue-performance --screenshots DIR [--runs 2]

Prints one JSON object: per dashboard and run, the time to the first full render (every
chart done: no spinner, content or an error drawn), each chart's title, text, error and
whether it drew anything. With ``--cache-report``, also whether each chart-data response the
dashboard received was served from Superset's results cache (``is_cached``, read from the
responses through Chrome's network log).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,2400",
]

SETTLE = 1.5  # seconds a finished dashboard must stay unchanged to count as rendered

# Evaluated in the page: the state of every chart holder of the dashboard.
CHART_STATE_JS = r"""
const q = (el, sel) => el.querySelector(sel);
const HOLDER = '[data-test="dashboard-component-chart-holder"]';
const TITLE = '[data-test="editable-title"], [data-test="slice-header"] .header-title';
const LOADING = '[data-test="loading-indicator"], .loading, [aria-label="Loading"]';
const ERROR = '[data-test="alert"], .alert-danger, [role="alert"], .ant-alert-error, '
  + '[data-test="error-message"]';
const DRAWN = 'canvas, svg, table, .header-line, .superset-legacy-chart-big-number';
const EMPTY = '[data-test="empty-state"], [data-test="no-results"], .no-results';
return Array.from(document.querySelectorAll(HOLDER)).map(h => {
  const title = (q(h, TITLE) || {}).innerText || '';
  const errEl = q(h, ERROR);
  const big = q(h, '.header-line');
  return {title: title.trim(), loading: !!q(h, LOADING), drawn: !!q(h, DRAWN),
          empty: !!q(h, EMPTY), error: errEl ? errEl.innerText.trim() : '',
          big_number: big ? big.innerText.trim() : null, text: h.innerText.slice(0, 2000)};
});
"""


def driver(user_data: Path, network_log: bool = False) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for f in FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={user_data}")
    if network_log:  # network events only (no page events, no tracing)
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        opts.add_experimental_option(
            "perfLoggingPrefs", {"enableNetwork": True, "enablePage": False}
        )
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(options=opts, service=service)
    d.set_page_load_timeout(180)
    return d


def login(d: webdriver.Chrome, url: str, user: str, password: str) -> None:
    d.get(f"{url}/login/")
    wait = WebDriverWait(d, 120)
    wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input[name='username'], #username"))
    )
    d.find_element(By.CSS_SELECTOR, "input[name='username'], #username").send_keys(user)
    d.find_element(By.CSS_SELECTOR, "input[name='password'], #password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "input[name='password'], #password").submit()
    wait.until(lambda dr: "/login" not in dr.current_url)


def native_filter_param(slug: str, name: str, time_range: str) -> str:
    """The dashboard URL's native_filters (Rison) setting the time filter ``name`` (ids are
    stable, see bundle._filter_id)."""
    fid = "NATIVE_FILTER-" + hashlib.sha1(f"{slug}:{name}".encode()).hexdigest()[:10]
    r = time_range.replace("'", "!'")
    return (
        f"({fid}:(extraFormData:(time_range:'{r}'),filterState:(value:'{r}'),id:{fid},ownState:()))"
    )


def chart_data_cache(d: webdriver.Chrome) -> dict:
    """Since the last call: every /api/v1/chart/data request of the page and whether its
    response came from the results cache. Needs ``driver(..., network_log=True)``."""
    sent: dict[str, str] = {}
    for entry in d.get_log("performance"):
        m = json.loads(entry["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            req = m["params"]["request"]
            if "/api/v1/chart/data" in req["url"] and req.get("method") == "POST":
                try:
                    body = json.loads(req.get("postData") or "{}")
                except ValueError:
                    body = {}
                fd = body.get("form_data") or {}
                sent[m["params"]["requestId"]] = (
                    f"chart {fd['slice_id']}" if fd.get("slice_id") else
                    f"filter {fd.get('native_filter_id') or '?'}"
                )  # fmt: skip
    cached, missed = [], []
    for rid, label in sent.items():
        try:
            body = d.execute_cdp_cmd("Network.getResponseBody", {"requestId": rid})["body"]
            hit = all(q.get("is_cached") for q in json.loads(body)["result"])
        except Exception:  # no body (failed request)
            hit = False
        (cached if hit else missed).append(label)
    return {"requests": len(sent), "cached": len(cached), "not_cached": sorted(missed)}


def open_dashboard(
    d: webdriver.Chrome,
    url: str,
    slug: str,
    expected: int | None,
    timeout: float = 240,
    time_filter: tuple[str, str] | None = None,
    cache_report: bool = False,
) -> dict:
    if cache_report:
        d.get_log("performance")  # forget earlier pages' requests
    started = time.monotonic()
    extra = ""
    if time_filter:
        extra = "&native_filters=" + native_filter_param(slug, *time_filter)
    d.get(f"{url}/superset/dashboard/{slug}/?standalone=1{extra}")
    deadline = started + timeout
    charts: list[dict] = []
    # Done = every chart finished (drawn, empty or an error) and the page has held that state
    # for SETTLE seconds: when a native filter from the URL applies, Superset re-queries the
    # charts and may show a passing state (an aborted first request's alert, a spinner) in
    # between. The render time is when the final state was first reached.
    done_at: float | None = None
    seen: list | None = None
    while time.monotonic() < deadline:
        try:
            charts = d.execute_script(CHART_STATE_JS)
        except Exception:  # page still loading
            charts = []
        done = (
            charts
            and (expected is None or len(charts) >= expected)
            and all(not c["loading"] and (c["drawn"] or c["error"] or c["empty"]) for c in charts)
        )
        state = [(c["error"], c["drawn"], c["empty"], c["big_number"]) for c in charts or []]
        if not done or state != seen:
            done_at = time.monotonic() if done else None
            seen = state if done else None
        elif time.monotonic() - done_at >= SETTLE:
            break
        time.sleep(0.1)
    render = (done_at or time.monotonic()) - started
    complete = bool(charts) and all(not c["loading"] for c in charts)
    # where the time went: the page's own load vs the chart-data requests
    timing = d.execute_script(
        """
        const nav = performance.getEntriesByType('navigation')[0] || {};
        const data = performance.getEntriesByType('resource')
          .filter(e => e.name.includes('/api/v1/chart/data'));
        const ms = (f, key) => data.length ? f(...data.map(e => e[key])) : null;
        return {dom_content_loaded: nav.domContentLoadedEventEnd || null,
                chart_requests: data.length,
                first_chart_request_start: ms(Math.min, 'startTime'),
                last_chart_response_end: ms(Math.max, 'responseEnd'),
                slowest_chart_request: ms(Math.max, 'duration')};
        """
    )
    # let animations settle before the screenshot, and re-read the final state
    time.sleep(1.0)
    charts = d.execute_script(CHART_STATE_JS) or charts
    out = {
        "slug": slug,
        "render_seconds": round(render, 3),
        "complete": complete,
        "timing_ms": timing,
        "charts": charts,
    }
    if cache_report:
        out["chart_data_cache"] = chart_data_cache(d)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--dashboard", action="append", required=True, help="slug[:expected charts]")
    p.add_argument("--screenshots", type=Path)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--timeout", type=float, default=240)
    p.add_argument("--time-filter", help="NAME=RANGE, e.g. 'Report day=2026-11-21 : 2026-11-22'")
    p.add_argument(
        "--cache-report", action="store_true", help="report which chart data came from cache"
    )
    args = p.parse_args(argv)
    out: dict = {"dashboards": []}
    tmp = Path(tempfile.mkdtemp(prefix="ccwh-chromium-"))
    d = driver(tmp, network_log=args.cache_report)
    try:
        login(d, args.url, args.user, args.password)
        for spec in args.dashboard:
            slug, _, n = spec.partition(":")
            for run in range(args.runs):
                tf = tuple(args.time_filter.split("=", 1)) if args.time_filter else None
                res = open_dashboard(
                    d, args.url, slug, int(n) if n else None, args.timeout, tf, args.cache_report
                )
                res["run"] = run + 1
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    shot = args.screenshots / f"{slug}-{args.user}-run{run + 1}.png"
                    height = d.execute_script("return document.body.scrollHeight") or 2400
                    d.set_window_size(1600, min(max(int(height), 1200), 6000))
                    d.save_screenshot(str(shot))
                    d.set_window_size(1600, 2400)
                    res["screenshot"] = str(shot)
                out["dashboards"].append(res)
    finally:
        d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    json.dump(out, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
