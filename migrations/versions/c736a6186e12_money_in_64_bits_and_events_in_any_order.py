"""money in 64 bits, provider refunds before payment, buyer address, waiting list confirmation

Money columns become 64-bit (an order above 21 474 836,47 ₸ overflowed 32 bits on PostgreSQL). A payment
remembers a refund its provider reported before the payment itself was recorded. An order keeps the
address it was placed from, to cap what one buyer can hold unpaid. A refund says whether staff made it
or the provider reported it (existing refunds recorded from Stripe's webhook have no actor and that
reason). Waiting-list places count once their address is confirmed; existing entries are confirmed.

Revision ID: c736a6186e12
Revises: a1f3c9e2d7b4
Create Date: 2026-11-29 18:31:26.546347

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = 'c736a6186e12'
down_revision = 'a1f3c9e2d7b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.alter_column('price_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.alter_column('unit_price_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_at_provider_minor', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.alter_column('amount_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.alter_column('price_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='staff', nullable=False))
        batch_op.alter_column('amount_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ip', sa.String(length=45), server_default='', nullable=False))
        batch_op.alter_column('subtotal_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)
        batch_op.alter_column('delivery_fee_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)
        batch_op.alter_column('total_minor',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)

    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', shop.database.UTCDateTime(timezone=True), nullable=True))

    op.execute("UPDATE waitlist_entry SET confirmed_at = created_at")
    op.execute("UPDATE refund SET source = 'provider' WHERE actor_id IS NULL "
               "AND reason = 'Refunded in the Stripe dashboard'")


def downgrade():
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.alter_column('total_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.alter_column('delivery_fee_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.alter_column('subtotal_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('client_ip')

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.alter_column('amount_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('source')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.alter_column('price_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.alter_column('amount_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('refunded_at_provider_minor')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.alter_column('unit_price_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)

    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.alter_column('price_minor',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)

