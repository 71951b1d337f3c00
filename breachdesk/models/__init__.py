"""Database models (SQLAlchemy 2.0, typed). Every timestamp is a :class:`UTCDateTime`.

Services are the only code that changes these rows, and every change they make writes an
:class:`AuditEvent`. Audit events are append-only: the database refuses UPDATE and DELETE on
them (triggers installed by the migration and by ``create_all``).
"""

from __future__ import annotations

from .accounts import Membership, Organisation, User
from .actions import RemedialAction
from .api import ApiToken, IdempotencyKey
from .audit import (
    APPEND_ONLY_POSTGRESQL,
    APPEND_ONLY_POSTGRESQL_V1,
    APPEND_ONLY_SQLITE,
    APPEND_ONLY_SQLITE_V1,
    AuditChainHead,
    AuditEvent,
)
from .clock import FilingExchange, Notification
from .delivery import Delivery, SchedulerLease
from .evidence import Attachment, PendingUpload
from .incident import AwarenessRecord, Decision, Incident, ReferenceCounter
from .incident_search import is_search_object
from .invitations import Invitation
from .notices import AnswerSheet
from .people import Mailing, PeopleNotice, PublicNotice, Recipient, RecipientImport
from .reporting import IncidentMessage, ReportingLink
from .second_factor import RecoveryCode
from .sessions import PasswordReset, UserSession
from .throttle import ThrottleCounter
from .webhooks import WebhookEndpoint

__all__ = [
    "AnswerSheet",
    "ApiToken",
    "APPEND_ONLY_POSTGRESQL",
    "APPEND_ONLY_POSTGRESQL_V1",
    "APPEND_ONLY_SQLITE",
    "APPEND_ONLY_SQLITE_V1",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "AwarenessRecord",
    "Decision",
    "Delivery",
    "FilingExchange",
    "IdempotencyKey",
    "Incident",
    "IncidentMessage",
    "Invitation",
    "Mailing",
    "Membership",
    "Notification",
    "Organisation",
    "PasswordReset",
    "PendingUpload",
    "PeopleNotice",
    "PublicNotice",
    "Recipient",
    "RecipientImport",
    "RecoveryCode",
    "ReferenceCounter",
    "ReportingLink",
    "RemedialAction",
    "is_search_object",
    "SchedulerLease",
    "ThrottleCounter",
    "User",
    "UserSession",
    "WebhookEndpoint",
]
