"""Per-person session tokens, and a version stamp on the board's settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), server_default='', nullable=False))

    with op.batch_alter_table('board_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # Dropped in place: rebuilding users would lose its expression index on lower(username).
    op.execute("ALTER TABLE board_settings DROP COLUMN version")
    op.execute("ALTER TABLE users DROP COLUMN session_token")
