"""staff notes and the card paid with

Internal notes staff keep on an order or a customer (by e-mail), each with its author and time; and the last
four digits of the card a payment was made with, when the provider reports them (TipTop Pay), so a refund's
confirmation can say which card the money goes back to. No data is written: earlier payments recorded no card
(empty), which is what the shop knew.

Revision ID: b51fe40e55a9
Revises: 7b3d9e2f4a61
Create Date: 2026-11-29 22:57:10.953124

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = 'b51fe40e55a9'
down_revision = '7b3d9e2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('customer_email', sa.String(length=254), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(order_id IS NULL) <> (customer_email IS NULL)', name=op.f('ck_staff_note_one_subject')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_staff_note_author_id_user')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_staff_note_order_id_shop_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_note'))
    )
    with op.batch_alter_table('staff_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_note_customer_email'), ['customer_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_note_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_last4', sa.String(length=4), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('card_last4')

    with op.batch_alter_table('staff_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_note_order_id'))
        batch_op.drop_index(batch_op.f('ix_staff_note_customer_email'))

    op.drop_table('staff_note')
