"""Section and tag routes: directories with article counts for navigation and tag clouds, and their editing."""

from app.core.errors import InvalidField
from app.directories.router import directory_router
from app.taxonomy import service

sections = directory_router(
    service.SECTIONS,
    summaries={
        "list": "List sections by name",
        "get": "Get a section",
        "create": "Add a section",
        "update": "Change a section",
        "delete": "Remove a section, moving its articles to another",
    },
    list_description="A section whose articles are all unpublished is listed only for `content:preview` keys.",
    reassign_to="Section that takes the articles.",
    more_problems={"update": (InvalidField,), "delete": (InvalidField,)},
)
tags = directory_router(
    service.TAGS,
    summaries={
        "list": "List tags of published articles by name",
        "get": "Get a tag",
        "create": "Add a tag",
        "update": "Rename a tag",
        "delete": "Remove a tag from every article and delete it",
    },
    list_description="Only tags that at least one published article carries: a tag made for a draft or an\n"
    "embargoed story would give the story away. With `q`, tags a word of whose name starts with it.",
    searchable=True,
    more_problems={"update": (InvalidField,)},
)
