"""How messages are written out: headers holding one token, such as a link, go out as they are."""

from email.policy import EmailPolicy

# RFC 5322 §2.1.1: a line must hold at most 998 characters; 78 is only what it should hold.
_LONGEST_LINE = 998


class MailPolicy(EmailPolicy):
    """The standard policy, except that a header holding one ASCII token without spaces (a `<https://…>`
    link, a Message-ID) is never folded: with nowhere to break it, the standard policy writes it as
    RFC 2047 encoded words, which mail clients do not decode in `List-Unsubscribe`, so they offered no
    one-click unsubscribe (RFC 8058)."""

    def fold(self, name: str, value: str) -> str:
        return _unfolded(name, value, self.linesep) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        line = _unfolded(name, value, self.linesep)
        return line.encode("ascii") if line else super().fold_binary(name, value)


def _unfolded(name: str, value: str, linesep: str) -> str | None:
    text = str(value)
    line = f"{name}: {text}"
    if text and text.isascii() and not any(c.isspace() for c in text) and len(line) <= _LONGEST_LINE:
        return line + linesep
    return None


MAIL_POLICY = MailPolicy()
