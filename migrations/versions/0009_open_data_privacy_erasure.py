"""Open data licence, privacy notice, erased accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 14:37:59.148545

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('board_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_licence_name', sa.String(length=120), server_default='Open Government Licence v3.0', nullable=False))
        batch_op.add_column(sa.Column('data_licence_url', sa.String(length=300), server_default='https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/', nullable=False))
        batch_op.add_column(sa.Column('privacy_notice', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('privacy_notice_html', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))



def downgrade():
    # Dropped in place: rebuilding users would lose its expression index on lower(username).
    op.execute("ALTER TABLE users DROP COLUMN erased_at")
    for column in ("privacy_notice_html", "privacy_notice", "data_licence_url", "data_licence_name"):
        op.execute(f"ALTER TABLE board_settings DROP COLUMN {column}")
