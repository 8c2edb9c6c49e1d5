from collections import Counter
from pathlib import Path

import pytest

from app.ingest.readers import detect
from app.ingest.readers.wxr import read_wxr
from app.ingest.schemas import IngestRecord

HERE = Path(__file__).parent / "fixtures"
WXR = Path(__file__).parent / "fixtures" / "wxr"


def read(path: Path) -> list:
    results = list(read_wxr(str(path)))
    for result in results:
        if result.record is not None:
            IngestRecord.model_validate(result.record)
    return results


def tally(results: list) -> Counter:
    return Counter("post" if r.record else f"skipped {r.skipped}" if r.skipped else "error" for r in results)


@pytest.fixture(scope="module")
def newsroom() -> dict[str, dict]:
    return {r.record["external_id"]: r.record for r in read(HERE / "newsroom.wxr.xml") if r.record}


def test_posts_are_read_and_everything_else_is_skipped_and_counted():
    assert tally(read(HERE / "newsroom.wxr.xml")) == Counter(
        {"post": 4, "skipped trash": 1, "skipped page": 1, "skipped nav_menu_item": 1, "skipped attachment": 1}
    )


def test_a_post_keeps_its_fields(newsroom):
    post = newsroom["wxr:https://daily.example/?p=10"]
    assert post["title"] == "Council approves the budget"
    assert post["slug"] == "council-budget"
    assert post["excerpt"] == "The budget passed."
    assert post["authors"] == [{"name": "Ann Writer", "slug": "ann"}]
    assert post["published_at"] == "2024-03-05T19:15:00Z"  # the GMT column, not the local one
    assert post["updated_at"] == "2024-03-06T08:00:00Z"
    assert post["status"] == "published" and post["comments_open"] is True


def test_uncategorized_is_no_section_and_further_categories_become_tags(newsroom):
    post = newsroom["wxr:https://daily.example/?p=10"]
    assert post["section"] == {"name": "City Hall", "slug": "city-hall"}
    assert post["tags"] == ["Budget", "politics"]  # "Politics" the category is the same tag


def test_the_featured_image_comes_from_an_attachment_listed_after_the_post(newsroom):
    assert newsroom["wxr:https://daily.example/?p=10"]["featured_image"] == {
        "url": "https://daily.example/wp-content/uploads/hall.jpg",
        "alt": "The city hall",
        "caption": "City hall at night",
    }


def test_classic_content_gets_paragraphs_captions_and_embeds(newsroom):
    body = newsroom["wxr:https://daily.example/?p=10"]["body"]
    assert [b["type"] for b in body] == ["paragraph", "image", "embed", "embed", "paragraph"]
    assert body[0]["text"] == "The council met on Tuesday.<br>It voted late."
    assert body[1]["caption"] == "The hall at night"
    assert (body[2]["provider"], body[3]["url"]) == ("YouTube", "https://vimeo.com/42")
    # A shortcode no plugin handles shows as written, as on WordPress; galleries are attachments.
    assert body[4]["text"] == '[contact-form id="3"]'


def test_comments_keep_threading_status_and_private_email(newsroom):
    comments = newsroom["wxr:https://daily.example/?p=10"]["comments"]
    assert [(c["author_name"], c["status"]) for c in comments] == [
        ("Reader One", "approved"),
        ("Reader Three", "pending"),
        ("Spammer", "spam"),
    ]
    first, reply, _ = comments
    assert first["external_id"] == "wxr:https://daily.example/?p=10#comment-1"
    assert first["author_email"] == "one@example.org" and first["content"] == "Finally done.\nGood."
    # Its parent went to the trash: the reply hangs from the trashed comment's parent.
    assert reply["parent_external_id"] == first["external_id"]


def test_a_future_post_is_published_ahead_of_time(newsroom):
    post = newsroom["wxr:https://daily.example/?p=11"]
    assert (post["status"], post["published_at"]) == ("published", "2030-11-05T19:00:00Z")
    assert post["comments_open"] is False
    assert post["authors"] == [{"name": "Bob Editor", "slug": "bob"}]


def test_drafts_have_no_publication_time_and_private_posts_are_drafts(newsroom):
    draft = newsroom["wxr:https://daily.example/?p=12"]
    assert (draft["status"], draft["published_at"], draft["slug"]) == ("draft", None, None)
    assert draft["authors"] == [{"name": "ghost", "slug": "ghost"}]
    private = newsroom["wxr:https://daily.example/?p=13"]
    assert private["status"] == "draft"
    # Nobody named and several authors in the export: the site is the byline.
    assert private["authors"] == ["The Daily Example"]


def test_reading_twice_gives_identical_records():
    assert read(HERE / "newsroom.wxr.xml") == read(HERE / "newsroom.wxr.xml")


@pytest.mark.parametrize(
    ("name", "posts", "skips"),
    [
        ("theme-unit-test-data.xml", 58, {"page": 21, "attachment": 37, "nav_menu_item": 70}),
        ("a11y-unit-test-data.xml", 48, {"page": 17, "attachment": 39, "nav_menu_item": 50}),
        ("small-export.xml", 6, {"page": 5}),
        ("valid-wxr-1.0.xml", 3, {"page": 3}),
        ("valid-wxr-1.1.xml", 1, {"page": 1}),
        ("wxr-flat-attachment-same-site.xml", 1, {"attachment": 1}),
        ("wxr-utf-8-challenges.xml", 1, {}),
        ("post-content-blank-lines.xml", 1, {}),
        ("crazy-cdata-escaped.xml", 1, {}),
        ("multiple-cdata.xml", 1, {}),
        ("large-authors.xml", 0, {}),
        ("term-formats.xml", 0, {}),
    ],
)
def test_wordpress_exports_are_read(name, posts, skips):
    expected = Counter({"post": posts, **{f"skipped {k}": v for k, v in skips.items()}})
    assert tally(read(WXR / name)) == +expected


def test_the_theme_unit_test_export_keeps_statuses_comments_and_images():
    records = [r.record for r in read(WXR / "theme-unit-test-data.xml") if r.record]
    comments = [c for r in records for c in r["comments"]]
    assert Counter(c["status"] for c in comments) == {"approved": 23, "pending": 1}
    assert sum(1 for c in comments if c["parent_external_id"]) > 0
    assert sum(1 for r in records if r.get("featured_image")) == 6
    assert Counter(r["status"] for r in records) == {"published": 56, "draft": 2}
    assert all(r["body"] or r["title"] for r in records)


def test_a_post_without_any_author_falls_back_to_the_site():
    [result] = read(WXR / "missing-tags.xml")
    assert result.record["authors"] == ["No Authors"]


def test_a_hijacked_wordpress_namespace_is_not_trusted():
    results = read(WXR / "namespace-edge-cases.xml")
    assert tally(results) == {"post": 5, "error": 1}
    [error] = [r for r in results if r.error]
    assert error.position == "item 5" and "wp:post_id" in error.error


@pytest.mark.parametrize(
    ("name", "position", "message"),
    [
        ("malformed-simple.xml", "line 14, column 0", "not well-formed XML"),
        ("crazy-cdata.xml", "line 18, column 71", "not well-formed XML"),
        ("malformed.xml", "file", "<rss> holds <notachanneltag>, not <channel>"),
        ("missing-version-tag.xml", "file", "no <wp:wxr_version>"),
        ("invalid-version-tag.xml", "file", "WXR version 'abc' is not a number"),
    ],
)
def test_malformed_exports_are_refused_whole_with_the_reason(name, position, message):
    [result] = read(WXR / name)
    assert result.record is None and result.position == position and message in result.error


def test_entity_expansion_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
        "<item><title>&b;</title></item></channel></rss>"
    )
    [result] = read(bomb)
    assert result.record is None and "entity 'a'" in result.error


def test_external_entities_are_refused(tmp_path):
    leak = tmp_path / "leak.xml"
    leak.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
        "<item><title>&secret;</title></item></channel></rss>"
    )
    [result] = read(leak)
    assert result.record is None and "refused" in result.error and "root:" not in result.error


def test_a_file_that_is_not_xml_is_refused(tmp_path):
    (tmp_path / "notes.xml").write_text("just some notes")
    [result] = read(tmp_path / "notes.xml")
    assert "not well-formed XML" in result.error


def test_a_missing_file_is_reported():
    [result] = read(HERE / "nowhere.xml")
    assert "cannot read the file" in result.error


def test_a_large_export_streams_in_flat_memory(tmp_path):
    import tracemalloc

    item = (
        "<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status><content:encoded>A story.</content:encoded>"
        "<wp:postmeta><wp:meta_key>notes</wp:meta_key><wp:meta_value>" + "x" * 10_000 + "</wp:meta_value>"
        "</wp:postmeta></item>\n"
    )
    big = tmp_path / "big.xml"
    with big.open("w") as file:
        file.write(
            '<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            "<channel><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://big.example</wp:base_site_url>"
        )
        for n in range(600):
            file.write(item.format(n=n))
        file.write("</channel></rss>")
    assert big.stat().st_size > 5_000_000
    tracemalloc.start()
    count = sum(1 for r in read_wxr(str(big)) if r.record)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 600
    # Far below the file's size: one item at a time is held, never the document.
    assert peak < 2_000_000


def test_wxr_files_are_detected():
    assert detect(str(HERE / "newsroom.wxr.xml")) == "wxr"
    assert detect(str(WXR / "valid-wxr-1.0.xml")) == "wxr"
