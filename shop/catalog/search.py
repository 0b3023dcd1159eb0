"""Search the catalogue by stems: the query's words in any of their forms, and staff's synonyms of them.

Each word of the query becomes a term: every stem it may have plus the stems of its synonyms. A row matches a
term when one of them starts a word of its index. Rows matching more terms come first, then rows matching
more of them in the name. The query costs one statement for the synonyms, however long it is.
"""
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, false, or_, select, type_coerce
from sqlalchemy import case as sql_case

from ..extensions import db
from ..models import Course, SearchSynonym
from ..search.stemming import variants, words

MAX_TERMS = 8


@dataclass(frozen=True)
class Ranking:
    """What a search adds to a select: which rows match, and the two keys that order them."""

    matches: ColumnElement[bool]
    terms_matched: ColumnElement[int]
    terms_in_name: ColumnElement[int]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def query_terms(text: str) -> list[frozenset[str]]:
    """Return the query's terms, each the set of stems that may stand for one of its words."""
    terms = [variants(word) for word in list(dict.fromkeys(words(text)))[:MAX_TERMS]]
    if not terms:
        return []
    every = {stem for term in terms for stem in term}
    groups = db.session.scalars(
        select(SearchSynonym.stems).where(or_(*(SearchSynonym.stems.contains(f" {s} ") for s in sorted(every))))
    ).all()
    expanded = []
    for term in terms:
        synonyms = {s for stems in groups if any(f" {t} " in stems for t in term) for s in stems.split()}
        expanded.append(frozenset(term | synonyms))
    return expanded


def _hit(column, term: frozenset[str]) -> ColumnElement[bool]:
    return or_(*(column.like(f"% {_escape_like(stem)}%", escape="\\") for stem in sorted(term)))


def _count(conditions: list[ColumnElement[bool]]) -> ColumnElement[int]:
    total = type_coerce(0, Integer)
    for condition in conditions:
        total = total + sql_case((condition, 1), else_=0)
    return total


def rank(model, terms: list[frozenset[str]]) -> Ranking:
    """Return how rows of ``model`` (a product or course) match ``terms`` and how they rank."""
    in_name = [_hit(model.search_name, term) for term in terms]
    anywhere = [or_(name, _hit(model.search_body, term)) for name, term in zip(in_name, terms, strict=True)]
    return Ranking(or_(false(), *anywhere), _count(anywhere), _count(in_name))


def matching_courses(terms: list[frozenset[str]], limit: int = 4) -> list[Course]:
    """Return active courses matching ``terms``, best first."""
    if not terms:
        return []
    ranking = rank(Course, terms)
    return list(db.session.scalars(
        select(Course).where(Course.is_active.is_(True), ranking.matches)
        .order_by(ranking.terms_matched.desc(), ranking.terms_in_name.desc(), Course.position, Course.id)
        .limit(limit)
    ))
