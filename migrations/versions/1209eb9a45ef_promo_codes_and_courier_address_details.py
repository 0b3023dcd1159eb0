"""promo codes and courier address details

Promo codes staff create (with the products and categories they apply to) and each order's redemption of
one; carts keep the code entered; orders and their lines keep the discount (each line its share, so a
refund by line gives back what was paid); orders keep the courier's apartment, entrance, floor, intercom
and the buyer's comment. Existing rows get no discount and empty details, which is what they had.

Revision ID: 1209eb9a45ef
Revises: 5b0e3c7d9a14
Create Date: 2026-11-29 22:51:27.597007

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '1209eb9a45ef'
down_revision = '5b0e3c7d9a14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('promo_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('includes_delivery', sa.Boolean(), nullable=False),
    sa.Column('valid_from', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_until', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('min_order_minor', sa.BigInteger(), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('max_uses_per_customer', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_promo_code_amount_not_negative')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_promo_code_percent_in_range')),
    sa.CheckConstraint('uses >= 0', name=op.f('ck_promo_code_uses_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_code')),
    sa.UniqueConstraint('code', name=op.f('uq_promo_code_code'))
    )
    op.create_table('promo_code_category',
    sa.Column('promo_code_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_promo_code_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promo_code_id'], ['promo_code.id'], name=op.f('fk_promo_code_category_promo_code_id_promo_code'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('promo_code_id', 'category_id', name=op.f('pk_promo_code_category'))
    )
    op.create_table('promo_code_product',
    sa.Column('promo_code_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_promo_code_product_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promo_code_id'], ['promo_code.id'], name=op.f('fk_promo_code_product_promo_code_id_promo_code'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('promo_code_id', 'product_id', name=op.f('pk_promo_code_product'))
    )
    op.create_table('promo_redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promo_code_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('discount_minor', sa.BigInteger(), nullable=False),
    sa.Column('released_at', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_promo_redemption_order_id_shop_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promo_code_id'], ['promo_code.id'], name=op.f('fk_promo_redemption_promo_code_id_promo_code')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_promo_redemption_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_redemption')),
    sa.UniqueConstraint('order_id', name=op.f('uq_promo_redemption_order_id'))
    )
    with op.batch_alter_table('promo_redemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promo_redemption_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_promo_redemption_promo_code_id'), ['promo_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promo_redemption_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promo_code_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cart_promo_code_id_promo_code'), 'promo_code', ['promo_code_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_minor', sa.BigInteger(), server_default='0', nullable=False))

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apartment', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('entrance', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('floor', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('intercom', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('comment', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('discount_minor', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('delivery_discount_minor', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('promo_code', sa.String(length=40), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('promo_code')
        batch_op.drop_column('delivery_discount_minor')
        batch_op.drop_column('discount_minor')
        batch_op.drop_column('comment')
        batch_op.drop_column('intercom')
        batch_op.drop_column('floor')
        batch_op.drop_column('entrance')
        batch_op.drop_column('apartment')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('discount_minor')

    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cart_promo_code_id_promo_code'), type_='foreignkey')
        batch_op.drop_column('promo_code_id')

    with op.batch_alter_table('promo_redemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promo_redemption_user_id'))
        batch_op.drop_index(batch_op.f('ix_promo_redemption_promo_code_id'))
        batch_op.drop_index(batch_op.f('ix_promo_redemption_email'))

    op.drop_table('promo_redemption')
    op.drop_table('promo_code_product')
    op.drop_table('promo_code_category')
    op.drop_table('promo_code')
