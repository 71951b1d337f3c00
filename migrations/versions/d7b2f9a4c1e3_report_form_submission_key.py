"""a report form sent twice makes one report

The report form carries a random key of its own; the report it makes keeps it, so the same
form sent again (the back button and send, a reload after sending) finds that report instead
of making a second incident with its own reminders. This adds ``incident.submission_key``
(unique; empty for reports made before, through the API or imported).

On SQLite, adding the unique constraint recreates the incident table, which drops the
register's search triggers; they are made again after it, both ways (this was missed at
first: e2a9c5d7f314 repairs the databases upgraded before).

Revision ID: d7b2f9a4c1e3
Revises: c4e8a1f7d2b6
Create Date: 2026-12-05 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from breachdesk.models.incident_search import SEARCHED_V2, sqlite_create


# revision identifiers, used by Alembic.
revision = 'd7b2f9a4c1e3'
down_revision = 'c4e8a1f7d2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_incident_submission_key'), ['submission_key']
        )
    _search_triggers()


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_incident_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')
    _search_triggers()


def _search_triggers():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in sqlite_create(SEARCHED_V2):
            if statement.lstrip().startswith('CREATE TRIGGER'):
                op.execute(statement)
