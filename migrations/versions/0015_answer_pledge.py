"""The answer pledge: the board's promise (N supporters, D days), and each idea's clock

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-13 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

AWAITING = "hidden_at IS NULL AND answered_at IS NULL AND pledge_reached_at IS NOT NULL"


def upgrade():
    # Added in place, like 0014: rebuilding ideas would drop the search index's triggers.
    op.add_column('board_settings', sa.Column('pledge_on', sa.Boolean(), server_default=sa.false(),
                                              nullable=False))
    op.add_column('board_settings', sa.Column('pledge_supporters', sa.Integer(), server_default='10',
                                              nullable=False))
    op.add_column('board_settings', sa.Column('pledge_days', sa.Integer(), server_default='20',
                                              nullable=False))
    op.add_column('board_settings', sa.Column('answers_reminded_at', sa.DateTime(), nullable=True))
    op.add_column('ideas', sa.Column('pledge_reached_at', sa.DateTime(), nullable=True))
    op.add_column('ideas', sa.Column('answered_at', sa.DateTime(), nullable=True))
    op.create_index('ix_ideas_awaiting_answer', 'ideas', ['pledge_reached_at', 'id'],
                    sqlite_where=sa.text(AWAITING), postgresql_where=sa.text(AWAITING))
    # Ideas answered before the pledge existed keep when they were first answered: only
    # staff have ever been able to give an official response, so every one with words counts.
    op.execute(
        "UPDATE ideas SET answered_at = (SELECT MIN(status_updates.created_at) FROM status_updates"
        " WHERE status_updates.idea_id = ideas.id AND status_updates.response <> '')"
    )
    # No clock is backdated: the pledge is off on every board until an admin makes it.


def downgrade():
    op.drop_index('ix_ideas_awaiting_answer', table_name='ideas')
    op.execute("ALTER TABLE ideas DROP COLUMN answered_at")
    op.execute("ALTER TABLE ideas DROP COLUMN pledge_reached_at")
    for column in ('answers_reminded_at', 'pledge_days', 'pledge_supporters', 'pledge_on'):
        op.execute(f"ALTER TABLE board_settings DROP COLUMN {column}")
