"""Landing segments: naming, writers, rotation, orphan recovery, quarantine."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re

import pytest
from receiver_fixtures import queue_event

from ccwh.paths import Home
from ingestion.landing import (
    GroupCommitWriter,
    LandingUnavailable,
    Quarantine,
    SyncLandingWriter,
    format_lines,
    new_file_name,
    recover_orphans,
    utc_now_text,
)

NAME = re.compile(r"^\d{8}T\d{12}Z-[A-Za-z0-9._]+-\d+-[0-9a-f]{8}\.ndjson$")


@pytest.fixture()
def home(tmp_path) -> Home:
    return Home.resolve(tmp_path / "home").ensure()


def lines_in(folder) -> list[dict]:
    out = []
    for path in sorted(folder.glob("*.ndjson")):
        out += [json.loads(x) for x in path.read_text().splitlines()]
    return out


def test_names_and_timestamps():
    assert NAME.match(new_file_name())
    assert new_file_name() != new_file_name()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", utc_now_text())


def test_format_lines_adds_the_receiver_fields():
    data = format_lines([queue_event("a")], "2026-11-22T23:40:01.123456Z", None, "ingest")
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    line = json.loads(data)
    assert line["_ccwh_received_at"] == "2026-11-22T23:40:01.123456Z"
    assert line["_ccwh_destination"] is None and line["_ccwh_source"] == "ingest"
    assert b" " not in data.split(b'"custom_field"')[0][-5:]  # compact


def test_sync_writer_rotates_by_size_and_closes_into_ready(home):
    writer = SyncLandingWriter(home, max_bytes=2000, flush_bytes=1)
    for i in range(10):
        writer.append(format_lines([queue_event(f"e{i}")], utc_now_text(), None, "ingest"))
    writer.close()
    ready = sorted(home.landing_ready.glob("*.ndjson"))
    assert len(ready) > 1 and all(NAME.match(p.name) for p in ready)
    assert [x["event_id"] for x in lines_in(home.landing_ready)] == [f"e{i}" for i in range(10)]
    assert not list(home.landing_open.iterdir())


def test_recover_orphans_cuts_partial_line_and_skips_locked(home):
    orphan = home.landing_open / new_file_name()
    good = json.dumps(queue_event("kept")).encode() + b"\n"
    orphan.write_bytes(good + b'{"event_id": "torn", "ev')
    empty = home.landing_open / new_file_name()
    empty.write_bytes(b"")
    live = home.landing_open / new_file_name()
    live.write_bytes(good)
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a live writer's lock
        moved = recover_orphans(home)
    assert [p.name for p in moved] == [orphan.name]
    assert (home.landing_ready / orphan.name).read_bytes() == good
    assert not empty.exists()
    assert live.exists()
    records = [json.loads(x) for p in home.quarantine.glob("*") for x in p.read_text().splitlines()]
    assert records[0]["reason"] == "orphan_fragment"
    assert records[0]["body"] == '{"event_id": "torn", "ev'
    assert recover_orphans(home)[0].name == live.name  # lock released: now an orphan


def test_quarantine_record_format_and_binary_body(home):
    q = Quarantine(home.quarantine)
    assert q.record("malformed_json", 400, b"{x", destination="central", remote="1.2.3.4:5")
    assert q.record("malformed_json", 400, b"\xff\xfe", errors=[{"path": "$", "message": "m"}])
    q.close()
    records = [json.loads(x) for p in home.quarantine.glob("*") for x in p.read_text().splitlines()]
    first, second = records
    assert set(first) == {
        "quarantined_at",
        "reason",
        "status",
        "destination",
        "remote",
        "errors",
        "body",
    }
    assert first["body"] == "{x" and first["remote"] == "1.2.3.4:5"
    assert second["body_encoding"] == "base64" and second["body"] == "//4="


def test_group_commit_writer(home):
    async def scenario():
        writer = GroupCommitWriter(home, max_bytes=10**9, max_age=0.3)
        writer.start()
        lines = [
            format_lines([queue_event(f"g{i}")], utc_now_text(), "c", "receiver") for i in range(50)
        ]
        await asyncio.gather(*(writer.append(x) for x in lines))
        assert writer.stats.writes < 50  # grouped: fewer fsyncs than requests
        # age rotation: the non-empty segment moves to ready/ by itself
        for _ in range(100):
            if list(home.landing_ready.glob("*.ndjson")):
                break
            await asyncio.sleep(0.05)
        assert len(lines_in(home.landing_ready)) == 50
        # a real failure: the open/ folder is gone, so no segment can be created
        os.rmdir(home.landing_open)
        with pytest.raises(LandingUnavailable):
            await writer.append(lines[0])
        assert not writer.healthy
        home.landing_open.mkdir()
        await writer.append(lines[1])  # recovers once the folder works again
        assert writer.healthy
        await writer.close()

    asyncio.run(scenario())
    assert len(lines_in(home.landing_ready)) == 51
    assert not list(home.landing_open.iterdir())
