"""Photos on ideas and help requests, kept in the database with their three sizes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=True),
        sa.Column('help_request_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('alt', sa.Text(), nullable=False),
        sa.Column('format', sa.String(length=4), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('large', sa.LargeBinary(), nullable=False),
        sa.Column('medium', sa.LargeBinary(), nullable=False),
        sa.Column('thumb', sa.LargeBinary(), nullable=False),
        sa.Column('large_width', sa.Integer(), nullable=False),
        sa.Column('large_height', sa.Integer(), nullable=False),
        sa.Column('medium_width', sa.Integer(), nullable=False),
        sa.Column('medium_height', sa.Integer(), nullable=False),
        sa.Column('thumb_width', sa.Integer(), nullable=False),
        sa.Column('thumb_height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('hidden_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('(idea_id IS NULL) != (help_request_id IS NULL)', name=op.f('ck_photos_one_target')),
        sa.CheckConstraint("format IN ('webp', 'jpeg')", name=op.f('ck_photos_format')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_photos_author_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_photos_idea_id_ideas'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['help_request_id'], ['help_requests.id'],
                                name=op.f('fk_photos_help_request_id_help_requests'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_photos_hidden_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    )
    op.create_index(op.f('ix_photos_author_id'), 'photos', ['author_id'])
    op.create_index(op.f('ix_photos_digest'), 'photos', ['digest'])
    op.create_index('ix_photos_idea', 'photos', ['idea_id', 'position'])
    op.create_index('ix_photos_help_request', 'photos', ['help_request_id', 'position'])


def downgrade():
    op.drop_table('photos')
