"""The history's words for informing the people affected: the duties recorded at closing,
the notice and its versions, the list of people, the mailing, the letters and the public
communication."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString, gettext, ngettext
from flask_babel import lazy_gettext as _l

from .reading import Data, Describe, count_of, data_of, moment_of, text_of

_SUBJECTS: dict[str, LazyString] = {
    "informed": _l("the people affected were informed"),
    "art34_3a": _l("people not informed under Art. 34(3)(a) (data unintelligible)"),
    "art34_3b": _l("people not informed under Art. 34(3)(b) (high risk no longer likely)"),
    "art34_3c": _l(
        "people not informed one by one under Art. 34(3)(c) (a public communication instead)"
    ),
    "other": _l("people not informed, for another reason"),
}
_PUBLIC: dict[str, LazyString] = {
    "published": _l("the public communication was made"),
    "other": _l("no public communication, for another reason"),
}


def people_duties(before: Data, after: Data) -> list[str]:
    parts = []
    for key, words in (("subjects", _SUBJECTS), ("public", _PUBLIC)):
        resolution = data_of(after.get(key))
        outcome = resolution.get("outcome")
        if isinstance(outcome, str) and outcome in words:
            at = moment_of(resolution, "at")
            parts.append(f"{words[outcome]} ({at})" if at else str(words[outcome]))
    return parts


def people_notice(before: Data, after: Data) -> list[str]:
    version = count_of(after, "version")
    languages = {"nl": gettext("in Dutch"), "en": gettext("in English")}
    parts = [gettext("version %(version)d", version=version)] if version else []
    lang = after.get("lang")
    return parts + ([languages[lang]] if isinstance(lang, str) and lang in languages else [])


def recipients(before: Data, after: Data) -> list[str]:
    people, errors = count_of(after, "valid_rows"), count_of(after, "error_rows")
    email, letter = count_of(after, "email_count"), count_of(after, "letter_count")
    parts = [ngettext("%(num)d person", "%(num)d people", people)] if people is not None else []
    if email is not None and letter is not None:
        parts.append(
            gettext("%(email)d by e-mail, %(letter)d by letter", email=email, letter=letter)
        )
    if errors:
        parts.append(ngettext("%(num)d row with errors", "%(num)d rows with errors", errors))
    return parts


def recipients_discarded(before: Data, after: Data) -> list[str]:
    return [gettext("reading the file failed")] if after.get("reason") == "failed" else []


def recipients_purged(before: Data, after: Data) -> list[str]:
    people = count_of(after, "recipients")
    return [ngettext("data of %(num)d person", "data of %(num)d people", people)] if people else []


def mailing_started(before: Data, after: Data) -> list[str]:
    version, emails = count_of(after, "notice_version"), count_of(after, "emails")
    letters = count_of(after, "letters")
    parts = [gettext("version %(version)d of the notice", version=version)] if version else []
    if emails is not None:
        parts.append(ngettext("to %(num)d person by e-mail", "to %(num)d people by e-mail", emails))
    if letters:
        parts.append(ngettext("%(num)d letter to post", "%(num)d letters to post", letters))
    return parts


def _counted(key: str, words: Callable[[int], str]) -> Describe:
    """A description saying how many ``key`` counts (written out by ``words``)."""

    def describe(before: Data, after: Data) -> list[str]:
        count = count_of(after, key)
        return [words(count)] if count is not None else []

    return describe


mailing_paused = _counted(
    "held", lambda n: ngettext("%(num)d message held back", "%(num)d messages held back", n)
)
mailing_resumed = _counted(
    "planned",
    lambda n: ngettext("%(num)d message planned again", "%(num)d messages planned again", n),
)
mailing_cancelled = _counted(
    "cancelled", lambda n: ngettext("%(num)d message not sent", "%(num)d messages not sent", n)
)


def letters_posted(before: Data, after: Data) -> list[str]:
    letters, posted = count_of(after, "letters"), moment_of(after, "posted_at")
    if letters is None:
        return []
    if not posted:
        return [ngettext("%(num)d letter", "%(num)d letters", letters)]
    return [
        ngettext(
            "%(num)d letter, posted on %(moment)s",
            "%(num)d letters, posted on %(moment)s",
            letters,
            moment=posted,
        )
    ]


def public_notice(before: Data, after: Data) -> list[str]:
    published, channel = moment_of(after, "published_at"), text_of(after, "channel")
    if not published:
        return [gettext("not published yet")]
    if channel:
        return [
            gettext("published on %(moment)s via %(channel)s", moment=published, channel=channel)
        ]
    return [gettext("published on %(moment)s", moment=published)]
