"""TLS for the venue server on the LAN: a certificate and key given by the venue, or a
self-signed pair made once in the data folder (`tls/cert.pem`, `tls/key.pem`, mode 0600) with
the host name and the addresses in its subject alternative names. Clients verify it with the
certificate as a CA file or by its SHA-256 fingerprint, which `serve` prints at start and
`boxoffice tls fingerprint` prints at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

logger = logging.getLogger(__name__)

SELF_SIGNED_DAYS = 3650  # pinned by fingerprint: a new certificate means pinning again
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    """Whether listening on `host` keeps the server on this machine (127.0.0.0/8, ::1,
    localhost); wildcards, other addresses and host names reach the network."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def self_signed_paths(data_dir: Path) -> tuple[Path, Path]:
    """Where the self-signed certificate and its key are kept: (cert.pem, key.pem)."""
    folder = data_dir / "tls"
    return folder / "cert.pem", folder / "key.pem"


def fingerprint(cert_file: Path) -> str:
    """The SHA-256 fingerprint of the (first) certificate in a PEM file, as `AB:CD:…`."""
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def _names(host: str) -> tuple[set[str], set[str]]:
    """(DNS names, IP addresses) the certificate should name for a server bound to `host`."""
    names = {"localhost"}
    addresses = {"127.0.0.1", "::1"}
    hostname = socket.gethostname()
    if hostname:
        names |= {hostname, f"{hostname}.local"}
        with contextlib.suppress(OSError):
            addresses |= {str(info[4][0]) for info in socket.getaddrinfo(hostname, None)}
    if host not in WILDCARD_HOSTS:
        try:
            addresses.add(str(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            names.add(host)
    return names, {a.split("%")[0] for a in addresses}


def _covers(cert_file: Path, host: str) -> bool:
    if host in WILDCARD_HOSTS:
        return True
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")) in sans.get_values_for_type(x509.IPAddress)
    except ValueError:
        return host in sans.get_values_for_type(x509.DNSName)


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.chmod(temporary, 0o600)  # whatever the umask, or an older temporary file
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def ensure_self_signed(data_dir: Path, host: str) -> tuple[Path, Path]:
    """The self-signed certificate and key in `data_dir`, made if missing (or if they do not
    name `host`, the address being served on); returns (cert.pem, key.pem)."""
    cert_file, key_file = self_signed_paths(data_dir)
    if cert_file.is_file() and key_file.is_file():
        if _covers(cert_file, host):
            for path in (cert_file, key_file):
                path.chmod(0o600)
            return cert_file, key_file
        logger.warning("the self-signed certificate does not name %s: making a new one", host)
    cert_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert_file.parent.chmod(0o700)
    names, addresses = _names(host)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Box Office venue server"),
            x509.NameAttribute(NameOID.COMMON_NAME, socket.gethostname() or "localhost"),
        ]
    )
    now = datetime.now(UTC)
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(names)]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in sorted(addresses)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_file,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    logger.info("made a self-signed TLS certificate: %s", cert_file)
    return cert_file, key_file


__all__ = ["ensure_self_signed", "fingerprint", "is_loopback", "self_signed_paths"]
