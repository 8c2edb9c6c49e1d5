"""Picture hosts stood in for on loopback: Gravatar, for commenters' avatars, and images.example.com,
for pictures tests name by URL; tests reach no network. HTTPS with a throwaway self-signed
certificate; any path answers with a picture whose colours follow from the path."""

import datetime
import hashlib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.server import serving

HOSTS = ("images.example.com", "gravatar.com")


def picture(path: str) -> bytes:
    digest = hashlib.sha256(path.encode()).hexdigest()
    one, two = f"#{digest[:6]}", f"#{digest[6:12]}"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800">'
        f'<defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="{one}"/>'
        f'<stop offset="1" stop-color="{two}"/></linearGradient></defs>'
        '<rect width="1200" height="800" fill="url(#g)"/>'
        '<circle cx="860" cy="260" r="130" fill="#fff" fill-opacity=".25"/>'
        '<path d="M0 640 L320 420 L560 600 L820 380 L1200 660 V800 H0Z" fill="#000" fill-opacity=".25"/></svg>'
    ).encode()


class Pictures(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = picture(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host) for host in HOSTS]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def image_hosts(folder: Path) -> Iterator[list[str]]:
    """Chromium arguments that send the image hosts to a picture server running meanwhile."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_certificate(folder))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    with serving(server):
        yield [
            "--host-resolver-rules=" + ",".join(f"MAP {host} 127.0.0.1:{port}" for host in HOSTS),
            # The certificate is the test's own, made for these hosts only.
            "--ignore-certificate-errors",
        ]
