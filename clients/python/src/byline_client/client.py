"""Sync and async clients: answers read into the generated models, and what the document cannot say
(list iteration, problems as exceptions, If-Match edits, preview links)."""

from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from pydantic import BaseModel

from byline_client.models import ArticlePage, ArticleSummary, PageLinks, PageMeta, PreviewToken
from byline_client.problems import problem_of

M = TypeVar("M", bound=BaseModel)
W = TypeVar("W", bound=BaseModel)
# A request body: a generated model (only the fields set are sent, so an update changes only those) or JSON.
Body = BaseModel | Mapping[str, Any]
Params = Mapping[str, str | int | bool | None]

ARTICLES = "/api/v1/articles"


class Page(BaseModel, Generic[M]):
    """One page of any list: its items, the total, and the link to the next page."""

    data: list[M]
    meta: PageMeta
    links: PageLinks


@dataclass(frozen=True)
class Versioned(Generic[M]):
    """A resource as read or written, and the ETag that names that version of it."""

    data: M
    etag: str


class _Bearer(httpx.Auth):
    def __init__(self, key: str) -> None:
        self.key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.key}"
        yield request


def etag_of(response: httpx.Response) -> str:
    """The ETag of an answer: what to send back as `If-Match`."""
    etag: str | None = response.headers.get("ETag")
    if etag is None:
        raise ValueError(f"{response.url} answered without an ETag")
    return etag


def _answer(response: httpx.Response, model: type[M]) -> M:
    if response.status_code >= 400:
        raise problem_of(response)
    return model.model_validate_json(response.content)


def _json(body: Body) -> Any:
    return body.model_dump(mode="json", exclude_unset=True) if isinstance(body, BaseModel) else body


def _query(params: Params | None) -> dict[str, str | int | bool]:
    return {name: value for name, value in (params or {}).items() if value is not None}


def _preview(link: str | PreviewToken) -> tuple[str, dict[str, str]]:
    """The article path and token of a preview link."""
    url = urlsplit(link.url if isinstance(link, PreviewToken) else link)
    slug = unquote(url.path.rsplit("/", 1)[-1])
    return f"{ARTICLES}/{slug}", {"preview_token": parse_qs(url.query)["preview_token"][0]}


class Byline:
    """A Byline server at `base_url` (its root: `https://news.example.com`), with an API key if given.
    `http` is the httpx client underneath, for the operations this class has no method for."""

    def __init__(
        self,
        base_url: str,
        *,
        key: str | None = None,
        timeout: float = 10,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            auth=_Bearer(key) if key else None,
            follow_redirects=True,  # a renamed article answers 308 to its new slug
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> "Byline":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, model: type[M], *, params: Params | None = None) -> M:
        return _answer(self.http.get(path, params=_query(params)), model)

    def post(self, path: str, body: Body, model: type[M]) -> M:
        return _answer(self.http.post(path, json=_json(body)), model)

    def each(self, path: str, item: type[M], *, params: Params | None = None) -> Iterator[M]:
        """Every item of a list, page after page: it follows `links.next` (which carries the filters
        and the cursor) until the last page, asking for a page only when the one before is used up."""
        page = self.get(path, Page[item], params=params)  # type: ignore[valid-type]
        while True:
            yield from page.data
            if not page.links.next:
                return
            page = _answer(self.http.get(page.links.next), Page[item])  # type: ignore[valid-type]

    def read(self, path: str, model: type[M]) -> Versioned[M]:
        """A resource with its ETag, to send back when changing it."""
        response = self.http.get(path)
        return Versioned(_answer(response, model), etag_of(response))

    def update(self, path: str, body: Body, etag: str, model: type[M]) -> Versioned[M]:
        """A change sent with `If-Match: etag`: if the resource changed since that version was read,
        the server writes nothing and this raises PreconditionFailed (412)."""
        response = self.http.patch(path, json=_json(body), headers={"If-Match": etag})
        return Versioned(_answer(response, model), etag_of(response))

    def edit(self, path: str, change: Callable[[M], Body], *, read: type[M], returns: type[W]) -> Versioned[W]:
        """Read, change, write without overwriting anyone: `change` gets the current version and
        returns the fields to change, sent with that version's ETag. PreconditionFailed means another
        editor saved in between: nothing was written, and calling `edit` again applies `change` to theirs."""
        current = self.read(path, read)
        return self.update(path, change(current.data), current.etag, returns)

    def article(self, slug: str, *, params: Params | None = None) -> ArticlePage:
        return self.get(f"{ARTICLES}/{slug}", ArticlePage, params=params)

    def articles(self, **filters: str | int | bool | None) -> Iterator[ArticleSummary]:
        """Every article the key may see, filtered as `GET /api/v1/articles` is (`section="world"`)."""
        return self.each(ARTICLES, ArticleSummary, params=filters)

    def preview_link(self, slug: str) -> PreviewToken:
        """A signed link that lets anyone holding it read this one unpublished article until it
        expires (the key needs `content:preview`). Hand `token` to a frontend."""
        return _answer(self.http.post(f"{ARTICLES}/{slug}/preview-token"), PreviewToken)

    def read_preview(self, link: str | PreviewToken) -> ArticlePage:
        """The article a preview link opens, read as its holder would: with the token, without the key."""
        path, params = _preview(link)
        return _answer(self.http.get(path, params=params, auth=None), ArticlePage)


class AsyncByline:
    """Byline's methods, awaited: the same requests on an `httpx.AsyncClient`."""

    def __init__(
        self,
        base_url: str,
        *,
        key: str | None = None,
        timeout: float = 10,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            auth=_Bearer(key) if key else None,
            follow_redirects=True,
            timeout=timeout,
            transport=transport,
        )

    async def __aenter__(self) -> "AsyncByline":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def get(self, path: str, model: type[M], *, params: Params | None = None) -> M:
        return _answer(await self.http.get(path, params=_query(params)), model)

    async def post(self, path: str, body: Body, model: type[M]) -> M:
        return _answer(await self.http.post(path, json=_json(body)), model)

    async def each(self, path: str, item: type[M], *, params: Params | None = None) -> AsyncIterator[M]:
        page = await self.get(path, Page[item], params=params)  # type: ignore[valid-type]
        while True:
            for found in page.data:
                yield found
            if not page.links.next:
                return
            page = _answer(await self.http.get(page.links.next), Page[item])  # type: ignore[valid-type]

    async def read(self, path: str, model: type[M]) -> Versioned[M]:
        response = await self.http.get(path)
        return Versioned(_answer(response, model), etag_of(response))

    async def update(self, path: str, body: Body, etag: str, model: type[M]) -> Versioned[M]:
        response = await self.http.patch(path, json=_json(body), headers={"If-Match": etag})
        return Versioned(_answer(response, model), etag_of(response))

    async def edit(self, path: str, change: Callable[[M], Body], *, read: type[M], returns: type[W]) -> Versioned[W]:
        current = await self.read(path, read)
        return await self.update(path, change(current.data), current.etag, returns)

    async def article(self, slug: str, *, params: Params | None = None) -> ArticlePage:
        return await self.get(f"{ARTICLES}/{slug}", ArticlePage, params=params)

    def articles(self, **filters: str | int | bool | None) -> AsyncIterator[ArticleSummary]:
        return self.each(ARTICLES, ArticleSummary, params=filters)

    async def preview_link(self, slug: str) -> PreviewToken:
        return _answer(await self.http.post(f"{ARTICLES}/{slug}/preview-token"), PreviewToken)

    async def read_preview(self, link: str | PreviewToken) -> ArticlePage:
        path, params = _preview(link)
        return _answer(await self.http.get(path, params=params, auth=None), ArticlePage)
