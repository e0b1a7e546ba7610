"""Words for the search index and for queries: folded (case, ß, diacritics) and stemmed.

Both databases index what `terms()` returns, and a query is turned into the same keys by
`query_keys()`, so "Straßen" finds "Strasse", "Bürger" finds "Burger" and "партнерства" finds
"партнерство". Latin words get the English and German Snowball stemmers, Cyrillic ones the
Russian stemmer (there is no Ukrainian or Belarusian one; their words are still found by prefix).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import snowballstemmer

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def strip_marks(word: str) -> str:
    """Without diacritics (ü → u, й → и), as SQLite's unicode61 `remove_diacritics 2` does."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def keys_of(word: str) -> tuple[str, ...]:
    """The folded word and its stems (the first is the word itself)."""
    folded = word.casefold()
    languages = ("russian",) if _is_cyrillic(folded) else ("english", "german")
    keys = [strip_marks(folded)]
    for language in languages:
        stem = strip_marks(_stemmer(language).stemWord(folded))
        if stem and stem not in keys:
            keys.append(stem)
    return tuple(keys)


def terms(text: str) -> str:
    """What the index stores for `text`: each word's keys, space-separated."""
    return " ".join(key for word in WORD.findall(text or "") for key in keys_of(word))


def query_keys(query: str) -> list[tuple[str, ...]]:
    """One tuple of alternatives per query word (any may match; every word must)."""
    words = [w for w in WORD.findall(query or "") if w.strip("_")]
    return [keys_of(w) for w in words[:MAX_QUERY_WORDS]]
