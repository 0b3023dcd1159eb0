"""human order numbers

Every order gets ``number``: seven random digits a buyer can read over the phone, unique. Orders placed
before this revision are given numbers here; the public id stays in URLs.

Revision ID: 7b3d9e2f4a61
Revises: 5e8a1c7d3b20
Create Date: 2026-11-29 23:40:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e2f4a61'
down_revision = '5e8a1c7d3b20'
branch_labels = None
depends_on = None

LOW, HIGH = 1_000_000, 9_999_999


def upgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    bind = op.get_bind()
    orders = sa.table('shop_order', sa.column('id'), sa.column('number'))
    taken = set()
    for order_id in bind.execute(sa.select(orders.c.id).order_by(orders.c.id)).scalars().all():
        number = LOW + secrets.randbelow(HIGH - LOW + 1)
        while number in taken:
            number = LOW + secrets.randbelow(HIGH - LOW + 1)
        taken.add(number)
        bind.execute(orders.update().where(orders.c.id == order_id).values(number=number))
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_shop_order_number'), ['number'])


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_shop_order_number'), type_='unique')
        batch_op.drop_column('number')
