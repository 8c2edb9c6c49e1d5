"""The comment table. Email and IP hashes live here and in no public shape."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field

from app.db.columns import JSONDocument, Table, created_at_field


class CommentStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    spam = "spam"
    trash = "trash"


class Comment(Table, table=True):
    __table_args__ = (
        CheckConstraint(f"status IN {tuple(s.value for s in CommentStatus)}", name="status"),
        # The public thread list, oldest or newest first.
        Index(
            "ix_comment_article_id_status_parent_id_created_at", "article_id", "status", "parent_id", "created_at", "id"
        ),
        # Replies of a page of threads, in one query.
        Index("ix_comment_root_id", "root_id"),
        # The moderation queue, newest first per status.
        Index("ix_comment_status_created_at_id", "status", "created_at", "id"),
        # Rate limits and "approved before" look-ups.
        Index("ix_comment_network_hash_created_at", "network_hash", "created_at"),
        Index("ix_comment_author_email_created_at", "author_email", "created_at"),
        Index("ix_comment_content_hash", "content_hash"),
        # Which commenter tokens an address's approved comments came with: read from the index alone.
        Index("ix_comment_author_email_status_commenter_hash", "author_email", "status", "commenter_hash"),
        # Imports upsert comments by the id they had in the system they came from.
        UniqueConstraint("article_id", "external_id"),
    )

    id: int = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("comment.id", ondelete="SET NULL"))
    )
    # The thread's first comment, so a page of threads loads all its replies in one query.
    root_id: int | None = Field(default=None)
    author_name: str = Field(max_length=100)
    author_email: str = Field(max_length=254)
    author_url: str | None = Field(default=None, max_length=2000)
    content: str = Field(max_length=20000)
    content_html: str = Field(max_length=100000)
    content_hash: str = Field(max_length=64)
    status: str = Field(default=CommentStatus.pending.value, max_length=16)
    reasons: list[str] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    ip_hash: str = Field(max_length=64)
    network_hash: str = Field(max_length=64)
    # Keyed digest of the commenter token the comment came with.
    commenter_hash: str | None = Field(default=None, max_length=64)
    external_id: str | None = Field(default=None, max_length=255)
    notify_replies: bool = False
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
