"""Forms of the incident page around the report: the conversation with the reporter (a
question, an answer), discarding a non-report, and the FG's own evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..services.conversation import MAX_MESSAGE_CHARS
from .fields import PageForm


class ReplyForm(PageForm):
    """The reporter's answer or addition (follow-up link, or their account)."""

    body = TextAreaField(
        _l("Your answer or new information"),
        validators=[Optional(), Length(max=MAX_MESSAGE_CHARS)],
        description=_l("For example: the recipient confirmed deleting the e-mail."),
    )
    evidence = MultipleFileField(_l("Files (optional)"))


class QuestionForm(PageForm):
    """The FG's question to the reporter."""

    body = TextAreaField(
        _l("Question to the reporter"),
        validators=[
            DataRequired(_l("Write your question.")),
            Length(max=MAX_MESSAGE_CHARS),
        ],
    )


class DiscardForm(PageForm):
    """Discard a report that is none (spam, a test), or bring it back."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write down the reason.")), Length(max=2000)],
        description=_l("For example: advertising sent through the reporting link."),
    )


class EvidenceForm(PageForm):
    note = StringField(
        _l("What is it?"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example: the AP's receipt, or the recipient's written deletion."),
    )
    evidence = MultipleFileField(_l("Files"))
