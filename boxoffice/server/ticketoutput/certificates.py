"""Signing material for Apple Wallet passes: the pass certificate, its key and the WWDR CA.

A folder holds three PEM files:

- ``pass.pem`` — the Pass Type ID certificate,
- ``pass.key`` — its private key (RSA or EC, unencrypted PEM),
- ``wwdr.pem`` — the intermediate CA that issued it (for real passes Apple's WWDR G4).

Real passes need a certificate Apple issued: in an Apple Developer account, register a Pass
Type ID (``pass.com.example.tickets``), create its certificate, export certificate and key
as PEM, and download Apple's WWDR G4 intermediate; put the three files in the folder. The
pass type identifier and team identifier are read from the certificate's subject (its UID
and OU), so pass.json always matches the certificate.

Without those files, `load_or_create_development_signer` generates a development set on
first use — a self-signed "WWDR-like" CA and a pass certificate it signs (pass type
``pass.io.boxoffice.dev``, team ``BOXOFFICE1``) — stores it with 0600 permissions and
reuses it later. **Real iPhones will not accept passes signed with it**: Wallet only takes
passes signed with a certificate issued by Apple's WWDR CA. These certificates are for
development and tests (the signature verifies against the generated CA with OpenSSL).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

logger = logging.getLogger(__name__)

CERTIFICATE_FILE = "pass.pem"
KEY_FILE = "pass.key"
WWDR_FILE = "wwdr.pem"
FILES = (CERTIFICATE_FILE, KEY_FILE, WWDR_FILE)

DEVELOPMENT_PASS_TYPE_ID = "pass.io.boxoffice.dev"
DEVELOPMENT_TEAM_ID = "BOXOFFICE1"
_DEVELOPMENT_LIFETIME = timedelta(days=3650)

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class PassSigner:
    """What signs a pass: certificate + key, the CA certificate to include, and the ids."""

    certificate: x509.Certificate
    private_key: SigningKey
    wwdr_certificate: x509.Certificate
    pass_type_identifier: str
    team_identifier: str

    @property
    def is_development(self) -> bool:
        """Not issued by Apple, so Wallet on a real device will refuse the passes."""
        issuer = self.certificate.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return not any(attr.value == "Apple Inc." for attr in issuer)


def load_signer(folder: Path) -> PassSigner:
    """The signer from `folder`'s pass.pem, pass.key and wwdr.pem; ids from the certificate."""
    certificate = x509.load_pem_x509_certificate((folder / CERTIFICATE_FILE).read_bytes())
    key = serialization.load_pem_private_key((folder / KEY_FILE).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{folder / KEY_FILE}: a pass key must be RSA or EC")
    if _spki(key.public_key()) != _spki(certificate.public_key()):
        raise ValueError(f"{folder / KEY_FILE} is not the key of {folder / CERTIFICATE_FILE}")
    wwdr = x509.load_pem_x509_certificate((folder / WWDR_FILE).read_bytes())
    subject = certificate.subject
    pass_type = subject.get_attributes_for_oid(NameOID.USER_ID)
    team = subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    if not pass_type or not team:
        raise ValueError(
            f"{folder / CERTIFICATE_FILE} is not a Pass Type ID certificate "
            "(its subject needs a UID with the pass type id and an OU with the team id)"
        )
    return PassSigner(
        certificate=certificate,
        private_key=key,
        wwdr_certificate=wwdr,
        pass_type_identifier=str(pass_type[0].value),
        team_identifier=str(team[0].value),
    )


def load_or_create_development_signer(folder: Path, organization: str) -> PassSigner:
    """The signer in `folder`; a development CA and pass certificate are made on first use.

    If the folder has all of pass.pem, pass.key and wwdr.pem (a real, configured set, or
    the development set made before), they are used as they are. If it has none, a
    development set is generated for `organization` and written with mode 0600. Some but
    not all of them is a configuration error (`FileNotFoundError`), never overwritten.

    Passes signed with the development set do not install on real iPhones: Apple only
    accepts passes signed with a Pass Type ID certificate from its WWDR CA.
    """
    present = [name for name in FILES if (folder / name).exists()]
    if len(present) == len(FILES):
        return load_signer(folder)
    if present:
        missing = ", ".join(name for name in FILES if name not in present)
        raise FileNotFoundError(
            f"{folder} has {', '.join(present)} but not {missing}: add the missing files, "
            "or remove them all to use a generated development certificate"
        )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_key, ca = _development_ca(organization)
    key, certificate = _development_pass_certificate(organization, ca_key, ca)
    pem = serialization.Encoding.PEM
    _write_private(
        folder / KEY_FILE,
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    _write_private(folder / CERTIFICATE_FILE, certificate.public_bytes(pem))
    _write_private(folder / WWDR_FILE, ca.public_bytes(pem))
    logger.warning(
        "Generated a development pass certificate in %s: Apple Wallet on real devices "
        "will not accept passes signed with it",
        folder,
    )
    return load_signer(folder)


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by the owner only (0600), replacing `path` in one step."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o600)  # whatever the umask
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _development_ca(organization: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    return _development_certificate(
        _name(
            (NameOID.COMMON_NAME, "Box Office Development WWDR CA (not Apple)"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, "Development only"),
            (NameOID.ORGANIZATION_NAME, organization[:64] or "Box Office"),
        ),
        issuer=None,
    )


def _development_pass_certificate(
    organization: str, ca_key: rsa.RSAPrivateKey, ca: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Shaped like Apple's: UID = pass type id, CN = "Pass Type ID: …", OU = team id."""
    return _development_certificate(
        _name(
            (NameOID.USER_ID, DEVELOPMENT_PASS_TYPE_ID),
            (NameOID.COMMON_NAME, f"Pass Type ID: {DEVELOPMENT_PASS_TYPE_ID}"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, DEVELOPMENT_TEAM_ID),
            (NameOID.ORGANIZATION_NAME, organization[:64] or "Box Office"),
        ),
        issuer=(ca, ca_key),
    )


def _development_certificate(
    subject: x509.Name, *, issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new RSA key and its certificate, valid from yesterday on: with no `issuer` a
    self-signed CA that signs certificates, else a certificate the issuer's CA signs, for
    signing (passes)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    is_ca = issuer is None
    issuer_name, signing_key = (subject, key) if issuer is None else (issuer[0].subject, issuer[1])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + _DEVELOPMENT_LIFETIME)
        .add_extension(
            x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), False
        )
    return key, builder.sign(signing_key, hashes.SHA256())
