"""Two receivers writing into one landing folder under concurrent load, with the loader
running meanwhile: every 202'd event is loaded exactly once (the scale-out layout where
several receiver hosts share one landing volume)."""

from __future__ import annotations

import json
import random
import threading
import time

import duckdb
import requests
from receiver_fixtures import TOKEN, Server, queue_event, write_destinations

from ccwh.paths import Home
from ingestion.loader import load_ready


def test_two_receivers_one_landing_folder_every_acknowledged_event_loaded_once(tmp_path):
    root = tmp_path / "home"
    write_destinations(root)
    # Small segments that close every half second: rotation, recovery and loading all
    # happen while both receivers are writing.
    opts = ("--workers", "2", "--segment-max-bytes", "65536", "--segment-max-age", "0.5")
    servers = [Server(root, *opts), Server(root, *opts)]
    home = Home.resolve(root)
    acknowledged: set[str] = set()
    posted = {"single": 0, "ndjson": 0, "resent": 0}
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []

    def client(n: int) -> None:
        rng = random.Random(n)
        sessions = [requests.Session() for _ in servers]
        i = 0
        while not stop.is_set():
            k = rng.randrange(len(servers))
            srv, session = servers[k], sessions[k]
            with lock:
                resend = rng.sample(sorted(acknowledged), 3) if len(acknowledged) > 10 else []
            fresh = [f"t{n}-{i + j}" for j in range(rng.choice([1, 1, 5]))]
            i += len(fresh)
            ids = fresh + (resend if rng.random() < 0.3 else [])
            events = [queue_event(e) for e in ids]
            if len(events) == 1:
                body, ctype = json.dumps(events[0]), "application/json"
            else:
                body = "\n".join(json.dumps(e) for e in events)
                ctype = "application/x-ndjson"
            r = session.post(
                f"{srv.url}/events",
                data=body,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": ctype},
                verify=str(srv.cert),
                timeout=30,
            )
            if r.status_code != 202:
                errors.append(f"{r.status_code} {r.text[:200]}")
                return
            with lock:
                acknowledged.update(ids)
                posted["single" if len(events) == 1 else "ndjson"] += 1
                posted["resent"] += len(ids) - len(fresh)

    loads: list[int] = []

    def loader() -> None:
        while not stop.is_set():
            loads.append(load_ready(home, progress=lambda _m: None).inserted)
            time.sleep(0.3)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    threads.append(threading.Thread(target=loader))
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(acknowledged) < 3000 and not errors:
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(60)
    for srv in servers:
        assert srv.stop() == 0, srv.output()
    assert not errors, errors[:3]
    load_ready(home, progress=lambda _m: None)

    assert len(acknowledged) >= 500 and posted["resent"] > 0 and posted["ndjson"] > 0
    assert sum(1 for n in loads if n) >= 2  # the loader really ran during the load
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        ids = [row[0] for row in con.execute("SELECT event_id FROM raw.events").fetchall()]
    assert len(ids) == len(set(ids)), "an event was loaded twice"
    missing = acknowledged - set(ids)
    assert not missing, f"{len(missing)} acknowledged events not loaded, e.g. {sorted(missing)[:5]}"
    assert set(ids) == acknowledged
    assert not list(home.landing_open.glob("*.ndjson"))
    assert not list(home.landing_ready.glob("*.ndjson"))
