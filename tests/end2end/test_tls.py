"""TLS on the LAN (issue 12, item 13): `boxoffice serve` with a self-signed certificate or a
given one, the SDK and the CLI verifying it by CA file or by pinned fingerprint, and plain
HTTP refused on a non-loopback address unless `--insecure-http` is given."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boxoffice.sdk import SDK, APIConnectionError, TLSVerificationError, pinning_context
from tests.helpers.processes import free_port

pytestmark = pytest.mark.end2end
BOXOFFICE = [sys.executable, "-m", "boxoffice"]


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            # Only to know that it is up; the tests below verify the certificate.
            if httpx.get(f"{base}/event/health", timeout=1, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.1)


@contextmanager
def serving(tmp_path: Path, *options: str, host: str = "127.0.0.1") -> Iterator[str]:
    """`boxoffice serve` on a free port until the block ends; yields its base URL (https
    unless `--insecure-http` is among the options)."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*BOXOFFICE, "serve", "--host", host, "--port", str(port), *options],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    scheme = "http" if "--insecure-http" in options else "https"
    base = f"{scheme}://{host}:{port}"
    try:
        _wait_until_healthy(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode in (0, -15), log.read_text()


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BOXOFFICE, *argv], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


def der_fingerprint(pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_ca_and_leaf(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate it signed for 127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test venue CA"))
        .issuer_name(_name("Test venue CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("venue server"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


async def _event_count(base: str, verify: str | Path | None) -> int:
    async with await SDK.build(base, verify=verify, max_retries=0) as sdk:
        await sdk.authorize()
        return len((await sdk.event.list_events()).data)


def event_count(base: str, verify: str | Path | None) -> int:
    return asyncio.run(_event_count(base, verify))


def test_self_signed_certificate_is_made_once_printed_and_pinned(tmp_path):
    data = tmp_path / "venue"
    with serving(tmp_path, "--data-dir", str(data), "--tls-self-signed") as base:
        assert base.startswith("https://")
        cert = data / "tls" / "cert.pem"
        key = data / "tls" / "key.pem"
        for path in (cert, key):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        fingerprint = der_fingerprint(cert.read_bytes())
        printed = run_cli("tls", "fingerprint", "--data-dir", str(data))
        assert printed.returncode == 0, printed.stderr
        shown = printed.stdout.strip()
        assert shown.replace(":", "").lower() == fingerprint
        assert shown in (tmp_path / "serve.log").read_text()  # printed at start too

        # The SDK: pinned fingerprint (either spelling), or the certificate as CA file.
        assert event_count(base, shown) > 0
        assert event_count(base, fingerprint) > 0
        assert event_count(base, cert) > 0
        with pytest.raises(TLSVerificationError) as refused:
            event_count(base, "ab" * 32)
        assert refused.value.fingerprint == shown
        with pytest.raises(TLSVerificationError):
            event_count(base, None)  # the system's CAs do not know it

        # The CLI: the same, with a sentence and exit code 3 when refused.
        api = ["--api", base]
        ok = run_cli("events", *api, "--tls-fingerprint", shown)
        assert ok.returncode == 0, ok.stderr
        ok = run_cli("events", *api, "--ca-file", str(cert))
        assert ok.returncode == 0, ok.stderr
        wrong = run_cli("events", *api, "--tls-fingerprint", "AB" * 32)
        assert wrong.returncode == 3, wrong.stderr
        assert "does not match" in wrong.stderr and shown in wrong.stderr
        unknown = run_cli("events", *api)
        assert unknown.returncode == 3, unknown.stderr
        assert "--tls-fingerprint" in unknown.stderr and shown in unknown.stderr
        env = subprocess.run(
            [*BOXOFFICE, "events", *api],
            capture_output=True,
            text=True,
            timeout=60,
            env={**_environ(), "BOXOFFICE_TLS_FINGERPRINT": shown},
        )
        assert env.returncode == 0, env.stderr

    # Made once: a restart keeps the same certificate.
    with serving(tmp_path, "--data-dir", str(data), "--tls-self-signed") as base:
        assert der_fingerprint(cert.read_bytes()) == fingerprint
        assert event_count(base, fingerprint) > 0


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_given_certificate_verified_by_ca_file_and_by_fingerprint(tmp_path):
    ca, cert, key = make_ca_and_leaf(tmp_path)
    data = tmp_path / "venue"
    options = ("--data-dir", str(data), "--tls-cert", str(cert), "--tls-key", str(key))
    with serving(tmp_path, *options) as base:
        fingerprint = der_fingerprint(cert.read_bytes())
        assert event_count(base, ca) > 0
        assert event_count(base, fingerprint) > 0
        with pytest.raises(TLSVerificationError):
            event_count(base, "00" * 32)
        # The pinning context holds for blocking clients too.
        health = f"{base}/event/health"
        assert httpx.get(health, verify=pinning_context(fingerprint)).status_code == 200
        with pytest.raises(httpx.ConnectError, match="does not match"):
            httpx.get(health, verify=pinning_context("00" * 32))
        with pytest.raises(TLSVerificationError):
            event_count(base, None)
        # Plain HTTP to the TLS port gets nothing.
        with pytest.raises(APIConnectionError):
            event_count(base.replace("https://", "http://"), None)
        ok = run_cli("events", "--api", base, "--ca-file", str(ca))
        assert ok.returncode == 0, ok.stderr
        printed = run_cli("tls", "fingerprint", "--tls-cert", str(cert))
        assert printed.stdout.strip().replace(":", "").lower() == fingerprint
    assert not (data / "tls").exists()  # nothing self-signed was made


def test_ca_file_that_does_not_exist_is_a_usage_error(tmp_path):
    missing = run_cli("events", "--api", "https://127.0.0.1:9", "--ca-file", str(tmp_path / "x"))
    assert missing.returncode == 2
    assert "CA file" in missing.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.77", "venue.example"])
def test_plain_http_on_a_non_loopback_address_is_refused(tmp_path, host):
    refused = run_cli(
        "serve", "--host", host, "--port", str(free_port()), "--data-dir", str(tmp_path)
    )
    assert refused.returncode == 2
    assert "--insecure-http" in refused.stderr and "--tls-self-signed" in refused.stderr
    assert not (tmp_path / "boxoffice.sqlite3").exists()  # refused before anything started


def test_tls_options_must_be_whole(tmp_path):
    half = run_cli("serve", "--tls-cert", str(tmp_path / "c.pem"), "--data-dir", str(tmp_path))
    assert half.returncode == 2
    assert "--tls-key" in half.stderr
    both = run_cli("serve", "--tls-self-signed", "--insecure-http", "--data-dir", str(tmp_path))
    assert both.returncode == 2


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def test_insecure_http_on_a_non_loopback_address_when_asked(tmp_path):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("no non-loopback address on this machine")
    with serving(tmp_path, "--data-dir", str(tmp_path / "v"), "--insecure-http", host=address):
        pass
    assert "plain HTTP" in (tmp_path / "serve.log").read_text()


def test_loopback_stays_plain_http(tmp_path):
    with serving(tmp_path, "--data-dir", str(tmp_path / "v"), "--insecure-http") as base:
        assert base.startswith("http://")
    port = free_port()
    log = tmp_path / "plain.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*BOXOFFICE, "serve", "--port", str(port), "--no-demo", "--data-dir", str(tmp_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", server, log)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert ssl.OPENSSL_VERSION  # plain HTTP on loopback needs no option
