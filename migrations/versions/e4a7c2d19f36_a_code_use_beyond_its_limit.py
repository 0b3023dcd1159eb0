"""a code use beyond its limit

A payment that arrives after its unpaid order expired is honoured with the discount it was charged, so it takes
its promo code's use again; when the code was used up meanwhile, that use is counted beyond the limit and marked
here (the order is flagged for staff). No data is written: no use was taken beyond a limit before.

Revision ID: e4a7c2d19f36
Revises: b51fe40e55a9
Create Date: 2026-11-30 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4a7c2d19f36'
down_revision = "6a3564550225"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('promo_redemption', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_over_limit', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('promo_redemption', schema=None) as batch_op:
        batch_op.drop_column('is_over_limit')
