"""Languages: each person's choice, the board's default and offered languages, and the
language each idea, help request and comment is written in

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

WRITTEN = ('ideas', 'help_requests', 'comments')


def upgrade():
    # Added in place: rebuilding these tables would drop the search index's triggers and
    # the expression index on lower(username). Existing rows take the server defaults.
    op.add_column('users', sa.Column('language', sa.String(length=8), server_default='', nullable=False))
    op.add_column('board_settings', sa.Column(
        'default_language', sa.String(length=8), server_default='en', nullable=False))
    op.add_column('board_settings', sa.Column(
        'languages_offered', sa.String(length=60), server_default='en,fr,cy', nullable=False))
    for table in WRITTEN:
        op.add_column(table, sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade():
    for table in WRITTEN:
        op.execute(f"ALTER TABLE {table} DROP COLUMN language")
    op.execute("ALTER TABLE board_settings DROP COLUMN languages_offered")
    op.execute("ALTER TABLE board_settings DROP COLUMN default_language")
    op.execute("ALTER TABLE users DROP COLUMN language")
