"""outbox: claims by senders and unsubscribe links

A message is claimed by the sender about to send it (`claimed_until`), so two senders never send it twice
and one that dies mid-send leaves it to another once the claim runs out. Messages that belong to a list
carry the address that leaves it (`List-Unsubscribe`). Existing rows need neither: NULL means unclaimed
and not part of a list.

Revision ID: 5b0e3c7d9a14
Revises: a3fdd216e48d
Create Date: 2026-11-29 23:20:00

"""
from alembic import op
import sqlalchemy as sa

import shop.database


# revision identifiers, used by Alembic.
revision = '5b0e3c7d9a14'
down_revision = 'a3fdd216e48d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', shop.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('list_unsubscribe')
