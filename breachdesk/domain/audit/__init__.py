"""The tamper-evident audit trail: the pure rules (no database, no files, no clock).

Every organisation has its own hash chain of audit events, ``org:<id>``; installation-wide
events (user accounts) share the ``global`` chain. Each event's hash covers the previous
event's hash, so editing, removing or reordering an event breaks every link after it.

Who can do what, and what shows it:

* The application only appends, and the database refuses UPDATE and DELETE on events
  (triggers). Someone with database access can switch the triggers off.
* Events are sealed with HMAC-SHA256 under a key kept in a file outside the database
  (:mod:`.sealing`, hash version 2). Without that file nobody can edit, renumber, forge or
  re-link an event, or move it to another organisation, without :mod:`.verify` naming the
  first bad event (:mod:`.problems`). Every column but the database-assigned row id is
  covered; the personal content (who, before, after) through a keyed digest, so that it can
  later be erased without breaking the chain (:mod:`.erasure`).
* Removing the newest events of a chain and setting its head row back, or removing a whole
  chain with its head row (and its organisation), leaves nothing inconsistent inside the
  database. Signed checkpoints kept outside it (:mod:`.checkpoints`) record every chain's
  length and last hash; from the first checkpoint on such removals are named with the missing
  range. An organisation without a chain is found from the ``organisation`` table.
* Someone holding both the database and the HMAC key can rewrite what was written since the
  last checkpoint; the checkpoints sent to the FG by e-mail (:mod:`.checkpoint_text`) are the
  copies they cannot reach.
* The register's own rows are not events: someone with database access could change an
  incident's moment of awareness, decision or filing and leave every event intact.
  Verification therefore also compares each organisation's register with the last values
  its chain recorded (:mod:`.register_trail`) and names every fact, filing or decision that
  differs, and every incident added or removed outside breachdesk. Someone holding the HMAC
  key as well can forge events to match; the checkpoints limit that to the events since the
  last one.
* Version 1 events (written before keyed hashing) carry a plain SHA-256 anyone can recompute.
  Rewriting them is seen at the first version 2 event after them (its keyed hash covers the
  link), but a chain made of version 1 events only can be rewritten undetected until a
  checkpoint records it: write one (``breachdesk audit checkpoint``) right after upgrading.
"""

from .canonical import canonical_json, snapshot, utc_text
from .problems import ChainProblem, Expected, ProblemKind
from .records import GENESIS_HASH, GLOBAL_CHAIN, EventRecord, chain_name, chain_owner
from .sealing import (
    CURRENT_HASH_VERSION,
    HASH_V1,
    HASH_V2,
    AuditKey,
    Keyring,
    NoWritingKey,
    content_digest,
    hash_v1,
    hash_v2,
    key_id_of,
    seal,
)
from .verify import ChainVerifier, coverage_problems, verify_chain

__all__ = [
    "CURRENT_HASH_VERSION",
    "GENESIS_HASH",
    "GLOBAL_CHAIN",
    "HASH_V1",
    "HASH_V2",
    "AuditKey",
    "ChainProblem",
    "ChainVerifier",
    "EventRecord",
    "Expected",
    "Keyring",
    "NoWritingKey",
    "ProblemKind",
    "canonical_json",
    "chain_name",
    "chain_owner",
    "content_digest",
    "coverage_problems",
    "hash_v1",
    "hash_v2",
    "key_id_of",
    "seal",
    "snapshot",
    "utc_text",
    "verify_chain",
]
