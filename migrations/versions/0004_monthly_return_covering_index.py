"""monthly_return index covering the programme figures

Every programme figure joins participations to their sites' returns by (site_id, month) and reads
status and job_starts. With both in the index, PostgreSQL answers those reads with index-only
scans and SQLite from the index alone: the benchmark measured the programme's months-submitted
count at 45-50 ms -> 15-22 ms and the progress API about a third faster (bench/FINDINGS.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monthly_return', schema=None) as batch_op:
        batch_op.create_index(
            'ix_monthly_return_site_month_status_job_starts',
            ['site_id', 'month', 'status', 'job_starts'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('monthly_return', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_return_site_month_status_job_starts')
