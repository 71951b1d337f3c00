"""a mailing may go only to the people of a list not reached yet by its version

When the FG sends a version of the notice again to a list (a corrected list with a few more
people, say), breachdesk can send it only to the people that version has not reached yet. The
people it goes to are kept as a ``subset`` list, derived from the list in use: this adds
``recipient_import.derived_from_id``.

Revision ID: c4e8a1f7d2b6
Revises: a9d3e6f20c14
Create Date: 2026-12-05 14:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a1f7d2b6'
down_revision = 'a9d3e6f20c14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recipient_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('derived_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_recipient_import_derived_from_id_recipient_import'),
            'recipient_import', ['derived_from_id'], ['id'],
        )


def downgrade():
    with op.batch_alter_table('recipient_import', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_recipient_import_derived_from_id_recipient_import'), type_='foreignkey'
        )
        batch_op.drop_column('derived_from_id')
