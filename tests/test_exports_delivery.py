"""Delivery against real servers on 127.0.0.1: the bytes that arrive, retries, failure reasons,
and no partial file left behind."""

from __future__ import annotations

import email
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
)
from exports.definitions import (
    SmtpServer as SmtpConfig,
)
from exports.runner import run_named

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
