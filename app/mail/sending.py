"""Sending the outbox's emails over SMTP: reply notifications and account links, each written by its own module."""

import hashlib
import smtplib
import socket
import time
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from app.core.settings import Settings
from app.mail import accounts, replies, smtp
from app.outbox.queue import Claimed, Outcome, elapsed_ms


class Composer(Protocol):
    def __call__(
        self, payload: dict, *, sender: str, settings: Settings, at: datetime, message_id: str
    ) -> EmailMessage: ...


# The outbox topics sent as email, and what writes each one's message.
EMAIL_TOPICS: Mapping[str, Composer] = {replies.TOPIC: replies.reply_message, accounts.TOPIC: accounts.account_message}


def message_id(claimed: Claimed, *, sender: str) -> str:
    """The same on every attempt at one delivery: when an attempt fails after the server took the
    message (a lost connection after DATA), the retry is known as the same message, not a second one."""
    unique = hashlib.sha256(f"{claimed.id}:{claimed.created_at.isoformat()}".encode()).hexdigest()[:32]
    return f"<{unique}@{sender.rpartition('@')[2].strip('> ') or socket.getfqdn()}>"


class Mailer:
    def __init__(self, settings: Settings) -> None:
        if settings.smtp_url is None or settings.mail_from is None:
            raise ValueError("BYLINE_SMTP_URL and BYLINE_MAIL_FROM are needed to send email")
        self.server = smtp.SmtpServer.from_url(settings.smtp_url.get_secret_value())
        self.sender = settings.mail_from
        self.settings = settings

    def __call__(self, claimed: Claimed, *, at: datetime) -> Outcome:
        message = EMAIL_TOPICS[claimed.event_type](
            claimed.payload,
            sender=self.sender,
            settings=self.settings,
            at=at,
            message_id=message_id(claimed, sender=self.sender),
        )
        started = time.monotonic()
        try:
            smtp.send(self.server, message, timeout=self.settings.delivery_timeout_seconds)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            # 5xx: the address does not exist or never takes mail from us; 4xx may pass later.
            return Outcome(
                delivered=False,
                duration_ms=elapsed_ms(started),
                status_code=codes[0] if codes else None,
                error="The mail server refused the recipient.",
                permanent=all(code >= 500 for code in codes),
            )
        except (smtplib.SMTPException, OSError) as failed:
            return Outcome(
                delivered=False,
                duration_ms=elapsed_ms(started),
                error=f"{type(failed).__name__}: {failed}",
            )
        return Outcome(delivered=True, duration_ms=elapsed_ms(started))
