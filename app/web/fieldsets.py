"""Sparse fieldsets: `fields=slug,title,authors.name` sends only the fields a client renders."""

from collections.abc import Callable, Collection
from typing import Annotated, Any, Self, get_args

from fastapi import Query, Request, Response
from pydantic import BaseModel

from app.core.errors import InvalidParameter
from app.web.conditional import send_document

# A field named alone maps to None and is sent whole; a dotted path keeps only the named parts of what it holds.
Tree = dict[str, "Tree | None"]


def _model_held(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, alone, in a list or optionally."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        if held := _model_held(argument):
            return held
    return None


class Fieldset:
    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    @classmethod
    def parse(cls, listed: str, model: type[BaseModel]) -> Self:
        tree: Tree = {}
        for path in (part.strip() for part in listed.split(",")):
            node: Tree | None = tree
            holder: type[BaseModel] | None = model
            names = path.split(".")
            for depth, name in enumerate(names):
                if holder is None or name not in holder.model_fields:
                    known = ", ".join(model.model_fields)
                    raise InvalidParameter("fields", f"Unknown field {path!r}. Fields: {known}.")
                if node is None:
                    break  # a shorter path already asked for all of it
                holder = _model_held(holder.model_fields[name].annotation)
                if depth == len(names) - 1:
                    node[name] = None
                else:
                    node = node.setdefault(name, {})
        return cls(tree)

    def pick(self, document: dict[str, Any], *, always: Collection[str] = ()) -> dict[str, Any]:
        """The fields asked for, and those in `always` (parts the client asked for by other means)."""
        picked: dict[str, Any] = _picked(document, self.tree | dict.fromkeys(always))
        return picked


def _picked(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_picked(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        name: value[name] if subtree is None else _picked(value[name], subtree)
        for name, subtree in tree.items()
        if name in value
    }


def fields_of(model: type[BaseModel]) -> Callable[..., Fieldset | None]:
    """The `fields` parameter of routes answering with `model` (each item's model, for lists):
    `Annotated[Fieldset | None, Depends(fields_of(Model))]`."""
    described = (
        "Comma-separated fields to send, the rest left out; dotted paths reach into nested objects and lists "
        f"(`authors.name`). Fields: {', '.join(model.model_fields)}."
    )

    def fieldset(
        fields: Annotated[str | None, Query(min_length=1, max_length=2000, description=described)] = None,
    ) -> Fieldset | None:
        return None if fields is None else Fieldset.parse(fields, model)

    return fieldset


def sparse_list(
    request: Request, response: Response, shown: dict[str, Any], fields: Fieldset | None
) -> dict[str, Any] | Response:
    """A list's answer (`data` and the rest) as its route built it, or with only the fields asked
    for in each item."""
    if fields is None:
        return shown
    items = [fields.pick(item.model_dump(mode="json")) for item in shown["data"]]
    return send_document(request, response, {**shown, "data": items})
