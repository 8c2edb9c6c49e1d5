"""Section and tag tables."""

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.db.columns import Table


class SectionBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    editors_picks: str | None = Field(
        default=None, max_length=200, description="Slug of the collection of the section's editors' picks."
    )


class Section(SectionBase, Table, table=True):
    # Directory pages list by name.
    __table_args__ = (Index("ix_section_name_id", "name", "id"),)

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)


class TagBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)


class Tag(TagBase, Table, table=True):
    # Directory pages list by name.
    __table_args__ = (Index("ix_tag_name_id", "name", "id"),)

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
