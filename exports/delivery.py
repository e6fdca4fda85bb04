"""Delivery of a report file: local folder, SFTP, FTP / FTPES / FTPS, e-mail.

Every upload is atomic for readers of the destination: the file is written under a hidden
temporary name (``.<name>.part``) in the destination folder and renamed to its final name only
when complete. A failed attempt removes its temporary file (on the same connection if it still
works, else on the next attempt's connection, else in a last clean-up connection), so no
partial file is left where a reader could pick it up.

Transient failures are retried with exponential back-off (``retries:`` in the definition);
authentication and host-key failures are not retried — they will not fix themselves.

Credentials come only from environment variables or the secrets file (``$CCWH_SECRETS_FILE``,
else ``<home>/config/secrets.yaml``; it must not be readable by group or others, and must not
sit inside the source tree). Secret values are scrubbed from every error message before it is
stored or logged.
"""

from __future__ import annotations

import ftplib
import logging
import os
import shutil
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path, PurePosixPath

import yaml

from ccwh.paths import REPO_ROOT
from exports.definitions import (
    EmailTarget,
    FtpTarget,
    LocalTarget,
    RetryPolicy,
    SecretRef,
    SftpTarget,
    SmtpServer,
    Target,
)

log = logging.getLogger(__name__)
SECRETS_ENV = "CCWH_SECRETS_FILE"
TIMEOUT = 60.0


class DeliveryError(RuntimeError):
    """A delivery that failed; ``retryable`` False for errors a retry cannot fix."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class SecretsError(RuntimeError):
    pass


class Secrets:
    """Credential look-up; remembers every value handed out so messages can be scrubbed."""

    def __init__(self, home=None, path: Path | None = None):
        env_path = os.environ.get(SECRETS_ENV)
        if path is None:
            path = (
                Path(env_path) if env_path else (home.config_dir / "secrets.yaml" if home else None)
            )
        self.path = path
        self._data: dict | None = None
        self.used: set[str] = set()

    def _load(self) -> dict:
        if self._data is not None:
            return self._data
        p = self.path
        if p is None or not p.exists():
            self._data = {}
            return self._data
        resolved = p.resolve()
        inside_repo = resolved.is_relative_to(REPO_ROOT)
        if inside_repo and not resolved.is_relative_to(REPO_ROOT / ".ccwh"):
            raise SecretsError(
                f"secrets file {p} is inside the source tree; move it to <home>/config/ "
                f"or point ${SECRETS_ENV} at a file outside the repository"
            )
        if p.stat().st_mode & 0o077:
            raise SecretsError(f"secrets file {p} is readable by others; run chmod 600 {p}")
        data = yaml.safe_load(p.read_text()) or {}
        if not isinstance(data, dict):
            raise SecretsError(f"secrets file {p}: expected a mapping of name: value")
        self._data = data
        return data

    def get(self, ref: SecretRef | None) -> str | None:
        if ref is None:
            return None
        if ref.env:
            value = os.environ.get(ref.env)
            if value is None:
                raise SecretsError(
                    f"environment variable {ref.env} is not set (needed for a credential)"
                )
        else:
            data = self._load()
            if ref.secret not in data:
                where = self.path or f"<home>/config/secrets.yaml or ${SECRETS_ENV}"
                raise SecretsError(f"secret {ref.secret!r} is not in the secrets file {where}")
            value = str(data[ref.secret])
        if value:
            self.used.add(value)
        return value

    def scrub(self, text: str) -> str:
        for value in sorted(self.used, key=len, reverse=True):
            if len(value) >= 3:
                text = text.replace(value, "***")
        return text


@dataclass
class Delivered:
    target: str
    ok: bool
    attempts: int
    location: str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _temp_name(name: str) -> str:
    return f".{name}.part"


# --- local ----------------------------------------------------------------------------


def _to_local(target: LocalTarget, file: Path, _secrets: Secrets, _ctx: dict) -> str:
    folder = target.path
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / file.name
    tmp = folder / _temp_name(file.name)
    try:
        with file.open("rb") as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, final)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return str(final)


# --- SFTP -----------------------------------------------------------------------------


def _sftp_client(target: SftpTarget, secrets: Secrets):
    import paramiko

    class FingerprintPolicy(paramiko.MissingHostKeyPolicy):
        def missing_host_key(self, client, hostname, key):
            if key.fingerprint != target.host_key:
                raise DeliveryError(
                    f"host key of {hostname} is {key.fingerprint}, not the expected "
                    f"{target.host_key}; refusing to connect (update host_key if the server "
                    "really changed its key)",
                    retryable=False,
                )

    client = paramiko.SSHClient()
    if target.known_hosts:
        client.load_host_keys(str(target.known_hosts))
    client.set_missing_host_key_policy(
        FingerprintPolicy() if target.host_key else paramiko.RejectPolicy()
    )
    pkey = None
    if target.private_key:
        try:
            pkey = paramiko.PKey.from_path(
                str(target.private_key), password=secrets.get(target.private_key_passphrase)
            )
        except (OSError, paramiko.SSHException) as e:
            raise DeliveryError(
                f"cannot read SFTP private key {target.private_key}: {e}", retryable=False
            ) from e
    try:
        client.connect(
            target.host,
            port=target.port,
            username=target.username,
            password=secrets.get(target.password),
            pkey=pkey,
            look_for_keys=False,
            allow_agent=False,
            timeout=TIMEOUT,
            banner_timeout=TIMEOUT,
            auth_timeout=TIMEOUT,
        )
    except paramiko.AuthenticationException as e:
        client.close()
        raise DeliveryError(
            f"SFTP authentication failed for {target.username}@{target.host}: {e}", retryable=False
        ) from e
    except paramiko.BadHostKeyException as e:
        client.close()
        raise DeliveryError(f"SFTP host key mismatch: {e}", retryable=False) from e
    except BaseException:
        client.close()
        raise
    sftp = client.open_sftp()
    sftp.get_channel().settimeout(TIMEOUT)
    return client, sftp


def _to_sftp(target: SftpTarget, file: Path, secrets: Secrets, ctx: dict) -> str:
    folder = PurePosixPath(target.directory)
    final = str(folder / file.name)
    tmp = str(folder / _temp_name(file.name))
    client, sftp = _sftp_client(target, secrets)
    try:
        _sftp_remove(sftp, tmp)  # a leftover of an earlier failed attempt
        try:
            with file.open("rb") as f:
                sftp.putfo(f, tmp, file_size=file.stat().st_size, confirm=True)
            try:
                sftp.posix_rename(tmp, final)  # atomic replace (OpenSSH extension)
            except OSError:
                _sftp_remove(sftp, final)
                sftp.rename(tmp, final)
        except BaseException:
            _sftp_remove(sftp, tmp)
            raise
    finally:
        sftp.close()
        client.close()
    return f"{target.describe().rsplit('/', 1)[0]}/{final.lstrip('/')}"


def _sftp_remove(sftp, path: str) -> None:
    try:
        sftp.remove(path)
    except (OSError, EOFError):
        pass


def _cleanup_sftp(target: SftpTarget, file: Path, secrets: Secrets) -> None:
    client, sftp = _sftp_client(target, secrets)
    try:
        _sftp_remove(sftp, str(PurePosixPath(target.directory) / _temp_name(file.name)))
    finally:
        sftp.close()
        client.close()


# --- FTP / FTPES / FTPS ---------------------------------------------------------------


def _tls_context(ca_file: Path | None, verify: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


class ImplicitFTP_TLS(ftplib.FTP_TLS):
    """FTPS with implicit TLS: the control connection is TLS from its first byte (port 990)."""

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        if host:
            self.host = host
        if port > 0:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome


def _ftp_client(target: FtpTarget, secrets: Secrets) -> ftplib.FTP:
    password = secrets.get(target.password) or ""
    if target.tls == "none":
        ftp: ftplib.FTP = ftplib.FTP(timeout=TIMEOUT)
        ftp.connect(target.host, target.port)
    else:
        ctx = _tls_context(target.ca_file, target.verify)
        cls = ImplicitFTP_TLS if target.tls == "implicit" else ftplib.FTP_TLS
        ftp = cls(context=ctx, timeout=TIMEOUT)
        ftp.connect(target.host, target.port)
    try:
        ftp.login(target.username, password)  # FTP_TLS sends AUTH TLS first (explicit)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()  # data connections encrypted too
        ftp.set_pasv(target.passive)
        if target.directory not in ("", "."):
            ftp.cwd(target.directory)
    except ftplib.error_perm as e:
        ftp.close()
        if str(e).startswith("530"):
            raise DeliveryError(
                f"FTP login failed for {target.username}@{target.host}: {e}", retryable=False
            ) from e
        raise
    except BaseException:
        ftp.close()
        raise
    return ftp


def _ftp_delete(ftp: ftplib.FTP, name: str) -> None:
    try:
        ftp.delete(name)
    except (ftplib.Error, OSError, EOFError):
        pass


def _to_ftp(target: FtpTarget, file: Path, secrets: Secrets, ctx: dict) -> str:
    tmp = _temp_name(file.name)
    ftp = _ftp_client(target, secrets)
    try:
        _ftp_delete(ftp, tmp)
        try:
            with file.open("rb") as f:
                ftp.storbinary(f"STOR {tmp}", f, blocksize=1 << 16)
            try:
                ftp.rename(tmp, file.name)
            except ftplib.error_perm:  # some servers refuse to rename over an existing file
                _ftp_delete(ftp, file.name)
                ftp.rename(tmp, file.name)
        except BaseException:
            _ftp_delete(ftp, tmp)
            raise
        try:
            ftp.quit()
        except (ftplib.Error, OSError, EOFError):
            pass
    finally:
        ftp.close()
    remote = PurePosixPath(target.directory) / file.name
    return f"{target.describe().rsplit('/', 1)[0]}/{remote}"


def _cleanup_ftp(target: FtpTarget, file: Path, secrets: Secrets) -> None:
    ftp = _ftp_client(target, secrets)
    try:
        _ftp_delete(ftp, _temp_name(file.name))
    finally:
        ftp.close()


# --- e-mail ---------------------------------------------------------------------------


def send_mail(
    smtp_server: SmtpServer,
    to: tuple[str, ...],
    subject: str,
    body: str,
    secrets: Secrets,
    attachment: Path | None = None,
) -> None:
    msg = EmailMessage()
    msg["From"] = smtp_server.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    if attachment is not None:
        ctype = (
            "text/csv"
            if attachment.suffix == ".csv"
            else ("text/plain" if attachment.suffix == ".txt" else "application/octet-stream")
        )
        maintype, subtype = ctype.split("/")
        msg.add_attachment(
            attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name
        )
    if (smtp_server.username or smtp_server.password) and not smtp_server.starttls:
        # checked before connecting (and before reading the secret): AUTH PLAIN/LOGIN would
        # send the password in clear text to anyone on the path
        raise DeliveryError(
            f"refusing to send SMTP credentials to {smtp_server.host}:{smtp_server.port} "
            "without STARTTLS; set starttls: true",
            retryable=False,
        )
    password = secrets.get(smtp_server.password)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=TIMEOUT) as s:
        s.ehlo()
        if smtp_server.starttls:
            s.starttls(context=_tls_context(smtp_server.ca_file, smtp_server.verify))
            s.ehlo()
        if smtp_server.username:
            try:
                s.login(smtp_server.username, password or "")
            except smtplib.SMTPAuthenticationError as e:
                raise DeliveryError(
                    f"SMTP authentication failed for {smtp_server.username} at "
                    f"{smtp_server.host}:{smtp_server.port}: {e}",
                    retryable=False,
                ) from e
            except smtplib.SMTPNotSupportedError as e:
                raise DeliveryError(
                    f"SMTP server {smtp_server.host}:{smtp_server.port} does not offer AUTH "
                    "after STARTTLS; remove username/password or fix the server's settings",
                    retryable=False,
                ) from e
        refused = s.send_message(msg)
        if refused:
            raise DeliveryError(
                f"SMTP server refused recipients: {sorted(refused)}", retryable=False
            )


def _to_email(target: EmailTarget, file: Path, secrets: Secrets, ctx: dict) -> str:
    subject = target.subject or f"Report {ctx.get('report', '')}: {file.name}"
    body = ctx.get("body") or f"The report {file.name} is attached."
    send_mail(target.smtp, target.to, subject, body, secrets, attachment=file)
    return f"email:{', '.join(target.to)}"


# --- retries --------------------------------------------------------------------------

_SENDERS: dict[type, Callable] = {
    LocalTarget: _to_local,
    SftpTarget: _to_sftp,
    FtpTarget: _to_ftp,
    EmailTarget: _to_email,
}
_CLEANUPS: dict[type, Callable] = {SftpTarget: _cleanup_sftp, FtpTarget: _cleanup_ftp}


def _describe_error(e: BaseException) -> str:
    text = str(e) or repr(e)
    return f"{type(e).__name__}: {text}" if not isinstance(e, DeliveryError) else text


def deliver(
    target: Target,
    file: Path,
    secrets: Secrets,
    policy: RetryPolicy,
    ctx: dict | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivered:
    """Deliver ``file`` to one target with retries; never raises for delivery failures."""
    ctx = ctx or {}
    send = _SENDERS[type(target)]
    error = ""
    attempt = 0
    for attempt in range(1, policy.attempts + 1):
        try:
            location = send(target, file, secrets, ctx)
            return Delivered(target.describe(), True, attempt, location=location)
        except SecretsError as e:
            return Delivered(target.describe(), False, attempt, error=str(e))
        except Exception as e:  # noqa: BLE001 — every failure is reported, none escapes
            error = secrets.scrub(_describe_error(e))
            log.warning(
                "delivery to %s failed (attempt %d/%d): %s",
                target.describe(),
                attempt,
                policy.attempts,
                error,
            )
            if isinstance(e, DeliveryError) and not e.retryable:
                break
            if attempt < policy.attempts:
                sleep(min(policy.backoff_seconds * 2 ** (attempt - 1), policy.max_backoff_seconds))
    cleanup = _CLEANUPS.get(type(target))
    if cleanup is not None:
        try:
            cleanup(target, file, secrets)
        except Exception as e:  # noqa: BLE001 — the server may be down; the upload error matters
            log.info(
                "clean-up after failed delivery to %s: %s", target.describe(), secrets.scrub(str(e))
            )
    return Delivered(target.describe(), False, attempt, error=error)
