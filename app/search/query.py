"""The search box's little language, parsed once and rendered safely for either engine.

council budget      both words (stemmed: "attacks" finds "attacked")
"concert hall"      the exact phrase
mosc*               words starting with "mosc"
-sport              without the word
"""

import re
import unicodedata
from dataclasses import dataclass

from app.core.errors import InvalidParameter

MAX_TERMS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase
    prefix: bool = False
    negated: bool = False


def fold(text: str) -> str:
    """Lower-case, without diacritics: "Zürich" and "zurich" are the same to search."""
    decomposed = unicodedata.normalize("NFKD", text)
    # lower(), not casefold(): "ß" must stay "ß", as the SQLite tokenizer keeps it.
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def parse(query: str) -> list[Term]:
    """Terms of a query; a query the engines cannot run is a 422 naming `q`."""
    if query.count('"') % 2:
        raise InvalidParameter("q", 'Unbalanced quote: close the phrase with a second ".')
    terms: list[Term] = []
    for match in re.finditer(r'(-?)"([^"]*)"|(-?)(\S+)', query):
        if match.group(2) is not None:
            words = _words(match.group(2))
            if words:
                terms.append(Term(words, negated=bool(match.group(1))))
            continue
        negated, token = bool(match.group(3)), match.group(4)
        prefix = token.endswith("*")
        words = _words(token)
        if not words:
            continue
        # "covid-19" or "u.s." become a phrase of their parts, as the index splits them.
        terms.append(Term(words, prefix=prefix and len(words) == 1, negated=negated))
    if not terms:
        raise InvalidParameter("q", "The query has no words to search for.")
    if all(term.negated for term in terms):
        raise InvalidParameter("q", "A query needs at least one word that is not excluded with '-'.")
    if len(terms) > MAX_TERMS:
        raise InvalidParameter("q", f"Use at most {MAX_TERMS} words or phrases.")
    return terms
