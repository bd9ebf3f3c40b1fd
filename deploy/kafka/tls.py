"""A local certificate authority and the broker's certificate, made on first start (never committed).

Files, under an installation's ``tls/`` directory:
- ``ca.pem``: the CA certificate; clients verify the broker with it (``KAFKA_CA_FILE``, Java ``ssl.truststore``).
- ``ca-key.pem`` (mode 600): the CA's private key, kept to sign a renewed broker certificate.
- ``broker.pem`` (mode 600): the broker's PKCS#8 private key, its certificate and the CA certificate, the PEM key
  store Kafka reads (``ssl.keystore.type=PEM``, KIP-651).

Keys are ECDSA P-256 (fast to make, accepted by Java 17 and OpenSSL). The broker's certificate names
``localhost`` and ``127.0.0.1`` (plus ``KAFKA_TLS_HOSTS``, comma-separated) and is renewed when less than 30 days
of its two years remain; the CA lasts ten years.
"""

import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
BROKER_DAYS = 730
RENEW_BEFORE_DAYS = 30


def _write(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, mode)
    tmp.replace(path)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Berdaya"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _make_ca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"Berdaya local Kafka CA ({directory.resolve().parent.name})")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5)).not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write(directory / "ca-key.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()), 0o600)
    _write(directory / "ca.pem", cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return key, cert


def _load_ca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
    key_path, cert_path = directory / "ca-key.pem", directory / "ca.pem"
    if not (key_path.exists() and cert_path.exists()):
        return None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificate(cert_path.read_bytes())


def hosts() -> list[str]:
    extra = [h.strip() for h in os.environ.get("KAFKA_TLS_HOSTS", "").split(",") if h.strip()]
    return ["localhost", "127.0.0.1", *extra]


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _broker_current(path: Path, names: list[str], ca: x509.Certificate) -> bool:
    if not path.exists():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes().split(b"-----END PRIVATE KEY-----", 1)[-1])
    if cert.issuer != ca.subject or cert.not_valid_after_utc - _now() < dt.timedelta(days=RENEW_BEFORE_DAYS):
        return False
    present = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(present) == set(_san(names))


def ensure(directory: Path) -> Path:
    """Make the CA (once) and a current broker certificate in ``directory``; returns the CA file's path."""
    loaded = _load_ca(directory)
    ca_key, ca_cert = loaded if loaded is not None else _make_ca(directory)
    names = hosts()
    broker_path = directory / "broker.pem"
    if _broker_current(broker_path, names, ca_cert):
        return directory / "ca.pem"
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("berdaya-kafka-broker")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5))
            .not_valid_after(_now() + dt.timedelta(days=BROKER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(_san(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
           + cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(broker_path, pem, 0o600)
    return directory / "ca.pem"
