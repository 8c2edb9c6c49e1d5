"""Sending a message through the SMTP server BYLINE_SMTP_URL names."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    # smtps://: TLS from the first byte. smtp://: STARTTLS whenever the server offers it.
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        implicit_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit_tls else 587),
            implicit_tls=implicit_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def send(server: SmtpServer, message: EmailMessage, *, timeout: float) -> None:
    """Raises smtplib.SMTPException or OSError when the server cannot be reached or refuses."""
    context = ssl.create_default_context()
    if server.implicit_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    with client:
        client.ehlo()
        if not server.implicit_tls and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(message)
