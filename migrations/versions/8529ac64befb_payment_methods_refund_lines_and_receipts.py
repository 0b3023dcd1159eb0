"""payment methods: declined attempts, refund lines, fiscal receipts

Several payment methods at one checkout (TipTop Pay, Kaspi, Stripe, test payments): a payment counts its
declined attempts; a refund keeps what it gave back line by line (for its return receipt); fiscal receipts
from the online cash register are kept against the payment or refund they belong to.

Revision ID: 8529ac64befb
Revises: c736a6186e12
Create Date: 2026-11-29 19:32:46.763640

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '8529ac64befb'
down_revision = 'c736a6186e12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fiscal_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('provider_receipt_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('fiscal_sign', sa.String(length=100), nullable=False),
    sa.Column('register_number', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('qr_url', sa.String(length=500), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_fiscal_receipt_order_id_shop_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_fiscal_receipt_payment_id_payment')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_fiscal_receipt_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_receipt')),
    sa.UniqueConstraint('provider', 'provider_receipt_id', name=op.f('uq_fiscal_receipt_provider_provider_receipt_id'))
    )
    with op.batch_alter_table('fiscal_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_receipt_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fiscal_receipt_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fiscal_receipt_refund_id'), ['refund_id'], unique=False)

    op.create_table('refund_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit_price_minor', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_refund_line_amount_not_negative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_refund_line_quantity_positive')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_refund_line_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_refund_line_refund_id_refund'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_line'))
    )
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_line_refund_id'), ['refund_id'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_failure', sa.String(length=300), server_default='', nullable=False))

    # Each order now names the method it is paid with; earlier orders took the provider of their payment.
    op.execute("UPDATE shop_order SET payment_provider = (SELECT payment.provider FROM payment "
               "WHERE payment.order_id = shop_order.id ORDER BY payment.id DESC LIMIT 1) "
               "WHERE EXISTS (SELECT 1 FROM payment WHERE payment.order_id = shop_order.id)")



def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('last_failure')
        batch_op.drop_column('failed_attempts')

    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_line_refund_id'))

    op.drop_table('refund_line')
    with op.batch_alter_table('fiscal_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fiscal_receipt_refund_id'))
        batch_op.drop_index(batch_op.f('ix_fiscal_receipt_payment_id'))
        batch_op.drop_index(batch_op.f('ix_fiscal_receipt_order_id'))

    op.drop_table('fiscal_receipt')
