"""The author table."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.core.weburl import WebUrl
from app.db.columns import JSONDocument, Table, created_at_field


class AuthorBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    role: str | None = Field(
        default=None, max_length=120, description='Job title shown in the author box, e.g. "International Reporter".'
    )
    bio: str | None = Field(default=None, max_length=4000)
    avatar_url: WebUrl | None = None


class Author(AuthorBase, Table, table=True):
    # Directory pages list by name.
    __table_args__ = (Index("ix_author_name_id", "name", "id"),)

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
    links: list[dict] = Field(default_factory=list, sa_type=JSONDocument, nullable=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
