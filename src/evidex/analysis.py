"""Tokens and stems: the one place that decides what a "word" is.

Search engines index the stems this module produces, queries are stemmed the same way, and
highlighting and theme tagging reuse the same tokens, so all four always agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.lang.porter import stem as _porter_stem

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[.'’]\w+)*", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves""".split()
)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case, accents removed, possessive 's dropped."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index form of one word: folded, then Porter-stemmed when it is plain ASCII letters."""
    folded = fold(word)
    if folded.isascii() and folded.isalpha() and len(folded) > 2:
        return _porter_stem(folded)
    return folded


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) for every word in text."""
    return [(stem(m.group(0)), m.start(), m.end()) for m in TOKEN.finditer(text)]


def stems(text: str) -> list[str]:
    return list(map(stem, TOKEN.findall(text)))


def index_text(text: str) -> str:
    """What an engine indexes for a text: its stems separated by spaces."""
    return " ".join(stems(text))


def is_stopword(word: str) -> bool:
    return fold(word) in STOPWORDS
