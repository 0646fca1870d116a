"""The sandbox's own certificate authority, so ``https://<host>.localhost:<port>`` works.

``gwa status --hosts`` prints ``https://`` + the transformed route host; the data plane
answers TLS on its port too (``tls_sniff.py``) with a certificate this CA signs for the name
the client asks for (SNI), so ``curl --cacert <ca.pem> https://…`` verifies it.
``gwa-wizard sandbox ca`` prints the CA's path or PEM.

The CA (``sandbox-ca.pem`` and ``sandbox-ca-key.pem``, both 0600 like every file of the data
directory) is made once per data directory and kept; server certificates are made in memory
per host name (EC P-256, valid one day, at most :data:`MAX_NAMES` kept).
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import ssl
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .private_files import write_private

CA_FILE = "sandbox-ca.pem"
CA_KEY_FILE = "sandbox-ca-key.pem"
MAX_NAMES = 256
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")  # fmt: skip


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gwa-wizard sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def ca_path(data_dir: Path) -> Path:
    return data_dir / CA_FILE


def ensure_ca(data_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Load the data directory's CA, making it on first use."""
    cert_file, key_file = data_dir / CA_FILE, data_dir / CA_KEY_FILE
    if cert_file.exists() and key_file.exists():
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    name = _name(f"gwa-wizard sandbox CA ({data_dir.name})")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(
        key_file,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _alt_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def server_certificate(
    ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, host: str
) -> tuple[bytes, bytes]:
    """(certificate PEM with the CA appended, key PEM) for ``host``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([_alt_name(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, key_pem


def _context_with(chain: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A server context holding one certificate (``load_cert_chain`` reads files only)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    with tempfile.TemporaryDirectory(prefix="gwa-sandbox-tls-") as tmp:
        cert_file, key_file = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        write_private(cert_file, chain)
        write_private(key_file, key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


class CertificateAuthority:
    """Answers TLS for any host name a client asks for, with a certificate signed by the CA."""

    def __init__(self, data_dir: Path, default_host: str = "localhost") -> None:
        self.path = ca_path(data_dir)
        self._ca, self._key = ensure_ca(data_dir)
        self._default_host = default_host
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()
        self._lock = threading.Lock()
        self.context = self.context_for(default_host)
        self.context.sni_callback = self._choose

    @property
    def pem(self) -> str:
        return self._ca.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def context_for(self, host: str) -> ssl.SSLContext:
        host = host.lower().rstrip(".")
        with self._lock:
            found = self._contexts.get(host)
            if found is not None:
                self._contexts.move_to_end(host)
                return found
        context = _context_with(*server_certificate(self._ca, self._key, host))
        with self._lock:
            self._contexts[host] = context
            while len(self._contexts) > MAX_NAMES:
                self._contexts.popitem(last=False)
        return context

    def _choose(self, conn: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        """SNI: switch to the context whose certificate names the requested host."""
        if name and _HOSTNAME.match(name.lower()):
            conn.context = self.context_for(name)
