"""an action's closing note; why an admin reopened a final fidelity review

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
    with op.batch_alter_table('fidelity_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('fidelity_review', schema=None) as batch_op:
        batch_op.drop_column('reopen_reason')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('note')
