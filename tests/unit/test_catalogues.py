"""The Dutch and English catalogues are complete: no empty and no fuzzy ``msgstr``.

``make extract`` adds every new msgid with an empty msgstr to both catalogues; a fuzzy entry is
a guess that ``pybabel compile --use-fuzzy`` would ship. Either shows as a word in the wrong
language (or a wrong word) on a page; ``tests/web/test_untranslated.py`` finds the ones a page
looks up, this test the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import breachdesk

TRANSLATIONS = Path(breachdesk.__file__).parent / "translations"


def incomplete(lang: str) -> list[str]:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            found.append(f"empty: {msgid!r}")
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_msgid_has_a_checked_translation(lang: str) -> None:
    problems = incomplete(lang)
    assert problems == [], f"{len(problems)} entries in {lang}/messages.po:\n" + "\n".join(
        problems[:50]
    )
