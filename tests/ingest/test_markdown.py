import functools
from pathlib import Path

import pytest

from app.ingest.readers import detect
from app.ingest.readers.markdown import read_markdown
from app.ingest.schemas import IngestRecord

JEKYLL = Path(__file__).parent / "fixtures" / "markdown" / "jekyll-blog"


def read(root: Path) -> list:
    results = list(read_markdown(str(root)))
    for result in results:
        if result.record is not None:
            IngestRecord.model_validate(result.record)
    return results


def records(root: Path) -> dict[str, dict]:
    return {r.position: r.record for r in read(root) if r.record}


@functools.cache
def jekyll() -> dict[str, dict]:
    return records(JEKYLL)


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_jekyll_blog_is_read_whole():
    results = read(JEKYLL)
    assert len(results) == 102 and all(r.record for r in results)
    assert detect(str(JEKYLL)) == "markdown"


def test_a_jekyll_post_keeps_its_front_matter():
    post = jekyll()["2025-01-29-jekyll-4-4-1-released.markdown"]
    assert post["external_id"] == "markdown:2025-01-29-jekyll-4-4-1-released.markdown"
    assert post["title"] == "Jekyll 4.4.1 Released"
    assert post["slug"] == "jekyll-4-4-1-released"
    assert post["published_at"] == "2025-01-29T12:45:32Z"  # +0530 taken into account
    assert post["authors"] == ["ashmaroli"]
    assert post["section"] == {"name": "release"}
    assert post["status"] == "published"
    assert post["body"][0]["type"] == "paragraph"


def test_date_and_slug_come_from_the_file_name_when_the_front_matter_has_none():
    post = jekyll()["2014-05-06-jekyll-turns-2-0-0.markdown"]
    assert post["published_at"] == "2014-05-06T00:00:00Z"
    assert post["slug"] == "jekyll-turns-2-0-0"


def test_a_sloppy_date_is_still_read():
    # "2023-01-29 18:30:22 2023 -0800" in the fixture: the year repeated before the offset.
    dated = [r for r in jekyll().values() if r["published_at"] == "2023-01-30T02:30:22Z"]
    assert len(dated) == 1


def test_liquid_tags_stay_as_text():
    texts = " ".join(str(r["body"]) for r in jekyll().values())
    assert "{% " in texts or "{{ " in texts


def test_reading_twice_gives_identical_records():
    assert read(JEKYLL) == read(JEKYLL)


def test_a_jekyll_site_reads_posts_and_drafts_with_its_configuration(tmp_path):
    write(tmp_path, "_config.yml", "url: https://blog.example\nbaseurl: /news\ntitle: The Blog\nauthor: Site Owner\n")
    write(tmp_path, "about.md", "---\nlayout: page\n---\nNot a post")
    write(tmp_path, "_layouts/post.md", "layout")
    write(
        tmp_path,
        "_posts/2024-03-05-bridge.md",
        "---\ntitle: Bridge reopens\ncategories: city transport\ntags: [roads, City]\nimage: /img/bridge.jpg\n"
        "description: The bridge is open.\nlayout: post\npermalink: /x/\n---\n\n# Bridge reopens\n\n"
        "Traffic flows ![the bridge](/img/b2.jpg) again. See [the map](/map).\n",
    )
    write(tmp_path, "_drafts/plans.md", "Some plans\n")
    found = records(tmp_path)
    assert sorted(found) == ["_drafts/plans.md", "_posts/2024-03-05-bridge.md"]
    post = found["_posts/2024-03-05-bridge.md"]
    assert post["title"] == "Bridge reopens"
    assert post["authors"] == ["Site Owner"]
    assert post["section"] == {"name": "city"}
    # "city" the category and "City" the tag are one tag.
    assert post["tags"] == ["roads", "City", "transport"]
    assert post["excerpt"] == "The bridge is open."
    assert post["featured_image"] == {"url": "https://blog.example/img/bridge.jpg", "alt": ""}
    # The leading "# Title" is the headline, not a heading in the body.
    assert [b["type"] for b in post["body"]] == ["paragraph", "image", "paragraph"]
    assert post["body"][2]["text"] == 'again. See <a href="https://blog.example/map" rel="noopener">the map</a>.'
    draft = found["_drafts/plans.md"]
    assert (draft["status"], draft["title"], draft["published_at"]) == ("draft", "Plans", None)


def test_a_hugo_site_with_toml_front_matter(tmp_path):
    write(tmp_path, "hugo.toml", 'baseURL = "https://hugo.example/"\ntitle = "Hugo Site"\n')
    write(tmp_path, "content/_index.md", "+++\ntitle = 'Home'\n+++\n")
    write(
        tmp_path,
        "content/posts/launch/index.md",
        '+++\ntitle = "Launch"\ndate = 2030-01-02T03:04:05Z\ndraft = false\ntags = ["space"]\n'
        'authors = ["Ann", "Bob"]\nlastmod = 2030-01-03\n+++\nWe launch.\n',
    )
    results = read(tmp_path)
    assert [(r.position, r.skipped) for r in results if r.skipped] == [("content/_index.md", "section index")]
    post = records(tmp_path)["content/posts/launch/index.md"]
    assert post["slug"] == "launch" and post["authors"] == ["Ann", "Bob"]
    assert post["published_at"] == "2030-01-02T03:04:05Z" and post["status"] == "published"
    assert post["updated_at"] == "2030-01-03T00:00:00Z"


def test_draft_flags_and_author_mappings(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ndraft: true\nauthor: {name: Ann Writer, bio: Covers the city.}\n---\nx")
    write(tmp_path, "b.md", "---\ntitle: B\npublished: false\n---\nx")
    found = records(tmp_path)
    assert found["a.md"]["status"] == found["b.md"]["status"] == "draft"
    assert found["a.md"]["authors"] == [{"name": "Ann Writer", "bio": "Covers the city."}]
    assert found["b.md"]["authors"] == ["Unknown author"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nbody", "not valid YAML at line"),
        ("---\ntitle: x\nbody without end", "never closed"),
        ("---\n- a list\n---\nbody", "not a mapping"),
        ("---\ntitle: x\ndate: someday\n---\nbody", "the date 'someday' is not a date"),
        ("+++\ntitle = \n+++\nbody", "not valid TOML"),
    ],
)
def test_broken_front_matter_is_an_error_for_that_file_only(tmp_path, text, message):
    write(tmp_path, "bad.md", text)
    write(tmp_path, "good.md", "fine")
    results = {r.position: r for r in read(tmp_path)}
    assert message in results["bad.md"].error
    assert results["good.md"].record["title"] == "Good"


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    (tmp_path / "latin.md").write_bytes("caf\xe9".encode("latin-1"))
    [result] = read(tmp_path)
    assert result.error == "not UTF-8 text"


def test_raw_html_in_markdown_is_sanitised(tmp_path):
    write(
        tmp_path,
        "x.md",
        "Hello <script>alert(1)</script><b onclick=x>there</b>\n\n<iframe src='javascript:x'></iframe>",
    )
    post = records(tmp_path)["x.md"]
    assert post["body"] == [{"type": "paragraph", "text": "Hello <b>there</b>"}]


def test_a_directory_without_markdown_is_not_detected(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="without Markdown"):
        detect(str(tmp_path))
