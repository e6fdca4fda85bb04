"""Packaging: PGP encryption to the tenant's public key (zipping happens while the report is
written: ``exports.render.render_zipped``).

PGP uses Debian's ``gpg`` through python-gnupg with a throw-away keyring per call, holding
only the tenant's public key: nothing is imported into a shared keyring and no trust database
is consulted (the key file in the definition *is* the trust decision).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


class PackagingError(RuntimeError):
    pass


def gpg_binary() -> str:
    found = shutil.which("gpg")
    if not found:
        raise PackagingError(
            "PGP encryption needs the gpg program; install it (Debian: apt-get install gnupg)"
        )
    return found


def encrypt(source: Path, public_key_file: Path) -> Path:
    """``source`` → ``source.pgp`` encrypted (binary OpenPGP) to the key; the source is removed."""
    import gnupg

    target = source.with_name(source.name + ".pgp")
    # a short path: gpg-agent's socket path must stay under ~100 characters
    with tempfile.TemporaryDirectory(prefix="ccwh-gpg-", dir="/tmp") as gnupghome:
        gpg = gnupg.GPG(gpgbinary=gpg_binary(), gnupghome=gnupghome)
        imported = gpg.import_keys(Path(public_key_file).read_text())
        if not imported.fingerprints:
            raise PackagingError(
                f"{public_key_file}: no OpenPGP public key found; export one with "
                "`gpg --armor --export KEYID > FILE`"
            )
        if imported.sec_imported:
            raise PackagingError(f"{public_key_file} holds a private key; give the public key only")
        with source.open("rb") as f:
            result = gpg.encrypt_file(
                f,
                recipients=imported.fingerprints,
                output=str(target),
                armor=False,
                always_trust=True,
            )
        if not result.ok:
            target.unlink(missing_ok=True)
            raise PackagingError(f"PGP encryption to {public_key_file} failed: {result.status}")
    source.unlink()
    return target
