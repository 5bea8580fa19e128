"""the Centre of Excellence network (issue 17): programmes' lead organisations and partners and
each site's role in a programme; mentoring between sites; where people work (a trainer's host)
and the regions trainers cover; scheduled fidelity reviews with their reviewers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:32:02.989465

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mentoring',
    sa.Column('mentor_site_id', sa.Integer(), nullable=False),
    sa.Column('mentee_site_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('mentor_site_id <> mentee_site_id', name=op.f('ck_mentoring_not_itself')),
    sa.ForeignKeyConstraint(['mentee_site_id'], ['site.id'], name=op.f('fk_mentoring_mentee_site_id_site')),
    sa.ForeignKeyConstraint(['mentor_site_id'], ['site.id'], name=op.f('fk_mentoring_mentor_site_id_site')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_mentoring_programme_id_programme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring'))
    )
    with op.batch_alter_table('mentoring', schema=None) as batch_op:
        batch_op.create_index('ix_mentoring_mentee', ['mentee_site_id', 'starts_on'], unique=False)
        batch_op.create_index('ix_mentoring_mentor', ['mentor_site_id', 'starts_on'], unique=False)

    op.create_table('programme_partner',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_programme_partner_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_partner_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_partner')),
    sa.UniqueConstraint('programme_id', 'organisation_id', name=op.f('uq_programme_partner_programme_id_organisation_id'))
    )
    with op.batch_alter_table('programme_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_partner_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('trainer_region',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_trainer_region_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainer_region')),
    sa.UniqueConstraint('user_id', 'region', name=op.f('uq_trainer_region_user_id_region'))
    )
    op.create_table('scheduled_review',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('lead_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('second_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('report_sent_on', sa.Date(), nullable=True),
    sa.Column('action_plan_agreed_on', sa.Date(), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lead_reviewer_id'], ['user_account.id'], name=op.f('fk_scheduled_review_lead_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['fidelity_review.id'], name=op.f('fk_scheduled_review_review_id_fidelity_review'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['second_reviewer_id'], ['user_account.id'], name=op.f('fk_scheduled_review_second_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_scheduled_review_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_review'))
    )
    with op.batch_alter_table('scheduled_review', schema=None) as batch_op:
        batch_op.create_index('ix_scheduled_review_site_date', ['site_id', 'planned_on'], unique=False)

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=12), server_default='new_service', nullable=False))

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_programme_lead_organisation_id_organisation'), 'organisation', ['lead_organisation_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programme_lead_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_column('lead_organisation_id')

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('role')

    with op.batch_alter_table('scheduled_review', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_review_site_date')

    op.drop_table('scheduled_review')
    op.drop_table('trainer_region')
    with op.batch_alter_table('programme_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_partner_organisation_id'))

    op.drop_table('programme_partner')
    with op.batch_alter_table('mentoring', schema=None) as batch_op:
        batch_op.drop_index('ix_mentoring_mentor')
        batch_op.drop_index('ix_mentoring_mentee')

    op.drop_table('mentoring')
