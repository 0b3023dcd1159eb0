"""shop details, information pages and consent

The shop's details (one row, edited by staff, shown in footers and e-mails) and the information pages
(offer, privacy, delivery and payment, returns, contacts), each page's text kept in numbered versions that
are never changed. Orders and accounts record when the offer was accepted and consent to the processing of
personal data given, and the versions of the offer and privacy texts then in force.

No data is written: the details and the texts come from staff or `flask shop seed-demo`, and orders and
accounts made before this revision have no recorded consent (NULL), which is what happened.

Revision ID: a3fdd216e48d
Revises: 8529ac64befb
Create Date: 2026-11-29 19:49:02.642786

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = 'a3fdd216e48d'
down_revision = '8529ac64befb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('info_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_page')),
    sa.UniqueConstraint('slug', name=op.f('uq_info_page_slug'))
    )
    op.create_table('shop_details',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('legal_name_ru', sa.String(length=200), nullable=False),
    sa.Column('legal_name_kk', sa.String(length=200), nullable=False),
    sa.Column('legal_name_en', sa.String(length=200), nullable=False),
    sa.Column('bin_iin', sa.String(length=12), nullable=False),
    sa.Column('legal_address_ru', sa.String(length=300), nullable=False),
    sa.Column('legal_address_kk', sa.String(length=300), nullable=False),
    sa.Column('legal_address_en', sa.String(length=300), nullable=False),
    sa.Column('pickup_address_ru', sa.String(length=300), nullable=False),
    sa.Column('pickup_address_kk', sa.String(length=300), nullable=False),
    sa.Column('pickup_address_en', sa.String(length=300), nullable=False),
    sa.Column('pickup_hours_ru', sa.String(length=200), nullable=False),
    sa.Column('pickup_hours_kk', sa.String(length=200), nullable=False),
    sa.Column('pickup_hours_en', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('whatsapp_url', sa.String(length=300), nullable=False),
    sa.Column('telegram_url', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('map_url', sa.String(length=500), nullable=False),
    sa.Column('updated_at', shop.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_details'))
    )
    op.create_table('info_page_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_kk', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_ru', sa.Text(), nullable=False),
    sa.Column('body_kk', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', shop.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_info_page_version_author_id_user')),
    sa.ForeignKeyConstraint(['page_id'], ['info_page.id'], name=op.f('fk_info_page_version_page_id_info_page'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_page_version')),
    sa.UniqueConstraint('page_id', 'number', name=op.f('uq_info_page_version_page_id_number'))
    )
    with op.batch_alter_table('info_page_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_page_version_page_id'), ['page_id'], unique=False)

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_accepted_at', shop.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offer_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_accepted_at', shop.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offer_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_version', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('offer_version')
        batch_op.drop_column('terms_accepted_at')

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('offer_version')
        batch_op.drop_column('terms_accepted_at')

    with op.batch_alter_table('info_page_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_page_version_page_id'))

    op.drop_table('info_page_version')
    op.drop_table('shop_details')
    op.drop_table('info_page')
