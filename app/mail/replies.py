"""The email telling a commenter of a reply, from a `comment.reply` outbox event."""

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.core.settings import Settings
from app.mail.policy import MAIL_POLICY

TOPIC = "comment.reply"


def reply_message(payload: dict, *, sender: str, settings: Settings, at: datetime, message_id: str) -> EmailMessage:
    """Plain text with an HTML alternative, and RFC 8058 one-click unsubscribe headers."""
    # Events queued by earlier versions carry no title, link or text.
    title, link = payload.get("article_title", "an article"), payload.get("article_url", "")
    author, unsubscribe = payload["reply_author"], payload["unsubscribe_url"]
    site_name = settings.site_name
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
