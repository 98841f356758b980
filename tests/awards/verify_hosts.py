"""Real HTTPS servers on 127.0.0.1 standing in for other issuers' hosts, for the verifier's fetch tests.

Each server has a certificate for `localhost` and 127.0.0.1 from a certificate authority made for the test run,
which the tests hand to the verifier through VERIFY_FETCH_CA_FILE. It serves whatever routes a test sets and
records every request it receives, so a test can show that a refused fetch never reached it.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from awards.verify_cache import verify_cache_clear


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "application/json"
    declare_length: bool = True
    stall: bool = False  # send the headers, then hold the body back until the server closes
    location: str = ""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) files, the server's valid for localhost and 127.0.0.1."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("microcred test CA"))
        .issuer_name(_name("microcred test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        host = self.server.owner
        host.requests.append(self.path)
        route = host.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.location:
            self.send_header("Location", route.location)
        if route.declare_length:
            self.send_header("Content-Length", str(len(route.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if route.stall:
            self.wfile.flush()
            host.closing.wait(30)
            return
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Host


class Host:
    """One HTTPS server on 127.0.0.1 (any free port), serving `routes` and recording `requests` (paths)."""

    def __init__(self, cert_file: Path, key_file: Path) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.closing = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()

    def url(self, path: str, *, host: str = "localhost") -> str:
        return f"https://{host}:{self.port}{path}"

    def close(self) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()


# ----- fixtures (imported by the test modules that use them) ---------------------------------------------------


@pytest.fixture(scope="module", name="certificates")
def certificates_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module", name="server")
def server_fixture(certificates: tuple[Path, Path, Path]) -> Iterator[Host]:
    host = Host(certificates[1], certificates[2])
    yield host
    host.close()


@pytest.fixture(name="host")
def host_fixture(server: Host, settings: Any, certificates: tuple[Path, Path, Path]) -> Host:
    """The server, emptied, with fetching on and the production address rule in force."""
    server.reset()
    verify_cache_clear()
    settings.VERIFY_FETCH_REMOTE = True
    settings.VERIFY_FETCH_ALLOW_NETWORKS = []
    settings.VERIFY_FETCH_CA_FILE = str(certificates[0])
    settings.VERIFY_FETCH_TIMEOUT_SECONDS = 1
    settings.VERIFY_FETCH_MAX_BYTES = 4096
    return server


@pytest.fixture(name="reachable")
def reachable_fixture(host: Host, settings: Any) -> Host:
    settings.VERIFY_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32", "::1/128"]
    return host
