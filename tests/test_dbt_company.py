"""Company interactions for a chosen period refuse anything but 1-31 closed report days.

The accepted lengths (1 and 31 days) are dbt unit tests of `company_interactions_period`
(dbt_project/models/marts/company/_company__trends_unit_tests.yml); a refusal is a compile
error, which a dbt unit test cannot expect, so these tests compile the macro with
`dbt compile --inline` and read the message. No warehouse data is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
AS_OF = "2026-11-22"  # yesterday = 2026-11-21


@pytest.fixture(scope="module")
def dbt_dirs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_company")


def _compile(tmp: Path, start: str, end: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    env["CCWH_WAREHOUSE"] = str(tmp / "wh.duckdb")
    inline = f"{{{{ ccwh.company_interactions_for_period('{start}', '{end}') }}}}"
    return subprocess.run(
        [
            str(DBT),
            "compile",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            f"{{as_of_date: '{AS_OF}'}}",
            "--inline",
            inline,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        # 0 days: the end is the day before the start
        ("2026-11-21", "2026-11-20", "is 0 days"),
        # 32 days: one more than the longest period
        ("2026-10-21", "2026-11-21", "is 32 days"),
        # today has not closed yet
        ("2026-11-16", "2026-11-22", "ends after yesterday (2026-11-21"),
    ],
)
def test_refused_periods_fail_to_compile_with_a_message(dbt_dirs, start, end, message):
    result = _compile(dbt_dirs, start, end)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"company_interactions_for_period({start}, {end})" in output, output
    assert message in output, output
