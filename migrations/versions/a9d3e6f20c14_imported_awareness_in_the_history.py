"""the moment of awareness an imported entry came with is in its awareness history

An entry imported from an earlier register that gave a moment of awareness had it only in
``incident.aware_at``: the incident page's awareness table and the evidence pack's "Triage and
awareness" were empty. The import now records it as the first value of the history
(``awareness_record``, no reason: shown as "from the earlier register"); this adds that row
for the entries imported before, recorded by the one who imported them when they imported
them (the importer of the decision, the time of the import's audit event). The downgrade
removes those rows again.

Revision ID: a9d3e6f20c14
Revises: f5c2b8e41a07
Create Date: 2026-12-06 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9d3e6f20c14'
down_revision = 'f5c2b8e41a07'
branch_labels = None
depends_on = None

#: The entries imported with a moment of awareness and no history of it.
_WITHOUT_HISTORY = (
    "i.imported_from <> '' AND i.aware_at IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM awareness_record a WHERE a.incident_id = i.id)"
)


def upgrade():
    op.execute(
        "INSERT INTO awareness_record (incident_id, aware_at, reason, recorded_by_id,"
        " recorded_at)"
        " SELECT i.id, i.aware_at, '', d.decided_by_id, COALESCE((SELECT min(e.occurred_at)"
        " FROM audit_event e WHERE e.entity_type = 'incident'"
        " AND e.entity_id = CAST(i.id AS VARCHAR(64)) AND e.action = 'incident.imported'),"
        " i.updated_at)"
        " FROM incident i JOIN decision d ON d.incident_id = i.id AND d.version = 1"
        f" WHERE {_WITHOUT_HISTORY}"
    )


def downgrade():
    # The rows this made: the one record, without a reason, of an imported entry.
    op.execute(
        "DELETE FROM awareness_record WHERE reason = '' AND incident_id IN (SELECT i.id FROM"
        " incident i WHERE i.imported_from <> '' AND (SELECT count(*) FROM awareness_record a"
        " WHERE a.incident_id = i.id) = 1)"
    )
