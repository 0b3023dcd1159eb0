"""search stems and synonyms

Products and courses keep the stems of their names (``search_name``) and of their other texts
(``search_body``) in every language, so a search for «базилика», «райханның» or "tomatoes" finds the kit on
SQLite and PostgreSQL alike. Staff's synonym groups live in ``search_synonym``.

Data: every existing product and course is indexed here (later saves keep the index current; `flask shop
reindex` rebuilds it), and the default synonym groups are added (томат/помидор, кинза/кориандр…).

Revision ID: 5e8a1c7d3b20
Revises: 37febfafbf30
Create Date: 2026-11-29 23:20:00

"""
from alembic import op
import sqlalchemy as sa

from shop.search.stemming import fold, index_text, variants, words


# revision identifiers, used by Alembic.
revision = '5e8a1c7d3b20'
down_revision = '37febfafbf30'
branch_labels = None
depends_on = None

LOCALES = ("ru", "kk", "en")
INDEXED = {
    "product": (("name",), ("description", "contents")),
    "course": (("title",), ("summary", "description")),
}
SYNONYMS = (
    "томат, помидор, tomato, қызанақ",
    "кинза, кориандр, кишнец, cilantro, coriander",
    "базилик, райхан, basil",
    "укроп, аскөк, dill",
    "петрушка, ақжелкен, parsley",
    "мята, жалбыз, mint",
    "руккола, рукола, arugula, rocket",
    "микрозелень, микрожасыл, microgreens",
)


def _index(bind, table_name: str) -> None:
    name_fields, body_fields = INDEXED[table_name]
    texts = [f"{field}_{lang}" for field in name_fields + body_fields for lang in LOCALES]
    table = sa.table(table_name, sa.column("id"), sa.column("slug"), sa.column("search_name"),
                     sa.column("search_body"), *(sa.column(name) for name in texts))
    for row in bind.execute(sa.select(table)).mappings().all():
        def of(fields):
            return {lang: [row[f"{field}_{lang}"] or "" for field in fields] for lang in LOCALES}

        body = of(body_fields)
        if table_name == "product":
            body["en"].append((row["slug"] or "").replace("-", " "))
        bind.execute(table.update().where(table.c.id == row["id"]).values(
            search_name=index_text(of(name_fields)), search_body=index_text(body)))


def upgrade():
    synonym = op.create_table('search_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('stems', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym'))
    )
    for table_name in INDEXED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_name', sa.Text(), server_default='', nullable=False))
            batch_op.add_column(sa.Column('search_body', sa.Text(), server_default='', nullable=False))
    bind = op.get_bind()
    for table_name in INDEXED:
        _index(bind, table_name)
    rows = []
    for line in SYNONYMS:
        names = [" ".join(part.split()) for part in fold(line).split(",")]
        stems = sorted({stem for name in names for word in words(name) for stem in variants(word)})
        rows.append({"words": ", ".join(names), "stems": f" {' '.join(stems)} "})
    op.bulk_insert(synonym, rows)


def downgrade():
    for table_name in INDEXED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('search_body')
            batch_op.drop_column('search_name')
    op.drop_table('search_synonym')
