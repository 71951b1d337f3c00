"""Webhook endpoints per organisation (issue 16); a webhook call is a delivery row that names
its endpoint.

Revision ID: c4a9e2f71b36
Revises: d4850997e4bb
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import breachdesk.types  # noqa: F401 - custom column types


# revision identifiers, used by Alembic.
revision = 'c4a9e2f71b36'
down_revision = 'd4850997e4bb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('secret_sealed', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', breachdesk.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', breachdesk.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('secret_rotated_at', breachdesk.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', breachdesk.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_webhook_endpoint_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoint_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('endpoint_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_delivery_endpoint', ['endpoint_id', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_delivery_endpoint_id_webhook_endpoint'), 'webhook_endpoint', ['endpoint_id'], ['id'])


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_delivery_endpoint_id_webhook_endpoint'), type_='foreignkey')
        batch_op.drop_index('ix_delivery_endpoint')
        batch_op.drop_column('endpoint_id')

    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_organisation_id'))

    op.drop_table('webhook_endpoint')
