"""`byline ingest` and `byline export` as operators run them, on a real database file: the commands run
in-process through the root command, and the importer killed mid-way is a real process."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, text

from tests.ingest.helpers import ndjson, record
from tests.server import run_in_process

BYLINE = str(Path(sys.executable).parent / "byline")
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return run_in_process(*args, env={"BYLINE_DATABASE_URL": database_url, "COLUMNS": "120"}, check=False)


def _count(summary: str, status: str) -> int:
    match = re.search(rf"{status}\s*\S\s*(\d+)", summary)
    assert match, summary
    return int(match.group(1))


@sqlite_only
def test_ingest_reports_each_bad_line_and_exits_non_zero(database_url, tmp_path):
    source = tmp_path / "batch.ndjson"
    source.write_bytes(ndjson(record(1)) + b"{oops\n" + ndjson(record(3, title="")))
    done = _run(database_url, "ingest", str(source))
    assert done.returncode == 1
    assert "batch.ndjson:2" in done.stderr and "batch.ndjson:3" in done.stderr and "#/title" in done.stderr
    assert (_count(done.stderr, "created"), _count(done.stderr, "failed")) == (1, 2)


@sqlite_only
def test_dry_run_stores_nothing_and_json_arrays_are_read(database_url, tmp_path):
    source = tmp_path / "batch.json"
    source.write_bytes(orjson.dumps([record(1), record(2)]))
    dry = _run(database_url, "ingest", "--dry-run", str(source))
    assert dry.returncode == 0 and _count(dry.stderr, "created") == 2
    real = _run(database_url, "ingest", "--format", "json", str(source))
    assert _count(real.stderr, "created") == 2


@sqlite_only
def test_export_writes_what_ingest_reads(database_url, tmp_path):
    source = tmp_path / "batch.ndjson"
    source.write_bytes(ndjson(record(1), record(2, status="draft")))
    _run(database_url, "ingest", str(source))
    exported = tmp_path / "export.ndjson"
    assert _run(database_url, "export", str(exported)).returncode == 0
    lines = [orjson.loads(line) for line in exported.read_bytes().splitlines()]
    assert [(r["external_id"], r["status"]) for r in lines] == [("ext-1", "published"), ("ext-2", "draft")]
    again = _run(database_url, "ingest", str(exported))
    assert _count(again.stderr, "unchanged") == 2


def _complete(engine) -> tuple[int, int]:
    """Articles stored, and how many lack a part every stored article has."""
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
        broken = connection.execute(
            text(
                "SELECT count(*) FROM article a"
                " WHERE NOT EXISTS (SELECT 1 FROM article_author x WHERE x.article_id = a.id)"
                " OR NOT EXISTS (SELECT 1 FROM article_revision r WHERE r.article_id = a.id)"
                " OR NOT EXISTS (SELECT 1 FROM article_term t WHERE t.article_id = a.id)"
                " OR NOT EXISTS (SELECT 1 FROM article_search s WHERE s.rowid = a.id)"
                " OR NOT EXISTS (SELECT 1 FROM comment c WHERE c.article_id = a.id)"
            )
        ).scalar_one()
    return total, broken


@sqlite_only
def test_kill_9_mid_import_leaves_no_half_article_and_a_rerun_completes_it(database_url, tmp_path):
    records = 1200
    comment = {"external_id": "c", "author_name": "A", "content": "First!", "created_at": "2025-05-03T00:00:00Z"}
    source = tmp_path / "archive.ndjson"
    source.write_bytes(ndjson(*(record(n, comments=[comment]) for n in range(records))))
    env = os.environ | {"BYLINE_DATABASE_URL": database_url}
    importer = subprocess.Popen(
        [BYLINE, "ingest", str(source)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    engine = create_engine(database_url)
    deadline = time.monotonic() + 300
    try:
        while _complete(engine)[0] < 300 and time.monotonic() < deadline:
            assert importer.poll() is None, "the import ended before it could be killed"
            time.sleep(0.05)
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
        landed, broken = _complete(engine)
        assert 0 < landed < records and broken == 0
        rerun = _run(database_url, "ingest", str(source))
        assert rerun.returncode == 0, rerun.stderr
        assert _count(rerun.stderr, "unchanged") == landed
        assert _count(rerun.stderr, "created") == records - landed
        assert _complete(engine) == (records, 0)
    finally:
        if importer.poll() is None:
            importer.kill()
        engine.dispose()


@sqlite_only
def test_a_wordpress_export_imports_with_its_comments_and_again_changes_nothing(database_url):
    export = str(Path(__file__).parent / "fixtures" / "newsroom.wxr.xml")

    first = _run(database_url, "ingest", export)
    again = _run(database_url, "ingest", export)

    assert first.returncode == 0, first.stderr
    assert _count(first.stderr, "created") == 4 and _count(again.stderr, "unchanged") == 4
    assert "skipped: page" in first.stderr and "skipped: attachment" in first.stderr
    with create_engine(database_url).connect() as connection:
        statuses = dict(connection.execute(text("SELECT status, count(*) FROM comment GROUP BY status")).all())
        searchable = connection.execute(text("SELECT count(*) FROM article_search")).scalar()
    assert statuses == {"approved": 1, "pending": 1, "spam": 1}
    assert searchable == 4


@sqlite_only
def test_other_formats_are_recognised_and_a_broken_export_is_refused_with_its_reason(database_url, tmp_path):
    blog = tmp_path / "_posts"
    blog.mkdir()
    (blog / "2024-03-01-harbour-opens.md").write_text(
        "---\ntitle: Harbour opens\nauthor: Ana Ruiz\ntags: [harbour]\n---\n\n## Crowds\n\nThousands came.\n"
    )
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>')

    markdown = _run(database_url, "ingest", str(tmp_path / "_posts"), "--status", "draft")
    refused = _run(database_url, "ingest", str(broken))

    assert markdown.returncode == 0 and _count(markdown.stderr, "created") == 1
    with create_engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT status, title FROM article WHERE title = 'Harbour opens'")).one() == (
            "draft",
            "Harbour opens",
        )
    assert refused.returncode == 1
    assert "broken.xml: line 1" in refused.stderr and "not well-formed XML" in refused.stderr
    assert "Traceback" not in refused.stderr


@sqlite_only
def test_sources_that_cannot_be_read_are_named_before_anything_is_imported(database_url, tmp_path):
    (tmp_path / "empty").mkdir()

    missing = _run(database_url, "ingest", str(tmp_path / "nowhere.ndjson"))
    unknown = _run(database_url, "ingest", str(tmp_path / "empty"))

    assert missing.returncode == 2 and "nowhere.ndjson" in missing.stderr
    assert unknown.returncode == 2 and "a directory without Markdown files" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


@sqlite_only
def test_a_post_clashing_with_the_demo_is_reported_and_lands_with_its_comments_once_the_demo_is_removed(
    database_url,
):
    export = str(Path(__file__).parent / "fixtures" / "demo-clash.wxr.xml")
    lead = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"
    _run(database_url, "demo", "load")

    clashed = _run(database_url, "ingest", export)
    removed = _run(database_url, "demo", "remove")
    again = _run(database_url, "ingest", export)

    assert clashed.returncode == 1 and _count(clashed.stderr, "failed") == 1
    reported = " ".join(clashed.stderr.split())
    assert f"item 1 not imported: its slug '{lead}' belongs to an article of the demo newsroom" in reported
    assert "`byline demo remove`" in reported
    assert removed.returncode == 0 and "14 article(s)" in removed.stderr
    assert again.returncode == 0 and _count(again.stderr, "created") == 1
    with create_engine(database_url).connect() as connection:
        comments = dict(
            connection.execute(
                text("SELECT a.slug, count(*) FROM comment c JOIN article a ON a.id = c.article_id GROUP BY a.slug")
            ).all()
        )
    assert comments == {lead: 22, "metro-reopens-after-security-sweep": 1}


@sqlite_only
def test_a_wordpress_comments_feed_is_refused_with_the_reason(database_url):
    feed = str(Path(__file__).parent / "fixtures" / "rss" / "wordpress-comments.xml")

    done = _run(database_url, "ingest", feed)

    assert done.returncode == 1 and _count(done.stderr, "created") == 0
    assert "WordPress comments feed" in done.stderr
    with create_engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM article")).scalar() == 0
