"""Apple Wallet passes, read back: manifest hashes, pass.json, and the detached signature
verified with OpenSSL against the generated development CA."""

import dataclasses
import hashlib
import io
import json
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from boxoffice.server.errors import InvalidInput, RuleViolation
from boxoffice.server.ticketoutput.base import SeatLabel, TimeslotView
from boxoffice.server.ticketoutput.certificates import (
    DEVELOPMENT_PASS_TYPE_ID,
    DEVELOPMENT_TEAM_ID,
    FILES,
    PassSigner,
    load_or_create_development_signer,
)
from boxoffice.server.ticketoutput.pkpass import PkpassOptions, PkpassOutput, build_pass, sign
from boxoffice.server.ticketoutput.registry import get_output

REQUIRED = {
    "formatVersion",
    "passTypeIdentifier",
    "serialNumber",
    "teamIdentifier",
    "organizationName",
    "description",
    "eventTicket",
    "barcodes",
}


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wallet") / "certificates"


@pytest.fixture(scope="module")
def signer(cert_dir: Path) -> PassSigner:
    return load_or_create_development_signer(cert_dir, "Česká filharmonie")


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_mismatches(files: dict[str, bytes]) -> list[str]:
    """Files whose SHA-1 differs from manifest.json, or that it leaves out."""
    manifest = json.loads(files["manifest.json"])
    listed = set(manifest)
    present = set(files) - {"manifest.json", "signature"}
    wrong = [n for n in listed & present if hashlib.sha1(files[n]).hexdigest() != manifest[n]]
    return sorted(wrong + list(listed ^ present))


def openssl_verify(
    files: dict[str, bytes], ca: Path, folder: Path
) -> subprocess.CompletedProcess[str]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl missing: apt-get install openssl")
    (folder / "signature").write_bytes(files["signature"])
    (folder / "manifest.json").write_bytes(files["manifest.json"])
    return subprocess.run(
        [
            "openssl", "smime", "-verify", "-inform", "DER", "-binary", "-purpose", "any",
            "-in", str(folder / "signature"), "-content", str(folder / "manifest.json"),
            "-CAfile", str(ca), "-out", str(folder / "verified"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def test_one_ticket_is_a_signed_pkpass(tickets, signer, cert_dir, tmp_path):
    out = PkpassOutput(signer).render(tickets[:1])

    assert out.filename == "ticket-PAUD6JHXZR.pkpass"
    assert out.mimetype == "application/vnd.apple.pkpass"
    files = unzip(out.data)
    assert set(files) == {
        "pass.json", "icon.png", "icon@2x.png", "logo.png", "logo@2x.png",
        "manifest.json", "signature",
    }  # fmt: skip
    assert manifest_mismatches(files) == []
    assert all(files[n].startswith(b"\x89PNG") for n in files if n.endswith(".png"))

    data = json.loads(files["pass.json"])
    assert set(data) >= REQUIRED
    assert data["formatVersion"] == 1
    assert data["passTypeIdentifier"] == signer.pass_type_identifier == DEVELOPMENT_PASS_TYPE_ID
    assert data["teamIdentifier"] == signer.team_identifier == DEVELOPMENT_TEAM_ID
    assert data["serialNumber"] == "PAUD6JHXZR"
    assert data["organizationName"] == "Česká filharmonie"
    assert data["barcodes"] == [
        {
            "format": "PKBarcodeFormatQR",
            "message": tickets[0].qr_payload,
            "messageEncoding": "iso-8859-1",
            "altText": "PAUD6JHXZR",
        }
    ]
    assert data["relevantDate"] == "2026-12-12T19:30:00+01:00"
    assert data["expirationDate"] == "2026-12-13T22:00:00+01:00"
    fields = data["eventTicket"]
    assert fields["primaryFields"][0]["value"] == "Dvořák: Symphony No. 9"
    assert fields["secondaryFields"][0]["value"] == "2026-12-12T19:30:00+01:00"
    assert fields["secondaryFields"][0]["ignoresTimeZone"] is True
    assert [f["value"] for f in fields["auxiliaryFields"]] == [
        "Parterre left",
        "12",
        "24",
        "Parterre",
    ]
    back = {f["key"]: f["value"] for f in fields["backFields"]}
    assert back["order"] == "KX7MPQ" and back["price"] == "€45.00"
    assert back["holder"] == "Antonín Dvořák"

    result = openssl_verify(files, cert_dir / "wwdr.pem", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "verified").read_bytes() == files["manifest.json"]


def test_tampering_is_detected(tickets, signer, cert_dir, tmp_path):
    files = unzip(PkpassOutput(signer).render(tickets[:1]).data)

    tampered = {**files, "pass.json": files["pass.json"].replace(b"KX7MPQ", b"FORGED")}
    assert manifest_mismatches(tampered) == ["pass.json"]
    # re-hashing the manifest instead breaks the signature
    manifest = json.loads(files["manifest.json"])
    manifest["pass.json"] = hashlib.sha1(tampered["pass.json"]).hexdigest()
    forged = {**tampered, "manifest.json": json.dumps(manifest).encode()}
    assert manifest_mismatches(forged) == []
    assert openssl_verify(forged, cert_dir / "wwdr.pem", tmp_path).returncode != 0


def test_signature_is_detached_der_with_the_chain_and_signing_time(signer, tmp_path):
    signature = sign(b'{"pass.json": "00"}', signer)
    (tmp_path / "signature").write_bytes(signature)
    printed = subprocess.run(
        ["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", tmp_path / "signature"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "signingTime" in printed
    assert "eContent: <ABSENT>" in printed  # detached
    assert printed.count("Box Office Development WWDR CA") >= 2  # CA cert included, issuer


def test_several_tickets_make_a_pkpasses_bundle(tickets, signer, cert_dir, tmp_path):
    out = PkpassOutput(signer).render(tickets[1:])

    assert (out.filename, out.mimetype) == (
        "tickets-KX7MPQ.pkpasses",
        "application/vnd.apple.pkpasses",
    )
    bundle = unzip(out.data)
    assert sorted(bundle) == ["01-W3KQ7TNB2M.pkpass", "02-HX9RC4VGEA.pkpass"]
    for name, ticket in zip(sorted(bundle), tickets[1:], strict=True):
        files = unzip(bundle[name])
        assert manifest_mismatches(files) == []
        data = json.loads(files["pass.json"])
        assert data["serialNumber"] == ticket.code
        assert data["barcodes"][0]["message"] == ticket.qr_payload
        assert openssl_verify(files, cert_dir / "wwdr.pem", tmp_path).returncode == 0
    timed = json.loads(unzip(bundle["02-HX9RC4VGEA.pkpass"])["pass.json"])
    aux = {f["key"]: f["value"] for f in timed["eventTicket"]["auxiliaryFields"]}
    assert aux == {
        "area": "General admission",
        "entry": "14:00–14:30",
        "ticket": "Adult timed entry",
    }
    assert timed["relevantDate"] == "2026-12-13T14:00:00+01:00"  # the slot, not the season
    assert timed["expirationDate"] == "2026-12-14T14:30:00+01:00"


def test_extra_auxiliary_fields_go_to_the_back(tickets, signer):
    ticket = dataclasses.replace(
        tickets[0],
        seat=SeatLabel("Balcony", "3", "7"),
        timeslot=TimeslotView(tickets[0].event_start, tickets[0].event_end),
        qr_payload="Ticket ř",  # not Latin-1
    )
    data = json.loads(unzip(build_pass(ticket, signer, PkpassOptions()))["pass.json"])
    fields = data["eventTicket"]
    assert [f["key"] for f in fields["auxiliaryFields"]] == ["section", "row", "seat", "entry"]
    assert fields["backFields"][0]["key"] == "ticket"
    assert data["barcodes"][0]["messageEncoding"] == "utf-8"


def test_a_bundle_holds_at_most_ten_passes(tickets, signer):
    eleven = [dataclasses.replace(tickets[1], code=f"T{n}") for n in range(11)]
    with pytest.raises(RuleViolation) as caught:
        PkpassOutput(signer).render(eleven)
    assert caught.value.code == "too_many_passes"
    assert len(unzip(PkpassOutput(signer).render(eleven[:10]).data)) == 10


def test_options_and_registry(signer):
    assert get_output("pkpass") is PkpassOutput
    output = PkpassOutput(signer)
    assert not output.printable
    with pytest.raises(InvalidInput, match="Invalid options"):
        output.parse_options({"background_color": "#000"})
    assert output.parse_options({"terms": None}).terms is None


def test_development_certificates_are_made_once_and_kept_private(tmp_path):
    folder = tmp_path / "certs"
    first = load_or_create_development_signer(folder, "Demo")

    for name in FILES:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert first.is_development
    again = load_or_create_development_signer(folder, "Demo")
    assert again.certificate == first.certificate
    assert again.wwdr_certificate == first.wwdr_certificate
    assert again.certificate.issuer == first.wwdr_certificate.subject


def test_a_partial_configuration_is_an_error(tmp_path):
    (tmp_path / "pass.pem").write_text("configured")
    with pytest.raises(FileNotFoundError, match=r"pass.key, wwdr.pem"):
        load_or_create_development_signer(tmp_path, "Demo")
    assert (tmp_path / "pass.pem").read_text() == "configured"  # never overwritten
