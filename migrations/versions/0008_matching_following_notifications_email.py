"""Matching, following, notifications and email

Revision ID: 0008
Revises: 1eae7bfc7119
Create Date: 2026-11-25 14:15:16.979715

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '1eae7bfc7119'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_waiting', ['next_attempt_at'], unique=False, sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))

    op.create_table('email_choices',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=12), nullable=False),
    sa.CheckConstraint("frequency IN ('immediately', 'daily', 'weekly', 'never')", name=op.f('ck_email_choices_frequency')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_choices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'category', name=op.f('pk_email_choices'))
    )
    op.create_table('user_areas',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_user_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_areas_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'area_id', name=op.f('pk_user_areas'))
    )
    with op.batch_alter_table('user_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_areas_area_id'), ['area_id'], unique=False)

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('help_request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('stopped_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(idea_id IS NULL) != (help_request_id IS NULL)', name=op.f('ck_follows_one_target')),
    sa.ForeignKeyConstraint(['help_request_id'], ['help_requests.id'], name=op.f('fk_follows_help_request_id_help_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_follows_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('user_id', 'help_request_id', name='uq_follows_user_help_request'),
    sa.UniqueConstraint('user_id', 'idea_id', name='uq_follows_user_idea')
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_help_request_id'), ['help_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_idea_id'), ['idea_id'], unique=False)

    op.create_table('help_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('help_request_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['help_request_id'], ['help_requests.id'], name=op.f('fk_help_invitations_help_request_id_help_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_help_invitations_person_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_invitations')),
    sa.UniqueConstraint('help_request_id', 'person_id', name=op.f('uq_help_invitations_help_request_id'))
    )
    with op.batch_alter_table('help_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_invitations_person_id'), ['person_id'], unique=False)

    op.create_table('help_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_help_messages_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_help_messages_sender_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_messages'))
    )
    with op.batch_alter_table('help_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_messages_offer_id'), ['offer_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('email', sa.String(length=12), nullable=False),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notifications_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('recipient_id', 'event_id', name=op.f('uq_notifications_recipient_id'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_digest_due', ['email', 'created_at'], unique=False, sqlite_where=sa.text("emailed_at IS NULL AND email IN ('daily', 'weekly')"), postgresql_where=sa.text("emailed_at IS NULL AND email IN ('daily', 'weekly')"))
        batch_op.create_index(batch_op.f('ix_notifications_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_notifications_recipient', ['recipient_id', 'id'], unique=False)

    with op.batch_alter_table('board_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_verified_email', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=40), nullable=True))

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='skills', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('unread_notifications', sa.Integer(), server_default='0', nullable=False))
    # The dashboard's "seen" mark gives way to notifications read one by one. Dropped in
    # place: rebuilding users would lose its expression index on lower(username).
    op.execute("ALTER TABLE users DROP COLUMN dashboard_seen_at")

    # Everyone follows what they already took part in, as they would have from now on.
    op.execute("""
        INSERT INTO follows (user_id, idea_id, created_at)
        SELECT user_id, idea_id, MIN(created_at) FROM (
            SELECT author_id AS user_id, id AS idea_id, created_at FROM ideas
            UNION ALL SELECT user_id, idea_id, created_at FROM supports
            UNION ALL SELECT author_id, idea_id, created_at FROM comments WHERE idea_id IS NOT NULL
        ) AS taking_part
        GROUP BY user_id, idea_id
    """)
    op.execute("""
        INSERT INTO follows (user_id, help_request_id, created_at)
        SELECT user_id, help_request_id, MIN(created_at) FROM (
            SELECT author_id AS user_id, id AS help_request_id, created_at FROM help_requests
            UNION ALL SELECT helper_id, help_request_id, created_at FROM offers
            UNION ALL SELECT author_id, help_request_id, created_at FROM comments
                WHERE help_request_id IS NOT NULL
        ) AS taking_part
        GROUP BY user_id, help_request_id
    """)


def downgrade():
    op.execute("ALTER TABLE users DROP COLUMN unread_notifications")
    op.execute("ALTER TABLE users DROP COLUMN email_verified_at")
    op.execute("ALTER TABLE users ADD COLUMN dashboard_seen_at DATETIME")

    # Dropped in place, as above: rebuilding would lose the search index's triggers.
    op.execute("ALTER TABLE help_requests DROP COLUMN kind")
    op.execute("ALTER TABLE events DROP COLUMN note")
    op.execute("ALTER TABLE board_settings DROP COLUMN require_verified_email")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient')
        batch_op.drop_index(batch_op.f('ix_notifications_event_id'))
        batch_op.drop_index('ix_notifications_digest_due', sqlite_where=sa.text("emailed_at IS NULL AND email IN ('daily', 'weekly')"), postgresql_where=sa.text("emailed_at IS NULL AND email IN ('daily', 'weekly')"))

    op.drop_table('notifications')
    with op.batch_alter_table('help_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_messages_offer_id'))

    op.drop_table('help_messages')
    with op.batch_alter_table('help_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_invitations_person_id'))

    op.drop_table('help_invitations')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follows_idea_id'))
        batch_op.drop_index(batch_op.f('ix_follows_help_request_id'))

    op.drop_table('follows')
    with op.batch_alter_table('user_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_areas_area_id'))

    op.drop_table('user_areas')
    op.drop_table('email_choices')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_waiting', sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))

    op.drop_table('outbox')
