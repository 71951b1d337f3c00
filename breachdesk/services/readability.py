"""Readability of a notice's text, with syllables counted by hyphenation dictionaries.

The domain (:mod:`breachdesk.domain.notices.readability`) does the checks; this module only
supplies the syllable counter it needs:

* Dutch: a ``textstat`` statistics object of its own, set to ``nl_NL`` once. textstat's
  module-level functions share one global language, so switching it per call would race
  between threads; a per-language instance never changes after it is made.
* English: ``pyphen``'s ``en_US`` dictionary (the counter textstat itself falls back to).
  textstat's English counter looks words up in NLTK's CMU dictionary first and, when that
  corpus is not installed, *downloads* it — a network call in the middle of a request.

Counts are approximate (hyphenation points, not phonetics), which is fine for a score that is
a guide for the writer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from ..domain.notices.readability import Readability, readability


@cache
def syllable_counter(lang: str) -> Callable[[str], int]:
    """The syllable counter for ``lang`` ("nl" or "en"); made once per language.

    Raises:
        ValueError: another language.
    """
    if lang == "nl":
        from textstat.textstat import textstatistics

        stats: Any = textstatistics()
        stats.set_lang("nl_NL")

        def dutch(word: str) -> int:
            return int(stats.syllable_count(word))

        return dutch
    if lang == "en":
        import pyphen

        dictionary: Any = pyphen.Pyphen(lang="en_US")

        def english(word: str) -> int:
            return len(dictionary.positions(word.lower())) + 1

        return english
    raise ValueError(f"unsupported language {lang!r}")


def check(text: str, lang: str) -> Readability:
    """Long sentences, jargon and the Flesch(-Douma) score of ``text`` in ``lang``.

    Raises:
        ValueError: ``lang`` is neither "nl" nor "en".
    """
    return readability(text, lang, syllable_counter(lang))
