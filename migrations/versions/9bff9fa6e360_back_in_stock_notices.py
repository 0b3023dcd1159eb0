"""back in stock notices

A sold-out kit's "tell me when it's back": one row per product and address, confirmed by e-mail.

Revision ID: 9bff9fa6e360
Revises: 1209eb9a45ef
Create Date: 2026-11-29 22:51:17.349347

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '9bff9fa6e360'
down_revision = '1209eb9a45ef'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('confirmed_at', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notified_at', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_stock_notice_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_notice')),
    sa.UniqueConstraint('product_id', 'email', name=op.f('uq_stock_notice_product_id_email'))
    )
    with op.batch_alter_table('stock_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_notice_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_notice_product_id'))

    op.drop_table('stock_notice')
