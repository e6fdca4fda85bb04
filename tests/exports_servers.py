"""Real servers on 127.0.0.1 for the export delivery tests: SFTP (asyncssh), FTP / FTPES /
implicit FTPS (pyftpdlib), SMTP with STARTTLS (aiosmtpd), and an HTTP webhook receiver.

Each server can misbehave on purpose (``mode``): "drop" closes the connection in the middle
of an upload, "refuse" answers the upload with an error. "Server down" is a port nobody
listens on (``closed_port``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

USER, PASSWORD = "reports", "s3cret-Passw0rd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A port with nothing listening (bound and closed at once)."""
    return free_port()


def make_tls_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost; returns (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


# --- SFTP (asyncssh) ------------------------------------------------------------------


@dataclass
class SftpServer:
    root: Path
    mode: str = "ok"  # ok | drop (connection closed after the first write)
    port: int = 0
    host_key_fingerprint: str = ""
    client_key_path: Path | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: object = None
    writes: int = 0

    def start(self, keys_dir: Path) -> SftpServer:
        import asyncssh

        host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.host_key_fingerprint = host_key.get_fingerprint("sha256")
        client_key = asyncssh.generate_private_key("ssh-ed25519")
        keys_dir.mkdir(parents=True, exist_ok=True)
        self.client_key_path = keys_dir / "id_ed25519"
        # OpenSSH format: what paramiko's PKey.from_path reads
        client_key.write_private_key(str(self.client_key_path), format_name="openssh")
        authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
        server = self

        class Auth(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                return username == USER and password == PASSWORD

            def public_key_auth_supported(self):
                return True

            def validate_public_key(self, username, key):
                return (
                    username == USER
                    and authorized.validate(key, "127.0.0.1", "127.0.0.1") is not None
                )

        class Files(asyncssh.SFTPServer):
            def __init__(self, chan):
                super().__init__(chan, chroot=str(server.root).encode())

            def write(self, file_obj, offset, data):
                server.writes += 1
                if server.mode == "drop":
                    super().write(file_obj, offset, data[: len(data) // 2])
                    self.connection.abort()
                    raise asyncssh.SFTPConnectionLost("dropped by the test server")
                return super().write(file_obj, offset, data)

        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self._loop)

            async def main():
                self._server = await asyncssh.listen(
                    "127.0.0.1",
                    self.port,
                    server_host_keys=[host_key],
                    server_factory=Auth,
                    sftp_factory=Files,
                    allow_scp=False,
                )
                ready.set()

            self._loop.run_until_complete(main())
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# --- FTP / FTPES / FTPS (pyftpdlib) ---------------------------------------------------


@dataclass
class FtpServer:
    root: Path
    tls: str = "none"  # none | explicit | implicit
    mode: str = "ok"  # ok | refuse (452 on STOR) | drop (control connection closed mid-upload)
    cert: Path | None = None
    key: Path | None = None
    port: int = 0
    _server: object = None
    _thread: threading.Thread | None = None

    def start(self) -> FtpServer:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_DTPHandler, TLS_FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(self.root), perm="elradfmwMT")
        mode = self.mode
        base = FTPHandler if self.tls == "none" else TLS_FTPHandler
        dtp_base = DTPHandler if self.tls == "none" else TLS_DTPHandler

        class DropOnRead(DTPHandler):
            def handle_read(self):
                super().handle_read()
                if mode == "drop" and self.tot_bytes_received:
                    # the whole session dies mid-transfer, as when a server crashes
                    self.cmd_channel.close()
                    self.close()

            # DTPHandler aliases handle_read_event to its own handle_read: re-alias to ours
            handle_read_event = handle_read

        if dtp_base is DTPHandler:
            DroppingDTP = DropOnRead  # noqa: N806
        else:
            # MRO: TLS_DTPHandler → SSLConnectionMixin → DropOnRead → DTPHandler, so TLS
            # decryption runs first and our read hook sees the plain data stream
            class DroppingDTP(dtp_base, DropOnRead):
                pass

        class Handler(base):
            def ftp_STOR(self, file, mode_="w"):
                if mode == "refuse":
                    self.respond("452 Insufficient storage space (test server refuses uploads).")
                    return None
                return super().ftp_STOR(file, mode_)

        Handler.authorizer = authorizer
        Handler.dtp_handler = DroppingDTP
        Handler.passive_ports = None
        Handler.banner = "ccwh test ftp"
        if self.tls != "none":
            Handler.certfile = str(self.cert)
            Handler.keyfile = str(self.key)
            Handler.ssl_context = None
            Handler.tls_control_required = True
            Handler.tls_data_required = True
        if self.tls == "implicit":
            # pyftpdlib only speaks explicit TLS (AUTH TLS). Implicit FTPS is TLS from the first
            # byte: start the handshake as soon as the client connects and send the 220 banner
            # only once it is established — that is all "implicit" changes on the control
            # channel; PBSZ/PROT and the TLS data channel are then the same as FTPES.
            class Implicit(Handler):
                def handle(self):
                    self.secure_connection(self.ssl_context)

                def handle_ssl_established(self):
                    FTPHandler.handle(self)

            Handler = Implicit  # noqa: N806
            Handler.ssl_context = None

        self.port = free_port()
        self._server = ThreadedFTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"timeout": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close_all()
            self._thread.join(10)


# --- SMTP (aiosmtpd) ------------------------------------------------------------------


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS. With ``auth=True`` it also offers AUTH
    (PLAIN, LOGIN) after STARTTLS only, accepts USER / PASSWORD and refuses mail from a
    session that did not log in.

    ``connections`` counts client connections (the controller's own start-up probe excluded),
    ``logins`` every AUTH attempt as (login, accepted) — never the password."""

    cert: Path
    key: Path
    mode: str = "ok"  # ok | refuse (451 on DATA)
    auth: bool = False
    offer_auth: bool = True  # False: AUTH is not advertised at all (as on a relay-only port)
    port: int = 0
    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    connections: int = 0
    _controller: object = None

    def start(self) -> SmtpServer:
        import ssl

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

        server = self

        class Handler:
            async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
                session.host_name = hostname
                if not server.offer_auth:
                    responses = [r for r in responses if not r.startswith("250-AUTH")]
                return responses

            async def handle_DATA(self, smtp, session, envelope):
                if server.mode == "refuse":
                    return "451 4.3.0 Temporary failure (test server refuses mail)"
                server.messages.append(
                    {
                        "from": envelope.mail_from,
                        "to": list(envelope.rcpt_tos),
                        "data": envelope.original_content or envelope.content,
                        "tls": session.ssl is not None,
                        "login": session.login_data.decode() if session.login_data else None,
                    }
                )
                return "250 OK"

        def authenticator(_server, _session, _envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == USER.encode()
                and auth_data.password == PASSWORD.encode()
            )
            login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None
            server.logins.append((login, ok))
            # handled=False: aiosmtpd itself answers a failure with 535
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        class CountingController(Controller):
            def factory(self):
                # asyncio calls this once per accepted connection
                server.connections += 1
                return SMTP(self.handler, **self.SMTP_kwargs)

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert), str(self.key))
        self.port = free_port()
        auth_kwargs = (
            {"authenticator": authenticator, "auth_required": True, "auth_require_tls": True}
            if self.auth
            else {}
        )
        self._controller = CountingController(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=ctx,
            require_starttls=True,
            **auth_kwargs,
        )
        self._controller.start()
        # start() connects once to check the server is up, and waits until that connection
        # reached factory(): a reset here leaves only the clients' connections counted
        self.connections = 0
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


# --- webhook --------------------------------------------------------------------------


class WebhookServer:
    def __init__(self) -> None:
        self.posts: list[dict] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.posts.append({"path": self.path, "json": json.loads(body)})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- a data directory with a small published warehouse --------------------------------


def make_home(tmp_path: Path):
    """A fresh data directory whose serve.duckdb holds a tiny all_attempts and tenants mart."""
    from ccwh.paths import Home

    home = Home.resolve(tmp_path / "home").ensure()
    (home.config_dir / "reports").mkdir(parents=True, exist_ok=True)
    return home


ATTEMPT_COLUMNS = (
    "tenant_id varchar, campaign_id varchar, sub_campaign_id varchar, list_id varchar, "
    "client_id varchar, contact_id varchar, interaction_id varchar, device varchar, "
    "pass_type varchar, completion_status varchar, status_rank integer, started_at timestamp, "
    "ended_at timestamp, report_day date, best_contact integer, event_id varchar"
)


def _insert_attempts(con, attempts) -> None:
    for a in attempts:
        tenant, campaign, client, interaction, status, rank, started, ended, *rest = a
        sub = rest[0] if rest else "S1"
        con.execute(
            "insert into all_attempts values (?, ?, ?, 'L1', ?, ?, ?, '+15550100', 'voice',"
            " ?, ?, ?, ?, cast(? as timestamp)::date, 0, ?)",
            [
                tenant,
                campaign,
                sub,
                client,
                "ct-" + client,
                interaction,
                status,
                rank,
                started,
                ended,
                started,
                "ev-" + interaction,
            ],
        )


def write_warehouse(
    home, attempts: list[tuple] = (), tenants: list[tuple] = (), extra_sql: str = ""
) -> None:
    """(Re)publish serve.duckdb: all_attempts rows are (tenant, campaign, client, interaction,
    status, rank, started_at, ended_at[, sub_campaign]) with datetimes as UTC strings.

    The file is written directly, as an older ccwh published it: without the
    ``ccwh_publication`` view (see ``load_and_publish`` for a real publish)."""
    import duckdb

    tmp = home.serving.with_suffix(".next")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute(f"create table all_attempts ({ATTEMPT_COLUMNS})")
    _insert_attempts(con, attempts)
    con.execute(
        "create table tenants (tenant_id varchar, reports_time_zone varchar, behind_utc boolean)"
    )
    for t in tenants:
        con.execute("insert into tenants values (?, ?, ?)", list(t))
    if extra_sql:
        con.execute(extra_sql)
    con.close()
    import os

    os.replace(tmp, home.serving)


def load_and_publish(home, attempts: list[tuple], loaded_at: str) -> None:
    """One pipeline run: a load at ``loaded_at`` (UTC) brings ``attempts`` (as in
    write_warehouse) into the warehouse's all_attempts mart, then the real publish copies the
    warehouse to serve.duckdb."""
    import duckdb

    from ccwh.publish import publish
    from ingestion.loader import ensure_raw_tables

    with duckdb.connect(str(home.warehouse)) as con:
        ensure_raw_tables(con)
        con.execute(f"create table if not exists main.all_attempts ({ATTEMPT_COLUMNS})")
        _insert_attempts(con, attempts)
        con.execute(
            "insert into raw.loaded_segments values (?, ?, ?, ?, 0, 0)",
            [f"segment-{loaded_at}.ndjson", loaded_at, len(attempts), len(attempts)],
        )
    publish(home)
