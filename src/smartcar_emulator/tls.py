"""HTTPS for ``serve --tls``: a local certificate authority made on first use, and a server certificate it signs.

Files live in one folder (default: ``tls/`` beside the default database): ``ca.pem`` (the CA certificate to
trust), ``ca-key.pem``, ``server.pem`` + ``server-key.pem`` (for localhost, 127.0.0.1, ::1 and the served host),
and ``bundle.pem`` (the system's CAs plus ours: what ``SSL_CERT_FILE`` and ``REQUESTS_CA_BUNDLE`` should name,
because either one replaces the system store). Keys are written owner-only. The CA signs nothing else.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

CA_NAME = "smartcar-emulator local CA"
CA_DAYS = 3650
SERVER_DAYS = 397  # the longest validity browsers accept for a server certificate
RENEW_BEFORE = dt.timedelta(days=30)
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def bundle(self) -> Path:
        return self.folder / "bundle.pem"

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts only this CA (for clients in tests and scripts)."""
        return ssl.create_default_context(cafile=str(self.ca_cert))

    def env(self) -> dict[str, str]:
        """What each client needs to trust the emulator: httpx2 (``SSL_CERT_FILE``), requests, i.e. the official
        Python SDK (``REQUESTS_CA_BUNDLE``), and Node (``NODE_EXTRA_CA_CERTS``, added to its own store)."""
        return {"SSL_CERT_FILE": str(self.bundle), "REQUESTS_CA_BUNDLE": str(self.bundle),
                "NODE_EXTRA_CA_CERTS": str(self.ca_cert)}


def default_folder() -> Path:
    from .store import default_db_path

    return default_db_path().parent / "tls"


def ensure(hosts: list[str] | tuple[str, ...] = (), folder: Path | str | None = None) -> TlsFiles:
    """The CA (made once) and a server certificate valid for the local names and ``hosts`` (made again when a
    name is missing or it is within 30 days of expiry). Needs ``cryptography`` (the ``emulator`` extra)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:  # pragma: no cover - the emulator extra brings it
        raise RuntimeError("serve --tls needs the 'cryptography' package: pip install 'smartcar-toolkit[emulator]'") from None

    files = TlsFiles(Path(folder) if folder else default_folder())
    files.folder.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys([*LOCAL_NAMES, *(h for h in hosts if h and h not in ("0.0.0.0", "::"))]))
    now = dt.datetime.now(dt.timezone.utc)

    def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
        _write_atomically(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()), 0o600)

    if files.ca_cert.exists() and files.ca_key.exists():
        ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
        ca_cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=True, crl_sign=True, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
                   .sign(ca_key, hashes.SHA256()))
        write_key(files.ca_key, ca_key)  # the key first: a certificate on disk always has its key beside it
        _write_atomically(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))

    if not _server_cert_fits(files, names, now):
        key = ec.generate_private_key(ec.SECP256R1())
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
                .add_extension(x509.SubjectAlternativeName(alt), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
        write_key(files.server_key, key)
        _write_atomically(files.server_cert, cert.public_bytes(serialization.Encoding.PEM))

    system = _system_bundle()
    _write_atomically(files.bundle, (system.read_bytes().rstrip(b"\n") + b"\n" if system else b"")
                      + files.ca_cert.read_bytes())
    return files


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` beside ``path`` and rename it into place: a reader (``env --tls`` while ``serve --tls``
    starts) sees the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _server_cert_fits(files: TlsFiles, names: list[str], now: dt.datetime) -> bool:
    from cryptography import x509

    if not (files.server_cert.exists() and files.server_key.exists()):
        return False
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return False
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    present = {str(v) for v in alt.get_values_for_type(x509.IPAddress)} | set(alt.get_values_for_type(x509.DNSName))
    return all(str(ipaddress.ip_address(n)) in present if _is_ip(n) else n in present for n in names)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def _system_bundle() -> Path | None:
    """The OpenSSL default CA file, or a well-known distribution path."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                      "/etc/ssl/cert.pem"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None
