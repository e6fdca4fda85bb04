"""Report files written by DuckDB's COPY, plain and zipped while written (through a named
pipe): the zip holds exactly the plain file's bytes, any unzip reads it, and a failure on
either side of the pipe leaves no archive, no pipe and no stuck thread."""

from __future__ import annotations

import shutil
import subprocess
import threading
import zipfile
from datetime import datetime

import duckdb
import pytest

from exports.catalogue import Query
from exports.definitions import OutputSpec
from exports.render import render, render_zipped

# ~12 MB of CSV: many times the pipe's buffer, so reader and writer really take turns
ROWS = Query(
    "select i as id, 'client-' || (i % 977) as client_id, "
    "timestamp '2024-03-01' + to_seconds(i) as started_at, "
    "case when i % 7 = 0 then null else 'BUSY' end as status "
    "from range(?) t(i) order by i desc",
    [300_000],
)


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def run_guarded(fn):
    """Run ``fn`` in a thread: a deadlock fails the test instead of hanging the suite."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as e:  # noqa: BLE001
            outcome["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(300)
    assert not t.is_alive(), "render_zipped is stuck (pipe never closed)"
    return outcome


@pytest.mark.parametrize(
    "spec",
    [None, OutputSpec(columns=(("id", "ID"), ("status", "Status")), delimiter="|", null="-")],
)
def test_zipped_holds_exactly_the_plain_file(con, tmp_path, spec):
    plain = tmp_path / "plain" / "AllAttempts.csv"
    plain.parent.mkdir()
    assert render(con, ROWS, plain, spec) == 300_000
    target = tmp_path / "AllAttempts.csv.zip"
    outcome = run_guarded(lambda: render_zipped(con, ROWS, target, "AllAttempts.csv", spec))
    assert outcome == {"value": 300_000}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["AllAttempts.csv.zip", "plain"]
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None
        [info] = z.infolist()
        assert info.filename == "AllAttempts.csv"
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert datetime(*info.date_time).year >= 2024
        data = z.read(info)
    assert data == plain.read_bytes()
    assert target.stat().st_size < len(data) / 3
    if shutil.which("unzip"):  # Info-ZIP, what most recipients have
        subprocess.run(["unzip", "-tq", str(target)], check=True, capture_output=True)
        out = subprocess.run(["unzip", "-p", str(target)], check=True, capture_output=True)
        assert out.stdout == data


def test_empty_result_gives_a_zip_with_the_header_only(con, tmp_path):
    target = tmp_path / "e.csv.zip"
    empty = Query("select * from (select 1 as a, 'x' as b) where a = 2", [])
    assert run_guarded(lambda: render_zipped(con, empty, target, "e.csv")) == {"value": 0}
    with zipfile.ZipFile(target) as z:
        assert z.read("e.csv") == b"a,b\n"


@pytest.mark.parametrize(
    "sql",
    [
        # fails half-way, after many rows went through the pipe
        "select i, case when i = 250000 then error('boom') else i end as v from range(300000) "
        "t(i) order by i",
        # fails before COPY opens the pipe
        "select no_such_column from range(10)",
    ],
)
def test_failing_query_leaves_no_archive_and_no_pipe(con, tmp_path, sql):
    target = tmp_path / "x.csv.zip"
    outcome = run_guarded(lambda: render_zipped(con, Query(sql, []), target, "x.csv"))
    assert isinstance(outcome.get("error"), duckdb.Error)
    assert list(tmp_path.iterdir()) == []


def test_failing_archive_does_not_block_the_copy(con, tmp_path):
    target = tmp_path / "x.csv.zip"
    # the archive cannot be created: the reader fails (usually before DuckDB even opened the
    # pipe); COPY must neither wait for a reader nor block on a full pipe
    target.mkdir()
    outcome = run_guarded(lambda: render_zipped(con, ROWS, target, "x.csv"))
    assert isinstance(outcome.get("error"), IsADirectoryError)
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv.zip"]  # no pipe left
