"""The search index (stems of names and descriptions, kept on each row) and staff's synonym groups."""
from sqlalchemy import Text, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..search.stemming import fold, index_text, variants, words
from .catalog import Product
from .common import LOCALES
from .course import Course

# Which texts go into each field of the index: a match in the name ranks above one in the rest.
INDEXED = {
    Product: (("name",), ("description", "contents")),
    Course: (("title",), ("summary", "description")),
}


class SearchSynonym(db.Model):
    """A group of words staff want found together (томат, помидор, tomato), with all their stems."""

    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[str] = mapped_column(Text)  # as long as staff write it (the form bounds the whole text)
    stems: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SearchSynonym {self.words}>"


def synonym_group(line: str) -> SearchSynonym | None:
    """Return a synonym group from a line of comma-separated words, its stems computed; None when empty."""
    names = [" ".join(part.split()) for part in fold(line).split(",")]
    names = list(dict.fromkeys(name for name in names if name))
    stems = {stem for name in names for word in words(name) for stem in variants(word)}
    if not stems:
        return None
    return SearchSynonym(words=", ".join(names), stems=f" {' '.join(sorted(stems))} ")


def index_row(row) -> None:
    """Recompute ``search_name`` and ``search_body`` of a product or course from its texts."""
    name_fields, body_fields = INDEXED[type(row)]

    def texts(fields):
        return {lang: [getattr(row, f"{field}_{lang}") or "" for field in fields] for lang in LOCALES}

    body = texts(body_fields)
    if isinstance(row, Product):
        body["en"].append((row.slug or "").replace("-", " "))
    row.search_name = index_text(texts(name_fields))
    row.search_body = index_text(body)


for _model in INDEXED:
    event.listen(_model, "before_insert", lambda _mapper, _connection, row: index_row(row))
    event.listen(_model, "before_update", lambda _mapper, _connection, row: index_row(row))
