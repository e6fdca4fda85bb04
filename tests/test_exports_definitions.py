# ruff: noqa: E501 — YAML examples and exact expected messages read best on one line
"""Definition files: a full example parses; every mistake names file, line and fix;
schedules (weekly, crontab with 1-7 = Monday-Sunday) become Dagster schedules."""

from __future__ import annotations

import textwrap

import pytest
from exports_servers import make_home

from exports import schedules
from exports.definitions import DefinitionError, FtpTarget, SftpTarget, parse_file


def write(home, text: str, tenant: str = "acme"):
    path = home.config_dir / "reports" / f"{tenant}.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


FULL = """
tenant: acme
account_name: Acme Widgets
time_zone: Europe/Warsaw
smtp: {host: smtp.acme.example, port: 587, username: reports, password: {env: ACME_SMTP_PASSWORD}, from: reports@acme.example}
alerts: {email: ops@acme.example, webhook: "https://hooks.acme.example/ccwh"}
retries: {attempts: 4, backoff_seconds: 5}
reports:
  - name: attempts-hourly
    type: all_attempts
    scope: {campaign: C1, name: Widget Campaign}
    timeframe: incremental
    file_name: "<CAMPAIGN>_<START:yyyyMMddHHmm>_<END:yyyyMMddHHmm>"
    zip: true
    skip_if_empty: true
    output:
      spec:
        columns: [client_id, {column: completion_status, header: Status}, started_at]
        delimiter: "|"
        quoting: all
        timestamp_format: "%d/%m/%Y %H:%M"
    deliver:
      - sftp: {host: sftp.acme.example, username: acme, password: {secret: acme_sftp}, directory: in, host_key: "SHA256:abc"}
      - ftp: {host: ftp.acme.example, username: acme, password: {env: ACME_FTP}, tls: implicit}
      - email: {to: "a@acme.example, b@acme.example"}
      - local: {path: /srv/exports/acme}
    schedule: {cron: "0 * * * 1-5"}
    requested_by: maria
    description: Hourly attempts for the dialler team.
  - name: kpis-weekly
    type: queue_kpis_daily
    timeframe: last_7_days
    filters: {}
    schedule: {weekly: {day: monday, time: "06:30"}}
  - name: march
    type: abandoned_calls
    scope: {portfolio: P7}
    timeframe: {explicit: {start: "2024-03-01 00:00", end: "2024-04-01 00:00", time_zone: America/Sao_Paulo}}
"""


def test_full_example_parses(tmp_path):
    home = make_home(tmp_path)
    t = parse_file(write(home, FULL), home)
    assert t.account_name == "Acme Widgets" and t.time_zone == "Europe/Warsaw"
    d = t.reports["attempts-hourly"]
    assert d.scope == "campaign" and d.scope_value == "C1" and d.scope_name == "Widget Campaign"
    assert d.timeframe.kind == "incremental" and d.zip and d.skip_if_empty
    assert d.output.columns == (
        ("client_id", "client_id"),
        ("completion_status", "Status"),
        ("started_at", "started_at"),
    )
    assert d.output.quoting == "all"
    assert [x.kind for x in d.deliver] == ["sftp", "ftp", "email", "local"]
    assert isinstance(d.deliver[0], SftpTarget) and d.deliver[0].password.secret == "acme_sftp"
    assert isinstance(d.deliver[1], FtpTarget) and d.deliver[1].port == 990
    assert d.deliver[2].to == ("a@acme.example", "b@acme.example")
    assert d.schedule.cron == "0 * * * 1,2,3,4,5" and d.schedule.time_zone == "UTC"
    assert d.retries.attempts == 4 and d.alerts.webhook.startswith("https://")
    k = t.reports["kpis-weekly"]
    assert k.schedule.cron == "30 6 * * 1" and k.schedule.time_zone == "Europe/Warsaw"
    m = t.reports["march"]
    assert m.portfolio == "P7" and m.timeframe.time_zone == "America/Sao_Paulo"


def problems(home, text) -> list[str]:
    with pytest.raises(DefinitionError) as e:
        parse_file(write(home, text), home)
    return e.value.problems


def test_errors_name_file_line_and_fix(tmp_path):
    home = make_home(tmp_path)
    found = problems(
        home,
        """
        tenant: acme
        reports:
          - name: a
            type: all_attempts
            timeframe: yesteday
          - name: b
            type: all_atempts
          - name: c
            type: all_attempts
            scope: {agent_group: G1}
            file_name: "Report: <DATE:yyyy>"
            deliver:
              - sftp: {host: h, username: u, password: hunter2, host_key: "SHA256:x"}
            schedule: {weekly: {day: monday, time: 6:30}}
        """,
    )
    path = str(home.config_dir / "reports" / "acme.yaml")
    text = "\n".join(found)
    assert all(p.startswith(path + ":") for p in found)
    assert f"{path}:5: reports[0].timeframe: unknown timeframe 'yesteday'" in text
    assert f"{path}:7: reports[1].type: unknown report type 'all_atempts'" in text
    assert (
        f"{path}:10: reports[2].scope.agent_group: report type all_attempts does not run at scope 'agent_group'"
        in text
    )
    assert (
        f"{path}:11: reports[2].file_name:" in text and "the characters : are not allowed" in text
    )
    assert f"{path}:13: reports[2].deliver[0].sftp.password: password may not be written" in text
    assert "{secret: KEY}" in text
    assert (
        f"{path}:14: reports[2].schedule.weekly.time: weekly: time 390 was read as a number; quote it"
        in text
    )


def test_unknown_keys_and_bad_yaml(tmp_path):
    home = make_home(tmp_path)
    found = problems(
        home, "tenant: acme\nreports:\n  - name: a\n    type: all_attempts\n    zipp: true\n"
    )
    assert found == [
        f"{home.config_dir / 'reports' / 'acme.yaml'}:5: reports[0].zipp: unknown key 'zipp' (known: "
        "name, type, scope, filters, timeframe, output, file_name, zip, pgp_public_key, skip_if_empty, "
        "deliver, schedule, description, requested_by, retries, alerts)"
    ]
    found = problems(home, "tenant: acme\nreports:\n  - name: [a\n")
    assert found[0].startswith(f"{home.config_dir / 'reports' / 'acme.yaml'}:4: not valid YAML")


def test_tenant_must_match_file_and_names_unique(tmp_path):
    home = make_home(tmp_path)
    found = problems(
        home,
        "tenant: other\nreports:\n  - {name: a, type: all_attempts}\n  - {name: a, type: dialer}\n",
    )
    assert any(":1: tenant: tenant 'other' does not match the file name" in p for p in found)
    assert any(":4: reports[1].name: report name 'a' is used twice" in p for p in found)


def test_email_addresses_limited_to_384_characters(tmp_path):
    home = make_home(tmp_path)
    # exactly 384 characters, commas and spaces included: allowed
    ok = ", ".join(f"u{i:02d}@example.com" for i in range(22)) + ", xyz@ex.com"
    assert len(ok) == 384
    base = "tenant: acme\nsmtp: {host: mail}\nreports:\n  - name: a\n    type: all_attempts\n    deliver:\n"
    parse_file(write(home, base + f'      - email: {{to: "{ok}"}}\n'), home)
    too_long = ok.replace("xyz@", "xyzw@")
    assert len(too_long) == 385
    found = problems(home, base + f'      - email: {{to: "{too_long}"}}\n')
    assert found == [
        f"{home.config_dir / 'reports' / 'acme.yaml'}:7: reports[0].deliver[0].email.to: to: 385 characters "
        "of addresses; at most 384 (commas and spaces included) — use a distribution list"
    ]


def test_limits_refuse_entire_campaign_for_a_30_day_report(tmp_path):
    home = make_home(tmp_path)
    found = problems(
        home,
        "tenant: acme\nreports:\n  - {name: a, type: contact_email_extraction, timeframe: entire_campaign}\n",
    )
    assert "covers at most 30 days" in found[0]


def test_output_spec_columns_must_exist(tmp_path):
    home = make_home(tmp_path)
    found = problems(
        home,
        "tenant: acme\nreports:\n  - name: a\n    type: all_attempts\n    output: {spec: {columns: [client, client_id], delimiter: ';;'}}\n",
    )
    assert any("has no column 'client'" in p for p in found)
    assert any("delimiter ';;' must be one character" in p for p in found)


# --- schedules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "crontab, dagster",
    [
        ("0 6 * * 1", "0 6 * * 1"),  # Monday
        ("0 6 * * 7", "0 6 * * 0"),  # Sunday: 7 here, 0 in Dagster
        ("30 22 * * 1-5", "30 22 * * 1,2,3,4,5"),
        ("0 0 * * 5-7", "0 0 * * 0,5,6"),
        ("0 0 * * 6,7", "0 0 * * 0,6"),
        ("0 0 * * 1-7", "0 0 * * *"),
        ("*/15 8-18 1,15 1-12 *", "*/15 8-18 1,15 1-12 *"),
    ],
)
def test_crontab_converted_to_dagster(crontab, dagster):
    assert schedules.crontab_to_dagster(crontab) == dagster


def test_crontab_day_of_week_zero_rejected():
    with pytest.raises(
        schedules.ScheduleError, match="day of week 0 is not valid: days run 1-7 with 1 = Monday"
    ):
        schedules.crontab_to_dagster("0 6 * * 0")
    with pytest.raises(schedules.ScheduleError, match="write 7 for Sunday"):
        schedules.crontab_to_dagster("0 6 * * 0-4")


@pytest.mark.parametrize(
    "bad, message",
    [
        ("0 6 * *", "has 4 fields"),
        ("60 6 * * 1", "minute: 60 is outside 0-59"),
        ("0 24 * * 1", "hour: 24 is outside 0-23"),
        ("0 6 0 * 1", "day of month: 0 is outside 1-31"),
        ("0 6 * 13 1", "month: 13 is outside 1-12"),
        ("0 6 * * 8", "day of week: 8 is outside 1-7"),
        ("0 6 * * mon", "is not one or two digits"),
        ("0 6 * * 5-2", "runs backwards"),
    ],
)
def test_crontab_errors(bad, message):
    with pytest.raises(schedules.ScheduleError, match=message):
        schedules.crontab_to_dagster(bad)


def test_weekly_schedules():
    s = schedules.parse(
        {"weekly": {"day": "sunday", "time": "23:15"}}, default_zone="America/Sao_Paulo"
    )
    assert (s.cron, s.time_zone) == ("15 23 * * 0", "America/Sao_Paulo")
    s = schedules.parse({"weekly": {"day": ["mon", "Fri"], "time": "7:05", "time_zone": "UTC"}})
    assert (s.cron, s.time_zone) == ("5 7 * * 1,5", "UTC")
    assert schedules.parse({"weekly": {"day": "daily", "time": "03:30"}}).cron == "30 3 * * *"
    with pytest.raises(schedules.ScheduleError, match="unknown day 'someday'"):
        schedules.parse({"weekly": {"day": "someday", "time": "03:30"}})


def test_build_schedules_gives_dagster_schedule_definitions(tmp_path):
    from exports.dagster_defs import build_schedules, export_report_job

    home = make_home(tmp_path)
    write(home, FULL)
    write(
        home, "tenant: broken\nreports: [{name: x, type: nope}]\n", tenant="broken"
    )  # skipped, logged
    built = {s.name: s for s in build_schedules(home)}
    assert set(built) == {"report__acme__attempts_hourly", "report__acme__kpis_weekly"}
    hourly = built["report__acme__attempts_hourly"]
    assert hourly.cron_schedule == "0 * * * 1,2,3,4,5" and hourly.execution_timezone == "UTC"
    assert hourly.job.name == export_report_job.name == "export_report"
    assert built["report__acme__kpis_weekly"].execution_timezone == "Europe/Warsaw"
