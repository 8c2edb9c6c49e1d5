"""Slugs: transliterated, lowercase, hyphen-joined, short enough for a URL path."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN, slugify

PROPERTIES = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ça va, Zürich?", "ca-va-zurich"),
        ("Crème brûlée à la française", "creme-brulee-a-la-francaise"),
        ("Grüße aus München", "grusse-aus-munchen"),
        ("Straße", "strasse"),
        ("Привет, мир", "privet-mir"),
        ("Щука", "shchuka"),
        ("Καλημέρα κόσμε", "kalemera-kosme"),
        ("北京欢迎你", "bei-jing-huan-ying-ni"),
        ("東京", "dong-jing"),
    ],
)
def test_titles_in_any_script_become_ascii_slugs(title, slug):
    assert slugify(title) == slug


def test_emoji_only_title_gives_an_empty_slug():
    assert slugify("🎉🚀🔥") == ""


def test_punctuation_only_title_gives_an_empty_slug():
    assert slugify("!?… — ***") == ""


def test_long_title_is_cut_to_the_maximum_length():
    assert len(slugify("breaking " * 60)) <= SLUG_MAX_LENGTH


def test_long_title_is_cut_at_a_word_without_a_trailing_hyphen():
    slug = slugify("breaking " * 60)
    assert not slug.endswith("-")
    assert all(word == "breaking" for word in slug.split("-"))


def test_single_long_word_is_cut_to_the_maximum_length():
    assert slugify("a" * 500) == "a" * SLUG_MAX_LENGTH


@PROPERTIES
@given(st.text(max_size=400))
def test_slug_always_matches_the_path_pattern_or_is_empty(text):
    slug = slugify(text)
    assert slug == "" or re.fullmatch(SLUG_PATTERN, slug)


@PROPERTIES
@given(st.text(max_size=400))
def test_slug_never_exceeds_the_maximum_length(text):
    assert len(slugify(text)) <= SLUG_MAX_LENGTH


@PROPERTIES
@given(st.text(max_size=400))
def test_slugifying_a_slug_leaves_it_unchanged(text):
    slug = slugify(text)
    assert slugify(slug) == slug
