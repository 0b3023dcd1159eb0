"""kits with a course for several learners

A product's seats per unit (a kit with a course for two), frozen on the order line with the learners named at
checkout.

Revision ID: 37febfafbf30
Revises: 02e93217b3b4
Create Date: 2026-11-29 23:00:11.860502

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '37febfafbf30'
down_revision = '02e93217b3b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_per_unit', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('learners', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_per_unit', sa.Integer(), server_default='1', nullable=False))

def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('seats_per_unit')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('learners')
        batch_op.drop_column('seats_per_unit')
