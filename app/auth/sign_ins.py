"""What a sign-in tells the rest of the newsroom, inside its transaction: the audit log records it
by subscribing here (app.wiring installs it), so the auth domain imports no audit."""

from collections.abc import Callable

from sqlmodel import Session

# The session's transaction, the account's id and email, and how the person signed in ("single sign-on").
SignInHook = Callable[[Session, int, str, str], None]

_hooks: tuple[SignInHook, ...] = ()


def subscribe(*hooks: SignInHook) -> None:
    """The same hooks for every entry point, so subscribing again changes nothing."""
    global _hooks
    _hooks = hooks


def signed_in(session: Session, user_id: int, email: str, *, how: str) -> None:
    for hook in _hooks:
        hook(session, user_id, email, how)
