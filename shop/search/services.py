"""Keeping the search index and staff's synonym groups."""
from sqlalchemy import delete, select

from ..audit import record
from ..database import unit_of_work
from ..extensions import db
from ..models import Course, Product, SearchSynonym
from ..models.search import index_row, synonym_group

# Groups a new shop starts with; staff edit them in the staff area.
DEFAULT_SYNONYMS = (
    "томат, помидор, tomato, қызанақ",
    "кинза, кориандр, кишнец, cilantro, coriander",
    "базилик, райхан, basil",
    "укроп, аскөк, dill",
    "петрушка, ақжелкен, parsley",
    "мята, жалбыз, mint",
    "руккола, рукола, arugula, rocket",
    "микрозелень, микрожасыл, microgreens",
)


def synonym_lines() -> list[str]:
    """Return the synonym groups as staff wrote them, one line each."""
    return list(db.session.scalars(select(SearchSynonym.words).order_by(SearchSynonym.id)))


def save_synonyms(lines: list[str], *, actor_id: int | None = None) -> int:
    """Replace every synonym group with ``lines`` (comma-separated words each); return how many groups remain.

    The groups' stems are computed here, in the same transaction, so the next search uses them.
    """
    groups = [group for group in map(synonym_group, lines) if group is not None]
    with unit_of_work():
        before = synonym_lines()
        db.session.execute(delete(SearchSynonym))
        db.session.add_all(groups)
        after = [group.words for group in groups]
        if before != after:
            record(actor_id, "search_synonyms.update", "search_synonym", before=before, after=after)
    return len(groups)


def seed_synonyms() -> None:
    """Give a shop without synonym groups the default ones; called inside the caller's transaction."""
    if db.session.scalar(select(SearchSynonym.id).limit(1)) is None:
        db.session.add_all(group for group in map(synonym_group, DEFAULT_SYNONYMS) if group is not None)


def reindex() -> int:
    """Rebuild the search index of every product and course; return how many rows were indexed."""
    count = 0
    with unit_of_work():
        for model in (Product, Course):
            for row in db.session.scalars(select(model).order_by(model.id)):
                index_row(row)
                count += 1
        for group in db.session.scalars(select(SearchSynonym)):
            fresh = synonym_group(group.words)
            group.stems = fresh.stems if fresh else ""
    return count
