"""account e-mail verification and session version

An account now proves its address (a signed link) before what was bought under that address without
logging in is shown to it, and its sessions carry a version that logging out or a new password raises.
Staff and admin accounts, made by an operator, count as verified. Seats and orders bought without
logging in that were attached to a customer account with a password (which until now proved nothing)
are detached: they return to their owner when the address is proven.

Revision ID: a1f3c9e2d7b4
Revises: 57a1e31b248f
Create Date: 2026-11-29 19:10:00

"""
from alembic import op
import sqlalchemy as sa

import shop.database


revision = 'a1f3c9e2d7b4'
down_revision = '57a1e31b248f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', shop.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE \"user\" SET email_verified_at = created_at WHERE role IN ('staff', 'admin')")
    unproven = ("SELECT id FROM \"user\" WHERE email_verified_at IS NULL AND password_hash IS NOT NULL "
                "AND password_hash <> ''")
    guest_orders = "SELECT id FROM shop_order WHERE user_id IS NULL"
    op.execute(f"UPDATE enrolment SET user_id = NULL WHERE user_id IN ({unproven}) "
               f"AND (order_id IS NULL OR order_id IN ({guest_orders}))")


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('email_verified_at')
