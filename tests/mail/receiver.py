"""A real SMTP server on loopback that keeps what it receives, for the tests of emails."""

import email
import email.policy

from aiosmtpd.smtp import AuthResult, LoginPassword

SENDER = "Byline <news@byline.example>"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        # Every message as the server read it, whether it then took it or not.
        self.received: list[bytes] = []
        self.refuse: str | None = None
        self.defer_data = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        if self.defer_data:
            self.defer_data -= 1
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def raw_header(message: bytes, name: str) -> bytes:
    """A header's line exactly as sent, unfolded by nobody."""
    head = message.partition(b"\r\n\r\n")[0]
    [line] = [line for line in head.split(b"\r\n") if line.lower().startswith(name.lower().encode() + b":")]
    return line.partition(b":")[2].removeprefix(b" ")


def only_the_newsroom(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"byline", b"s3cret:/@")
    return AuthResult(success=ok)
