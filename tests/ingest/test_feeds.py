from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.ingest.readers import detect
from app.ingest.readers import feeds as feeds_module
from app.ingest.readers.feeds import read_feed
from app.ingest.schemas import IngestRecord
from tests.server import LOOPBACK, serving

FIXTURES = Path(__file__).parent / "fixtures"
FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Local News</title><link>https://local.example/</link>
<item><title>Bridge reopens</title><link>https://local.example/bridge</link><guid>https://local.example/?p=1</guid>
<dc:creator>Ann Writer</dc:creator><category>Transport</category><category>City</category>
<pubDate>Tue, 05 Mar 2024 19:15:00 +0100</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The bridge <a href="/map">reopened</a>.</p><iframe src="https://www.youtube.com/embed/v1"></iframe>]]></content:encoded>
</item>
<item><title>No author here</title><guid isPermaLink="false">42</guid>
<description>Only a &lt;b&gt;summary&lt;/b&gt;.</description></item>
</channel></rss>"""


def read(source: str) -> list:
    results = list(read_feed(source, destinations=LOOPBACK))
    for result in results:
        if result.record is not None:
            IngestRecord.model_validate(result.record)
    return results


@pytest.fixture
def feed_file(tmp_path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(FEED)
    return path


def test_entries_keep_their_fields(feed_file):
    first, second = (r.record for r in read(str(feed_file)))
    assert first["external_id"] == "feed:https://local.example/?p=1"
    assert first["title"] == "Bridge reopens"
    assert first["authors"] == ["Ann Writer"]
    assert first["tags"] == ["Transport", "City"] and "section" not in first
    assert first["published_at"] == "2024-03-05T18:15:00Z"
    assert first["canonical_url"] == "https://local.example/bridge"
    assert first["excerpt"] == "Short summary."
    # The full content wins over the summary; relative links resolve against the entry.
    assert first["body"] == [
        {"type": "paragraph", "text": 'The bridge <a href="https://local.example/map" rel="noopener">reopened</a>.'},
        {"type": "embed", "url": "https://www.youtube.com/watch?v=v1", "provider": "YouTube"},
    ]
    # A bare guid is only unique in its feed; nobody named gives the publication's byline.
    assert second["external_id"] == "feed:https://local.example/#42"
    assert second["authors"] == ["Local News"]
    assert second["body"] == [{"type": "paragraph", "text": "Only a <b>summary</b>."}]


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("rss/feedjira-TechCrunch.xml", 20),
        ("rss/feedjira-HuffPostCanada.xml", 2),
        ("rss/feedjira-RSSWithComments.xml", 30),
        ("rss/feedjira-TenderLovemaking.xml", 10),
        ("rss/feedjira-itunes_feedburner.xml", 3),
        ("rss/feedjira-HREFConsideredHarmful.xml", 10),
        ("atom/feedjira-SamRuby.xml", 20),
        ("atom/feedjira-TypePadNews.xml", 10),
        ("atom/feedjira-PaulDixExplainsNothing.xml", 5),
        ("atom/feedjira-FeedBurnerXHTML.xml", 10),
        ("atom/feedjira-GiantRobotsSmashingIntoOtherGiantRobots.xml", 3),
        ("atom/feedjira-TrotterCashionHome.xml", 14),
        ("atom/feedjira-youtube_atom.xml", 15),
    ],
)
def test_real_feeds_are_read(path, count):
    results = read(str(FIXTURES / path))
    assert [r.error for r in results if r.error] == []
    records = [r.record for r in results]
    assert len(records) == count
    assert len({r["external_id"] for r in records}) == count
    assert detect(str(FIXTURES / path)) == "rss"


def test_content_encoded_and_dc_creator_are_used():
    first = read(str(FIXTURES / "rss/feedjira-TechCrunch.xml"))[0].record
    assert first["authors"] and first["authors"] != ["TechCrunch"]
    assert len(first["body"]) > 3 and first["tags"]


def test_a_video_feed_entry_becomes_its_video():
    first = read(str(FIXTURES / "atom/feedjira-youtube_atom.xml"))[0].record
    assert first["body"][0]["type"] == "embed" and first["body"][0]["provider"] == "YouTube"


def test_entities_are_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel/></rss>')
    [result] = read(str(bomb))
    assert result.record is None and "entity 'a'" in result.error


def test_something_else_is_not_a_feed(tmp_path):
    page = tmp_path / "page.xml"
    page.write_text("plain words, no feed")
    [result] = read(str(page))
    assert "not an RSS or Atom feed" in result.error


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (the name http.server calls)
        if self.path == "/feed":
            body = FEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/elsewhere":
            # Another loopback address, which the tests do not allow.
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_address[1]}/feed")
            self.end_headers()
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/feed")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"<rss>" + b"x" * 10_000)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    with serving(httpd):
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


def test_a_feed_is_fetched_over_http_following_redirects(server):
    results = read(f"{server}/moved")
    assert [r.record["title"] for r in results] == ["Bridge reopens", "No author here"]
    assert detect(f"{server}/moved") == "rss"


def test_an_http_error_is_reported(server):
    [result] = read(f"{server}/missing")
    assert result.record is None and "404" in result.error


def test_a_feed_over_the_size_limit_is_refused(server, monkeypatch):
    monkeypatch.setattr(feeds_module, "MAX_FEED_BYTES", 100_000)
    [result] = read(f"{server}/huge")
    assert "larger than" in result.error


def test_an_unreachable_server_is_reported():
    [result] = read("http://127.0.0.1:9/feed")
    assert result.record is None and "cannot fetch" in result.error


def test_each_redirect_of_a_feed_is_checked_again(server):
    [result] = read(f"{server}/elsewhere")
    assert result.record is None and "'127.0.0.2'" in result.error and "not public" in result.error


def test_a_wordpress_comments_feed_is_refused_as_not_articles():
    results = read(str(FIXTURES / "rss" / "wordpress-comments.xml"))
    assert len(results) == 1 and results[0].record is None
    assert "comments feed" in results[0].error and "/comments/feed/" in results[0].error


def test_a_feed_whose_entries_all_link_to_comments_is_refused_without_its_own_address(tmp_path):
    text = (FIXTURES / "rss" / "wordpress-comments.xml").read_text()
    path = tmp_path / "comments.xml"
    path.write_text(text.replace('<atom:link href="https://daily.example/comments/feed/" rel="self"', "<atom:link"))
    results = read(str(path))
    assert len(results) == 1 and "#comment-" in results[0].error


def test_a_wordpress_posts_feed_with_comment_links_is_read():
    results = read(str(FIXTURES / "rss" / "feedjira-TenderLovemaking.xml"))
    assert len(results) == 10 and all(result.record is not None for result in results)
