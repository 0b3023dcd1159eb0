"""course pages that sell and bundle savings

The course's programme, teacher, online format, venue area, refund terms and recordings; a kit with a
course names the kit sold alone, so its page says what the bundle saves.

Revision ID: 02e93217b3b4
Revises: 9bff9fa6e360
Create Date: 2026-11-29 22:56:29.735436

"""
from alembic import op
import sqlalchemy as sa

import shop.database  # noqa: F401 (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '02e93217b3b4'
down_revision = '9bff9fa6e360'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_ru', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('programme_kk', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('programme_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('teacher_ru', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('teacher_kk', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('teacher_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('online_format_ru', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('online_format_kk', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('online_format_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('venue_area_ru', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('venue_area_kk', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('venue_area_en', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('refund_terms_ru', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('refund_terms_kk', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('refund_terms_en', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('keeps_recordings', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kit_alone_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_product_kit_alone_id_product'), 'product', ['kit_alone_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_kit_alone_id_product'), type_='foreignkey')
        batch_op.drop_column('kit_alone_id')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('keeps_recordings')
        batch_op.drop_column('refund_terms_en')
        batch_op.drop_column('refund_terms_kk')
        batch_op.drop_column('refund_terms_ru')
        batch_op.drop_column('venue_area_en')
        batch_op.drop_column('venue_area_kk')
        batch_op.drop_column('venue_area_ru')
        batch_op.drop_column('online_format_en')
        batch_op.drop_column('online_format_kk')
        batch_op.drop_column('online_format_ru')
        batch_op.drop_column('teacher_en')
        batch_op.drop_column('teacher_kk')
        batch_op.drop_column('teacher_ru')
        batch_op.drop_column('programme_en')
        batch_op.drop_column('programme_kk')
        batch_op.drop_column('programme_ru')

