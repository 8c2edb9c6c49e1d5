"""Newsroom roles and the scopes each one grants: the one place a role's powers are set."""

from enum import StrEnum

from app.auth.scopes import Scope


class Role(StrEnum):
    contributor = "contributor"
    editor = "editor"
    moderator = "moderator"
    admin = "admin"


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.contributor: frozenset({Scope.content_write, Scope.content_preview, Scope.media_write}),
    # As in most newsrooms' tools, an editor also moderates the comments under the stories.
    Role.editor: frozenset(
        {Scope.content_write, Scope.content_preview, Scope.content_embargo, Scope.media_write, Scope.comments_moderate}
    ),
    Role.moderator: frozenset({Scope.comments_moderate}),
    Role.admin: frozenset({Scope.admin}),
}
# Contributors file drafts: they may not publish, schedule or archive (editors and admins may).
PUBLISHING_ROLES = frozenset({Role.editor, Role.admin})
# Roles held to the sections listed on the account; the others write in every section.
SECTION_BOUND_ROLES = frozenset({Role.contributor, Role.editor})
