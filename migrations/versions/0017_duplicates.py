"""Ideas joined as duplicates of others: proposals, and where each duplicate went

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 21:30:00

"""
import sqlalchemy as sa
from alembic import op

from board.search.index import install

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

STATUSES = "'new', 'under_consideration', 'in_progress', 'done', 'not_taken_forward'"
VISIBLE = "hidden_at IS NULL"
AWAITING = "hidden_at IS NULL AND answered_at IS NULL AND pledge_reached_at IS NOT NULL"
# The partial indexes on ideas, as the models have them: SQLite's rebuild of the table
# (to change its CHECK) cannot carry their conditions over, so they are made again.
PARTIAL_INDEXES = {
    'ix_ideas_visible_new': (['id', 'last_supported_at'], VISIBLE),
    'ix_ideas_visible_popular': (['supporters_count', 'id'], VISIBLE),
    'ix_ideas_visible_supported': (['last_supported_at', 'id'], VISIBLE),
    'ix_ideas_visible_active': (['last_activity_at', 'id'], VISIBLE),
    'ix_ideas_visible_status': (['status', 'id'], VISIBLE),
    'ix_ideas_visible_area': (['area_id', 'id'], VISIBLE),
    'ix_ideas_awaiting_answer': (['pledge_reached_at', 'id'], AWAITING),
}


def _status_check(statuses: str, add_column: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('ideas', schema=None, recreate='always' if sqlite else 'never') as batch_op:
        if add_column:
            batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f('ix_ideas_duplicate_of_id'), ['duplicate_of_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_ideas_duplicate_of_id_ideas'), 'ideas',
                                        ['duplicate_of_id'], ['id'], ondelete='SET NULL')
        else:
            batch_op.drop_constraint(batch_op.f('fk_ideas_duplicate_of_id_ideas'), type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_ideas_duplicate_of_id'))
            batch_op.drop_column('duplicate_of_id')
        if not sqlite:  # SQLite's rebuilt table keeps no CHECK it cannot read back
            batch_op.drop_constraint(batch_op.f('ck_ideas_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_ideas_status'), f"status IN ({statuses})")
    if sqlite:
        for name, (columns, condition) in PARTIAL_INDEXES.items():
            op.execute(f"DROP INDEX IF EXISTS {name}")
            op.create_index(name, 'ideas', columns, unique=False, sqlite_where=sa.text(condition))
        # The rebuilt table lost the search index's triggers on it.
        install(op.get_bind())


def upgrade():
    op.create_table('duplicate_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("decision IN ('accepted', 'declined')", name=op.f('ck_duplicate_proposals_decision')),
    sa.CheckConstraint('idea_id != target_id', name=op.f('ck_duplicate_proposals_not_itself')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_duplicate_proposals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_duplicate_proposals_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_duplicate_proposals_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['ideas.id'], name=op.f('fk_duplicate_proposals_target_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_proposals'))
    )
    with op.batch_alter_table('duplicate_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_proposals_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_proposals_proposed_by_id'), ['proposed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_proposals_target_id'), ['target_id'], unique=False)
    _status_check(f"{STATUSES}, 'duplicate'", add_column=True)


def downgrade():
    # Joined ideas go back to being new ideas of their own; their supporters stay where they are.
    op.execute("UPDATE ideas SET status = 'new' WHERE status = 'duplicate'")
    _status_check(STATUSES, add_column=False)
    op.drop_table('duplicate_proposals')
