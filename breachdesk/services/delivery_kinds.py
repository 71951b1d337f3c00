"""Which handler writes each kind of delivery: the table the scheduler hands the engine.

A new kind of message (a notice to the people affected, a webhook call) is a new handler
added here; the engine, its claiming and its guarantee stay as they are.
"""

from __future__ import annotations

from ..domain.delivery import Kind
from . import (
    actions,
    checkpoint_mail,
    controller_notice,
    invitations,
    mailing_delivery,
    notifications,
    password_reset,
    reminders,
    reporter_mail,
    untriaged,
    webhook_events,
)
from .delivery import Handler


def handlers() -> dict[str, Handler]:
    return {
        Kind.REMINDER.value: reminders.prepare,
        Kind.ESCALATION.value: reminders.prepare,
        Kind.NEW_REPORT.value: notifications.prepare,
        Kind.AUDIT_CHECKPOINT.value: checkpoint_mail.prepare,
        Kind.CONTROLLER_NOTICE.value: controller_notice.prepare,
        Kind.PEOPLE_NOTICE.value: mailing_delivery.prepare,
        Kind.ACTION_OVERDUE.value: actions.prepare,
        Kind.UNTRIAGED_REMINDER.value: untriaged.prepare,
        Kind.UNTRIAGED_ESCALATION.value: untriaged.prepare,
        Kind.REPORT_CONFIRMATION.value: reporter_mail.prepare_confirmation,
        Kind.REPORTER_QUESTION.value: reporter_mail.prepare_question,
        Kind.REPORTER_REPLY.value: reporter_mail.prepare_reply,
        Kind.PASSWORD_RESET.value: password_reset.prepare,
        Kind.INVITATION.value: invitations.prepare,
        Kind.WEBHOOK.value: webhook_events.prepare,
    }
