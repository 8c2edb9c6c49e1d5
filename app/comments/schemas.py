"""Wire shapes for comments. Public ones carry no email and no IP digest."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.comments.models import CommentStatus
from app.core.ids import RowId
from app.core.patching import Patch
from app.core.weburl import WebUrl


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# A commenter's name and words, wherever they come from.
NotBlankText = Annotated[str, AfterValidator(_not_blank)]


class CommentCreate(BaseModel):
    """The "Leave a Reply" form. Your email address will not be published."""

    model_config = ConfigDict(extra="forbid")

    author_name: NotBlankText = Field(min_length=1, max_length=100)
    author_email: EmailStr = Field(description="Required; never published.")
    author_url: WebUrl | None = Field(None, description="Optional website, http or https.")
    content: NotBlankText = Field(
        min_length=1,
        description="Plain text with *emphasis*, [links](https://…) and `code`; "
        "at most `BYLINE_COMMENT_MAX_LENGTH` characters (5,000 unless configured).",
    )
    parent_id: RowId | None = Field(None, description="The comment this replies to.")
    commenter_token: str | None = Field(
        None,
        max_length=100,
        description="From the receipt of your earlier comments. Once a moderator approved a comment sent with it, "
        "comments sent with it and the same email address are published at once.",
    )
    notify_replies: bool = Field(False, description="Email me when someone replies.")
    form_token: str | None = Field(
        None, max_length=500, description="From `GET …/comments/form-token` when the form was shown."
    )
    homepage: str | None = Field(
        None, max_length=2000, description="Leave empty. Hidden from people; bots that fill it are filed as spam."
    )


class CommentPublic(BaseModel):
    id: int
    parent_id: int | None = Field(
        description="The comment shown as this one's parent (deep replies are shown at the depth limit)."
    )
    author_name: str
    author_url: str | None
    avatar_url: str = Field(
        description="Gravatar-compatible: an identicon from a keyed hash of the email, or the commenter's own "
        "Gravatar where the site enables it."
    )
    content_html: str = Field(description='Sanitised HTML; links carry rel="nofollow ugc".')
    created_at: datetime
    replies: list["CommentPublic"] = Field(default_factory=list, description="Approved replies, oldest first.")


class CommentReceipt(BaseModel):
    id: int
    status: Literal["pending", "approved"] = Field(description="`pending` waits for a moderator.")
    comment: CommentPublic | None = Field(
        None,
        description="The published comment, when approved at once; a reply's `parent_id` is the comment it answers.",
    )
    commenter_token: str = Field(
        description="Keep it (say, in local storage) and send it with later comments: once a moderator approves "
        "one, the rest are published at once. Anyone holding it can comment as you."
    )


class FormToken(BaseModel):
    form_token: str
    issued_at: datetime


class CommentModeration(BaseModel):
    """Everything a moderator sees, the private parts included."""

    id: int
    article_slug: str
    parent_id: int | None
    status: CommentStatus
    reasons: list[str] = Field(description="Why the comment was held or filed as spam.")
    author_name: str
    author_email: str
    author_url: str | None
    content: str
    content_html: str
    notify_replies: bool
    created_at: datetime
    updated_at: datetime


class CommentContext(BaseModel):
    """A comment in its thread, for a moderator deciding on it."""

    ancestors: list[CommentModeration] = Field(
        description="The comments it answers, from the thread's opening comment down to its parent (at most 50)."
    )
    comment: CommentModeration
    replies: list[CommentModeration] = Field(description="Its direct replies, oldest first (at most 50).")


class CommentModerationUpdate(Patch):
    """Only the fields sent change; null clears only the website."""

    status: CommentStatus | None = None
    author_name: NotBlankText | None = Field(None, min_length=1, max_length=100)
    author_url: WebUrl | None = None
    content: NotBlankText | None = Field(
        None, min_length=1, description="At most `BYLINE_COMMENT_MAX_LENGTH` characters."
    )

    @field_validator("status", "author_name", "content")
    @classmethod
    def _sent_values_only(cls, value: object) -> object:
        # Runs only for fields sent: leaving one out keeps it, but a comment cannot lose it.
        if value is None:
            raise ValueError("cannot be null")
        return value


class BulkModeration(BaseModel):
    ids: list[RowId] = Field(min_length=1, max_length=1000)
    action: Literal["approve", "spam", "trash", "delete"]


class BulkModerationResult(BaseModel):
    changed: int
    not_found: list[int]


class Unsubscribed(BaseModel):
    unsubscribed: bool = True
