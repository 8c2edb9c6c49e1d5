"""The email telling a commenter of a reply, from a `comment.reply` outbox event, and its sending."""

import hashlib
import html
import smtplib
import socket
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.core.settings import Settings
from app.mail import smtp
from app.mail.policy import MAIL_POLICY
from app.outbox.queue import Claimed, Outcome, elapsed_ms


def message_id(claimed: Claimed, *, sender: str) -> str:
    """The same on every attempt at one delivery: when an attempt fails after the server took the
    message (a lost connection after DATA), the retry is known as the same message, not a second one."""
    unique = hashlib.sha256(f"{claimed.id}:{claimed.created_at.isoformat()}".encode()).hexdigest()[:32]
    return f"<{unique}@{sender.rpartition('@')[2].strip('> ') or socket.getfqdn()}>"


def reply_message(payload: dict, *, sender: str, site_name: str, at: datetime, message_id: str) -> EmailMessage:
    """Plain text with an HTML alternative, and RFC 8058 one-click unsubscribe headers."""
    # Events queued by earlier versions carry no title, link or text.
    title, link = payload.get("article_title", "an article"), payload.get("article_url", "")
    author, unsubscribe = payload["reply_author"], payload["unsubscribe_url"]
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = payload["to"]
    # One line whatever a name holds: a line break in a header would end it.
    message["Subject"] = " ".join(f"{author} replied to your comment on “{title}”".split())
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    quoted = "\n".join(f"> {line}" for line in payload.get("reply_text", "").splitlines())
    message.set_content(
        f"{author} replied to your comment on “{title}”:\n\n{quoted}\n\n"
        f"Read the conversation: {link}\n\n"
        f"You asked {site_name} to tell you of replies to this comment.\n"
        f"Stop these emails: {unsubscribe}\n"
    )
    e = html.escape
    paragraphs = "".join(f"<p>{e(line)}</p>" for line in payload.get("reply_text", "").splitlines() if line.strip())
    message.add_alternative(
        f"<p>{e(author)} replied to your comment on “{e(title)}”:</p><blockquote>{paragraphs}</blockquote>"
        f'<p><a href="{e(link)}">Read the conversation</a></p>'
        f'<p>You asked {e(site_name)} to tell you of replies to this comment. <a href="{e(unsubscribe)}">'
        "Stop these emails</a>.</p>",
        subtype="html",
    )
    return message


class ReplyMailer:
    def __init__(self, settings: Settings) -> None:
        if settings.smtp_url is None or settings.mail_from is None:
            raise ValueError("BYLINE_SMTP_URL and BYLINE_MAIL_FROM are needed to send email")
        self.server = smtp.SmtpServer.from_url(settings.smtp_url.get_secret_value())
        self.sender = settings.mail_from
        self.settings = settings

    def __call__(self, claimed: Claimed, *, at: datetime) -> Outcome:
        message = reply_message(
            claimed.payload,
            sender=self.sender,
            site_name=self.settings.site_name,
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
