"""Words to stems, the same way for the search index and for the query, on SQLite and PostgreSQL alike.

The index knows each text's language (``name_ru`` is Russian), so it stems with that language's stemmer. A query
comes in any language, so each of its words is stemmed every way its script allows and matches by any of them.
"""
import re
from functools import lru_cache

import snowballstemmer

from . import kazakh

WORD = re.compile(r"[^\W_]+", re.UNICODE)
CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")
STOP_WORDS = frozenset((
    *["и", "в", "во", "на", "с", "со", "к", "ко", "у", "о", "об", "от", "до", "из", "за", "по", "для"],
    *["не", "ни", "или", "а", "но"],
    *["және", "мен", "бен", "пен", "да", "де", "та", "те", "үшін", "немесе"],
    *["the", "a", "an", "and", "or", "of", "for", "with", "in", "on", "to", "at", "by"],
))
SHORTEN_FROM = 5
_SNOWBALL = {"ru": snowballstemmer.stemmer("russian"), "en": snowballstemmer.stemmer("english")}


def fold(text: str) -> str:
    """Return ``text`` in lower case with ё read as е, as shoppers type it."""
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """Return the folded words of ``text`` worth searching for (no stop words, no single letters)."""
    return [word for word in WORD.findall(fold(text)) if len(word) > 1 and word not in STOP_WORDS]


@lru_cache(maxsize=4096)
def stem(word: str, language: str) -> str:
    """Return the stem of one folded word in ``language`` (``ru``, ``kk`` or ``en``)."""
    if language == "kk":
        return kazakh.stem(word)
    return _SNOWBALL[language].stemWord(word)


def stems_of(text: str, language: str) -> list[str]:
    """Return the stems of the words of ``text``, in order, without repeats."""
    return list(dict.fromkeys(stem(word, language) for word in words(text)))


def variants(word: str) -> set[str]:
    """Return every stem a folded query word may have: Russian and Kazakh for Cyrillic, English otherwise.

    A long stem also stands shortened by one letter: stemmers leave a letter of some endings on one form and
    not the other (шалфей → шалф, шалфея → шалфе), and a query matches the start of an indexed stem.
    """
    languages = ("ru", "kk") if CYRILLIC.search(word) else ("en",)
    stems = {word} | {stem(word, language) for language in languages}
    return stems | {s[:-1] for s in stems if len(s) >= SHORTEN_FROM}


def index_text(texts: dict[str, list[str]]) -> str:
    """Return the stored form of an index field: its stems, space-separated and space-padded.

    ``texts`` maps a language to its texts. The padding lets a query look for `` stem`` at a word's start.
    """
    stems = dict.fromkeys(s for language, parts in texts.items() for part in parts for s in stems_of(part, language))
    return f" {' '.join(stems)} " if stems else ""
