"""A sync client that keeps its offline copy only through the change feed, and the live API to compare with."""

from dataclasses import dataclass, field


@dataclass
class OfflineCopy:
    """What a mobile client holds: the articles it fetched, by slug, and where it stopped reading."""

    articles: dict[str, dict] = field(default_factory=dict)
    cursor: str | None = None
    # Every entry the feed ever gave this client, in order.
    seen: list[dict] = field(default_factory=list)

    def sync(self, client, *, limit: int = 100) -> list[dict]:
        """Read the feed until it has nothing more; returns the entries of this sync."""
        entries = []
        while True:
            params: dict = {"limit": limit} | ({"since": self.cursor} if self.cursor else {})
            answer = client.get("/api/v1/changes", params=params)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            for entry in page["data"]:
                if entry["kind"] == "upsert":
                    article = client.get(entry["url"])
                    assert article.status_code == 200, (entry, article.text)
                    self.articles[entry["slug"]] = article.json()
                else:
                    self.articles.pop(entry["slug"], None)
            entries += page["data"]
            self.cursor = page["meta"]["next_cursor"]
            assert self.cursor
            if not page["meta"]["has_more"]:
                self.seen += entries
                return entries


def live_articles(client) -> dict[str, dict]:
    """Every article the public API lists (following links.next), fetched in full."""
    summaries, url = [], "/api/v1/articles?limit=100"
    while url:
        page = client.get(url).json()
        summaries += page["data"]
        url = page["links"]["next"]
    articles = {summary["slug"]: client.get(f"/api/v1/articles/{summary['slug']}").json() for summary in summaries}
    for summary in summaries:
        # The list and the full article agree on what a summary shows.
        assert {k: v for k, v in summary.items() if k != "snippet"}.items() <= articles[summary["slug"]].items()
    return articles
