"""returns approval, queries on returns and reminders (issue 16): the history of each return's
steps, its first submission (timeliness), its approval and confirmed unusual figures; queries and
their answers; reminders sent; each person's choice to get reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 14:19:39.646565

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_sent_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_reminder_sent_user_id_key'))
    )
    op.create_table('return_query',
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('figure', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'], name=op.f('fk_return_query_raised_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['return_id'], ['monthly_return.id'], name=op.f('fk_return_query_return_id_monthly_return'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_query'))
    )
    with op.batch_alter_table('return_query', schema=None) as batch_op:
        batch_op.create_index('ix_return_query_return_status', ['return_id', 'status'], unique=False)

    op.create_table('return_step',
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('move', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_return_step_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['return_id'], ['monthly_return.id'], name=op.f('fk_return_step_return_id_monthly_return'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_step'))
    )
    with op.batch_alter_table('return_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_step_return_id'), ['return_id'], unique=False)

    op.create_table('return_query_answer',
    sa.Column('query_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_return_query_answer_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['query_id'], ['return_query.id'], name=op.f('fk_return_query_answer_query_id_return_query'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_query_answer'))
    )
    with op.batch_alter_table('return_query_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_query_answer_query_id'), ['query_id'], unique=False)

    with op.batch_alter_table('monthly_return', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unusual_figures', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_monthly_return_approved_by_id_user_account'), 'user_account', ['approved_by_id'], ['id'], ondelete='SET NULL')

    # Returns submitted before this revision: their first submission is the one recorded.
    op.execute("UPDATE monthly_return SET first_submitted_at = submitted_at WHERE submitted_at IS NOT NULL")

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('reminders')

    with op.batch_alter_table('monthly_return', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_monthly_return_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('unusual_figures')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('first_submitted_at')

    with op.batch_alter_table('return_query_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_query_answer_query_id'))

    op.drop_table('return_query_answer')
    with op.batch_alter_table('return_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_step_return_id'))

    op.drop_table('return_step')
    with op.batch_alter_table('return_query', schema=None) as batch_op:
        batch_op.drop_index('ix_return_query_return_status')

    op.drop_table('return_query')
    op.drop_table('reminder_sent')
