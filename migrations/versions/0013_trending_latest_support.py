"""Each idea remembers when its latest support was given, for the trending list

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

VISIBLE = sa.text('hidden_at IS NULL')


def upgrade():
    # Added in place: rebuilding ideas would drop the search index's triggers on it.
    op.add_column('ideas', sa.Column('last_supported_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE ideas SET last_supported_at = "
        "(SELECT max(supports.created_at) FROM supports WHERE supports.idea_id = ideas.id)"
    )
    op.drop_index('ix_ideas_visible_new', table_name='ideas')
    op.create_index('ix_ideas_visible_new', 'ideas', ['id', 'last_supported_at'], unique=False,
                    sqlite_where=VISIBLE, postgresql_where=VISIBLE)
    op.create_index('ix_ideas_visible_supported', 'ideas', ['last_supported_at', 'id'], unique=False,
                    sqlite_where=VISIBLE, postgresql_where=VISIBLE)


def downgrade():
    op.drop_index('ix_ideas_visible_supported', table_name='ideas')
    op.drop_index('ix_ideas_visible_new', table_name='ideas')
    op.create_index('ix_ideas_visible_new', 'ideas', ['id'], unique=False,
                    sqlite_where=VISIBLE, postgresql_where=VISIBLE)
    op.execute("ALTER TABLE ideas DROP COLUMN last_supported_at")
