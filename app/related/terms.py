"""Turning article text into weighted, stemmed terms: the vectors related-article lookups compare."""

import math
import re
from collections import Counter
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # ships neither type hints nor stubs

from app.search.query import fold

MAX_TERMS_PER_ARTICLE = 60
_WORD = re.compile(r"[a-z][a-z0-9']{2,30}")
_stemmer = snowballstemmer.stemmer("english")

# Words that say nothing about what an article is about.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "least",
        "less",
        "like",
        "made",
        "make",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "never",
        "new",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "said",
        "same",
        "say",
        "says",
        "she",
        "should",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "two",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "year",
        "years",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "told",
        "according",
        "including",
        "people",
        "time",
        "week",
        "weeks",
        "day",
        "days",
        "first",
    ]
)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # Stemming in Python costs far more than the lookup, and news reuses its vocabulary from article
    # to article: bulk imports and reindexing spend most of their time here without the cache.
    stem: str = _stemmer.stemWord(word)
    return stem


def stems(text: str) -> list[str]:
    words = [w.strip("'") for w in _WORD.findall(fold(text))]
    return [_stem(w) for w in words if w and w not in STOPWORDS]


def term_weights(*, title: str, subtitle: str, body: str) -> dict[str, float]:
    """Sublinear term frequencies, the headline counting three times and the dek twice, unit length."""
    counts = Counter(stems(body))
    for term in stems(subtitle):
        counts[term] += 2
    for term in stems(title):
        counts[term] += 3
    weights = {term: 1 + math.log(count) for term, count in counts.most_common(MAX_TERMS_PER_ARTICLE)}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: weight / norm for term, weight in weights.items()}
