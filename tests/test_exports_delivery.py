"""Delivery against real servers on 127.0.0.1: the bytes that arrive, retries, failure reasons,
and no partial file left behind."""

from __future__ import annotations

import dataclasses
import email
import logging
import textwrap

import pytest
from exports_servers import (
    PASSWORD,
    USER,
    FtpServer,
    SftpServer,
    SmtpServer,
    closed_port,
    make_home,
    make_tls_cert,
    write_warehouse,
)

from exports import delivery
from exports.definitions import (
    EmailTarget,
    FtpTarget,
    LocalTarget,
    RetryPolicy,
    SecretRef,
    SftpTarget,
    find,
)
from exports.definitions import (
    SmtpServer as SmtpConfig,
)
from exports.registry import Registry
from exports.runner import run_named, watermark_key

FAST = RetryPolicy(attempts=3, backoff_seconds=0.01, max_backoff_seconds=0.02)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def payload(tmp_path):
    f = tmp_path / "out" / "AllAttempts_C1_20240310.csv"
    f.parent.mkdir()
    # big enough to span many SFTP/FTP writes, so "drop" really happens mid-transfer
    f.write_bytes(
        b"interaction_id,status\n" + b"".join(b"i%07d,DELIVEREDPERSON\n" % i for i in range(60_000))
    )
    return f


@pytest.fixture
def secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("CCWH_TEST_FTP_PASSWORD", PASSWORD)
    return delivery.Secrets(path=tmp_path / "no-secrets.yaml")


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_cert(tmp_path_factory.mktemp("tls"))


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


# --- local ----------------------------------------------------------------------------


def test_local_delivery_is_atomic_and_exact(payload, tmp_path, secrets):
    dest = tmp_path / "dest" / "inbox"
    result = delivery.deliver(LocalTarget(dest), payload, secrets, FAST)
    assert result.ok and result.attempts == 1
    assert (dest / payload.name).read_bytes() == payload.read_bytes()
    assert _files(dest) == [payload.name]


def test_local_delivery_failure_is_retried_then_reported(payload, tmp_path, secrets):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    sleeps = Sleeps()
    result = delivery.deliver(LocalTarget(blocker / "sub"), payload, secrets, FAST, sleep=sleeps)
    assert not result.ok and result.attempts == 3
    assert sleeps == [0.01, 0.02]  # exponential back-off, capped
    assert "not-a-folder" in result.error


# --- SFTP -----------------------------------------------------------------------------


@pytest.fixture
def sftp_server(tmp_path):
    root = tmp_path / "sftp-root"
    (root / "upload").mkdir(parents=True)
    server = SftpServer(root=root).start(tmp_path / "sftp-keys")
    yield server
    server.stop()


def _sftp_target(server, **kw):
    base = dict(
        host="127.0.0.1",
        port=server.port,
        username=USER,
        directory="upload",
        host_key=server.host_key_fingerprint,
    )
    base.update(kw)
    return SftpTarget(**base)


def test_sftp_password_delivers_exact_bytes(sftp_server, payload, secrets):
    target = _sftp_target(sftp_server, password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"))
    result = delivery.deliver(target, payload, secrets, FAST)
    assert result.ok, result.error
    assert (sftp_server.root / "upload" / payload.name).read_bytes() == payload.read_bytes()
    assert _files(sftp_server.root) == [payload.name]


def test_sftp_private_key_delivers(sftp_server, payload, secrets):
    target = _sftp_target(sftp_server, private_key=sftp_server.client_key_path)
    result = delivery.deliver(target, payload, secrets, FAST)
    assert result.ok, result.error
    assert (sftp_server.root / "upload" / payload.name).read_bytes() == payload.read_bytes()


def test_sftp_replaces_an_existing_file_atomically(sftp_server, payload, secrets):
    (sftp_server.root / "upload" / payload.name).write_bytes(b"old")
    target = _sftp_target(sftp_server, password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"))
    assert delivery.deliver(target, payload, secrets, FAST).ok
    assert (sftp_server.root / "upload" / payload.name).read_bytes() == payload.read_bytes()


def test_sftp_wrong_host_key_is_refused_without_retry(sftp_server, payload, secrets):
    target = _sftp_target(
        sftp_server,
        password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"),
        host_key="SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    result = delivery.deliver(target, payload, secrets, FAST)
    assert not result.ok and result.attempts == 1
    assert "host key" in result.error
    assert _files(sftp_server.root) == []


def test_sftp_wrong_password_fails_without_retry_and_hides_password(
    sftp_server, payload, monkeypatch
):
    monkeypatch.setenv("CCWH_TEST_BAD", "wrong-password-123")
    secrets = delivery.Secrets(path=None)
    target = _sftp_target(sftp_server, password=SecretRef(env="CCWH_TEST_BAD"))
    result = delivery.deliver(target, payload, secrets, FAST)
    assert not result.ok and result.attempts == 1
    assert "authentication failed" in result.error
    assert "wrong-password-123" not in result.error


def test_sftp_dropped_mid_transfer_retries_and_leaves_no_partial_file(
    sftp_server, payload, secrets
):
    sftp_server.mode = "drop"
    sleeps = Sleeps()
    target = _sftp_target(sftp_server, password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"))
    result = delivery.deliver(target, payload, secrets, FAST, sleep=sleeps)
    assert not result.ok and result.attempts == 3
    assert len(sleeps) == 2
    assert sftp_server.writes >= 3  # each attempt really started writing
    assert _files(sftp_server.root) == []  # neither the final name nor a .part file


def test_sftp_server_down(payload, secrets):
    target = SftpTarget(
        host="127.0.0.1",
        port=closed_port(),
        username=USER,
        password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"),
        host_key="SHA256:x",
    )
    result = delivery.deliver(target, payload, secrets, FAST)
    assert not result.ok and result.attempts == 3
    assert "refused" in result.error.lower() or "unable to connect" in result.error.lower()


# --- FTP / FTPES / FTPS ---------------------------------------------------------------


@pytest.fixture(params=["none", "explicit", "implicit"])
def ftp_server(request, tmp_path, tls):
    root = tmp_path / "ftp-root"
    (root / "in").mkdir(parents=True)
    server = FtpServer(root=root, tls=request.param, cert=tls[0], key=tls[1]).start()
    yield server
    server.stop()


def _ftp_target(server, tls_cert):
    return FtpTarget(
        host="127.0.0.1",
        port=server.port,
        username=USER,
        password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"),
        directory="in",
        tls=server.tls,
        ca_file=tls_cert,
    )


def test_ftp_delivers_exact_bytes(ftp_server, payload, secrets, tls):
    result = delivery.deliver(_ftp_target(ftp_server, tls[0]), payload, secrets, FAST)
    assert result.ok, result.error
    assert (ftp_server.root / "in" / payload.name).read_bytes() == payload.read_bytes()
    assert _files(ftp_server.root) == [payload.name]


def test_ftps_verifies_the_server_certificate(tmp_path, payload, secrets, tls):
    root = tmp_path / "ftp-root"
    (root / "in").mkdir(parents=True)
    server = FtpServer(root=root, tls="explicit", cert=tls[0], key=tls[1]).start()
    try:
        target = _ftp_target(server, None)  # system CAs only: the self-signed cert is untrusted
        result = delivery.deliver(target, payload, secrets, FAST)
        assert not result.ok
        assert "certificate" in result.error.lower()
        assert _files(root) == []
    finally:
        server.stop()


@pytest.mark.parametrize("mode", ["refuse", "drop"])
@pytest.mark.parametrize("tls_mode", ["none", "implicit"])
def test_ftp_failure_mid_transfer_retries_and_leaves_nothing(
    tmp_path, payload, secrets, tls, mode, tls_mode
):
    root = tmp_path / "ftp-root"
    (root / "in").mkdir(parents=True)
    server = FtpServer(root=root, tls=tls_mode, mode=mode, cert=tls[0], key=tls[1]).start()
    try:
        sleeps = Sleeps()
        result = delivery.deliver(_ftp_target(server, tls[0]), payload, secrets, FAST, sleep=sleeps)
        assert not result.ok and result.attempts == 3 and len(sleeps) == 2
        if mode == "refuse":
            assert "452" in result.error
        assert _files(root) == []
    finally:
        server.stop()


def test_ftp_server_down(payload, secrets):
    target = FtpTarget(
        host="127.0.0.1",
        port=closed_port(),
        username=USER,
        password=SecretRef(env="CCWH_TEST_FTP_PASSWORD"),
        tls="implicit",
    )
    result = delivery.deliver(target, payload, secrets, FAST)
    assert not result.ok and result.attempts == 3
    assert "ConnectionRefusedError" in result.error


# --- e-mail ---------------------------------------------------------------------------


@pytest.fixture
def smtp_server(tls):
    server = SmtpServer(cert=tls[0], key=tls[1]).start()
    yield server
    server.stop()


def test_email_starttls_delivers_the_attachment(smtp_server, payload, secrets, tls):
    smtp = SmtpConfig(
        host="127.0.0.1", port=smtp_server.port, sender="reports@ccwh.test", ca_file=tls[0]
    )
    target = EmailTarget(to=("a@example.com", "b@example.com"), smtp=smtp)
    result = delivery.deliver(target, payload, secrets, FAST)
    assert result.ok, result.error
    [msg] = smtp_server.messages
    assert msg["tls"] and msg["to"] == ["a@example.com", "b@example.com"]
    parsed = email.message_from_bytes(msg["data"])
    [part] = [p for p in parsed.walk() if p.get_filename()]
    assert part.get_filename() == payload.name
    assert part.get_payload(decode=True) == payload.read_bytes()


def test_email_refused_is_retried_then_failed(smtp_server, payload, secrets, tls):
    smtp_server.mode = "refuse"
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_server.port, ca_file=tls[0])
    sleeps = Sleeps()
    result = delivery.deliver(
        EmailTarget(to=("a@example.com",), smtp=smtp), payload, secrets, FAST, sleep=sleeps
    )
    assert not result.ok and result.attempts == 3 and len(sleeps) == 2
    assert "451" in result.error
    assert smtp_server.messages == []


def test_email_server_down(payload, secrets):
    smtp = SmtpConfig(host="127.0.0.1", port=closed_port())
    result = delivery.deliver(EmailTarget(to=("a@example.com",), smtp=smtp), payload, secrets, FAST)
    assert not result.ok and result.attempts == 3


# --- e-mail with SMTP AUTH -------------------------------------------------------------


@pytest.fixture
def smtp_auth_server(tls):
    server = SmtpServer(cert=tls[0], key=tls[1], auth=True).start()
    yield server
    server.stop()


def _auth_smtp(server, tls_cert, env="CCWH_TEST_SMTP_PASSWORD", **kw):
    base = dict(
        host="127.0.0.1",
        port=server.port,
        sender="reports@ccwh.test",
        username=USER,
        password=SecretRef(env=env),
        ca_file=tls_cert,
    )
    base.update(kw)
    return SmtpConfig(**base)


def test_email_auth_after_starttls_delivers_the_attachment(
    smtp_auth_server, payload, tls, monkeypatch
):
    monkeypatch.setenv("CCWH_TEST_SMTP_PASSWORD", PASSWORD)
    secrets = delivery.Secrets(path=None)
    target = EmailTarget(to=("a@example.com",), smtp=_auth_smtp(smtp_auth_server, tls[0]))
    result = delivery.deliver(target, payload, secrets, FAST)
    assert result.ok, result.error
    assert smtp_auth_server.connections == 1
    assert smtp_auth_server.logins == [(USER, True)]
    [msg] = smtp_auth_server.messages
    assert msg["tls"] and msg["login"] == USER and msg["to"] == ["a@example.com"]
    [part] = [p for p in email.message_from_bytes(msg["data"]).walk() if p.get_filename()]
    assert part.get_filename() == payload.name
    assert part.get_payload(decode=True) == payload.read_bytes()


def test_email_server_requiring_auth_refuses_an_anonymous_sender(smtp_auth_server, payload, tls):
    # the server really insists on AUTH: without a username nothing is delivered
    smtp = SmtpConfig(host="127.0.0.1", port=smtp_auth_server.port, ca_file=tls[0])
    result = delivery.deliver(
        EmailTarget(to=("a@example.com",), smtp=smtp), payload, delivery.Secrets(path=None), FAST
    )
    assert not result.ok and "530" in result.error
    assert smtp_auth_server.messages == []


def test_email_auth_on_a_server_without_auth_fails_once(smtp_server, payload, tls, monkeypatch):
    monkeypatch.setenv("CCWH_TEST_SMTP_PASSWORD", PASSWORD)
    smtp_server.offer_auth = False
    target = EmailTarget(to=("a@example.com",), smtp=_auth_smtp(smtp_server, tls[0]))
    result = delivery.deliver(target, payload, delivery.Secrets(path=None), FAST)
    assert not result.ok and result.attempts == 1
    assert "does not offer AUTH" in result.error
    assert smtp_server.messages == []


@pytest.mark.parametrize("with_password", [True, False])
def test_email_credentials_are_never_sent_without_starttls(
    smtp_auth_server, payload, tls, monkeypatch, with_password
):
    monkeypatch.setenv("CCWH_TEST_SMTP_PASSWORD", PASSWORD)
    smtp = _auth_smtp(smtp_auth_server, tls[0], starttls=False)
    if not with_password:
        smtp = dataclasses.replace(smtp, password=None)
    result = delivery.deliver(
        EmailTarget(to=("a@example.com",), smtp=smtp), payload, delivery.Secrets(path=None), FAST
    )
    assert not result.ok and result.attempts == 1
    assert result.error == (
        f"refusing to send SMTP credentials to 127.0.0.1:{smtp_auth_server.port} without "
        "STARTTLS; set starttls: true"
    )
    assert smtp_auth_server.connections == 0  # refused before connecting
    assert smtp_auth_server.messages == []


def _report_home(tmp_path, monkeypatch, server, tls_cert, smtp_password):
    """A data directory with one attempt and an incremental report e-mailed through
    ``server`` with SMTP AUTH, failure alerts by e-mail through the same server."""
    monkeypatch.delenv("CCWH_SECRETS_FILE", raising=False)
    home = make_home(tmp_path)
    write_warehouse(
        home, [("acme", "C1", "c1", "i1", "BUSY", 4, "2024-03-10 10:00:00", "2024-03-10 10:01:00")]
    )
    secrets_file = home.config_dir / "secrets.yaml"
    secrets_file.write_text(f"acme_smtp: {smtp_password}\n")
    secrets_file.chmod(0o600)
    (home.config_dir / "reports" / "acme.yaml").write_text(
        textwrap.dedent(f"""
        tenant: acme
        smtp:
          host: 127.0.0.1
          port: {server.port}
          username: {USER}
          password: {{secret: acme_smtp}}
          from: reports@ccwh.test
          ca_file: {tls_cert}
        alerts:
          email: ops@example.com
        reports:
          - name: mailed
            type: all_attempts
            timeframe: incremental
            retries: {{attempts: 3, backoff_seconds: 0}}
            deliver:
              - email: {{to: a@example.com}}
    """)
    )
    return home


def _stored_bytes(home) -> list[tuple[str, bytes]]:
    """Every file the run left in the data directory except the secrets file itself."""
    return [
        (str(p), p.read_bytes())
        for p in home.root.rglob("*")
        if p.is_file() and p.name != "secrets.yaml"
    ]


def test_run_emailed_with_smtp_auth_keeps_the_password_out_of_logs_and_registry(
    tmp_path, smtp_auth_server, tls, monkeypatch, caplog
):
    from datetime import UTC, datetime

    caplog.set_level(logging.DEBUG)
    home = _report_home(tmp_path, monkeypatch, smtp_auth_server, tls[0], PASSWORD)
    r = run_named(home, "mailed", now=datetime(2024, 3, 10, 12, tzinfo=UTC))
    assert r.status == "finished", r.error
    [msg] = smtp_auth_server.messages
    assert msg["login"] == USER and msg["tls"]
    [part] = [p for p in email.message_from_bytes(msg["data"]).walk() if p.get_filename()]
    assert part.get_payload(decode=True) == r.file.read_bytes()
    assert b"i1" in r.file.read_bytes()
    assert PASSWORD not in caplog.text
    assert [f for f, data in _stored_bytes(home) if PASSWORD.encode() in data] == []


def test_run_with_wrong_smtp_password_fails_once_with_a_clear_reason(
    tmp_path, smtp_auth_server, tls, monkeypatch, caplog
):
    from datetime import UTC, datetime

    wrong = "Wr0ng-smtp-Passw0rd"
    caplog.set_level(logging.DEBUG)
    home = _report_home(tmp_path, monkeypatch, smtp_auth_server, tls[0], wrong)
    r = run_named(home, "mailed", now=datetime(2024, 3, 10, 12, tzinfo=UTC))
    assert r.status == "failed"
    assert r.error.startswith(
        f"delivery failed: email:a@example.com: SMTP authentication failed for {USER} at "
        f"127.0.0.1:{smtp_auth_server.port}: (535"
    )
    [delivered] = r.deliveries
    assert delivered["attempts"] == 1  # not retried although retries allow 3 attempts
    # one connection for the report, one for the failure alert (which fails the same way)
    assert smtp_auth_server.connections == 2
    assert smtp_auth_server.messages == []
    assert {ok for _, ok in smtp_auth_server.logins} == {False}
    registry = Registry.for_home(home)
    assert registry.get(r.run_id).status == "failed"
    assert registry.watermark(watermark_key(find(home, "mailed"))) is None
    assert wrong not in r.error and wrong not in caplog.text
    assert [f for f, data in _stored_bytes(home) if wrong.encode() in data] == []
    assert "SMTP authentication failed" in caplog.text


# --- secrets --------------------------------------------------------------------------


def test_secrets_file_must_be_private(tmp_path):
    f = tmp_path / "secrets.yaml"
    f.write_text("sftp_pw: abc123\n")
    f.chmod(0o644)
    with pytest.raises(delivery.SecretsError, match="chmod 600"):
        delivery.Secrets(path=f).get(SecretRef(secret="sftp_pw"))
    f.chmod(0o600)
    s = delivery.Secrets(path=f)
    assert s.get(SecretRef(secret="sftp_pw")) == "abc123"
    assert s.scrub("login abc123 failed") == "login *** failed"


# --- a whole run: failure reason recorded, watermark unmoved ----------------------------


def test_run_with_failing_sftp_is_failed_with_reason(tmp_path, sftp_server, monkeypatch):
    home = make_home(tmp_path)
    write_warehouse(
        home, [("acme", "C1", "c1", "i1", "BUSY", 4, "2024-03-10 10:00:00", "2024-03-10 10:01:00")]
    )
    sftp_server.mode = "drop"
    secrets_file = home.config_dir / "secrets.yaml"
    secrets_file.write_text(f"acme_sftp: {PASSWORD}\n")
    secrets_file.chmod(0o600)
    (home.config_dir / "reports" / "acme.yaml").write_text(
        textwrap.dedent(f"""
        tenant: acme
        reports:
          - name: hourly
            type: all_attempts
            timeframe: incremental
            retries: {{attempts: 2, backoff_seconds: 0}}
            deliver:
              - sftp:
                  host: 127.0.0.1
                  port: {sftp_server.port}
                  username: {USER}
                  password: {{secret: acme_sftp}}
                  directory: upload
                  host_key: "{sftp_server.host_key_fingerprint}"
    """)
    )
    from datetime import UTC, datetime

    now = datetime(2024, 3, 10, 12, tzinfo=UTC)
    r = run_named(home, "hourly", now=now)
    assert r.status == "failed"
    assert r.error.startswith("delivery failed: sftp://reports@127.0.0.1")
    assert PASSWORD not in r.error
    assert _files(sftp_server.root) == []
    # the failed incremental run did not move the watermark: the next run covers the same data
    sftp_server.mode = "ok"
    r2 = run_named(home, "hourly", now=now)
    assert r2.status == "finished" and r2.record_count == 1
    assert r2.period.start == r.period.start
    assert _files(sftp_server.root) == [r2.file.name]
