"""The receiver's TLS certificate: self-signed on first run, reused afterwards.

The receiver never serves plain HTTP. Without ``--cert/--key`` it uses
``<home>/tls/cert.pem`` and ``key.pem``, creating them once: an ECDSA P-256 key (cheaper
handshakes than RSA on 2 cores) and a certificate for localhost, 127.0.0.1, ::1 and this
host's name. Clients verify against cert.pem (``curl --cacert``, ``requests verify=``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from pathlib import Path

CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
VALID_DAYS = 825  # the longest lifetime clients accept for a server certificate


def ensure_certificate(tls_dir: Path, extra_names: list[str] | None = None) -> tuple[Path, Path]:
    """(cert, key) in ``tls_dir``, generating a self-signed pair if either is missing."""
    cert_path, key_path = tls_dir / CERT_NAME, tls_dir / KEY_NAME
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    tls_dir.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem = self_signed_certificate(extra_names or [])
    _write_private(key_path, key_pem)
    cert_path.write_bytes(cert_pem)
    return cert_path, key_path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def self_signed_certificate(extra_names: list[str]) -> tuple[bytes, bytes]:
    """PEM (certificate, private key) valid for localhost, loopback IPs and ``extra_names``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    hostname = socket.gethostname() or "localhost"
    dns = ["localhost"] + [n for n in [hostname, *extra_names] if n and n != "localhost"]
    ips = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in dict.fromkeys(dns)]
    alt += [x509.IPAddress(ip) for ip in ips]
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "ccwh receiver"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ccwh (self-signed)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        # CA:TRUE lets clients use this very file as their trust anchor (--cacert) under
        # strict X.509 checking; pathlen 0 keeps it from signing anything else.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem
