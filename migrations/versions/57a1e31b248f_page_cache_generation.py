"""page cache generation

One row counting the committed changes to what the storefront shows; the server-side page cache
(shop/pagecache/) keeps a page only while the number it was made under is unchanged.

Revision ID: 57a1e31b248f
Revises: 322deaa3a3e5
Create Date: 2026-11-27 09:58:49.732592

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '57a1e31b248f'
down_revision = '322deaa3a3e5'
branch_labels = None
depends_on = None


def upgrade():
    cache_generation = op.create_table('cache_generation',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_generation'))
    )
    op.bulk_insert(cache_generation, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('cache_generation')
