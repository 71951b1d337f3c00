"""How easy a notice is to read: long sentences, jargon and the Flesch(-Douma) score.

Art. 34(2) GDPR asks for "clear and plain language"; for Dutch readers that means B1. Three
checks help the FG write it:

* :func:`long_sentences` — sentences of more than 20 words;
* :func:`jargon_in` — words from a versioned table (:data:`JARGON`) that a B1 reader stumbles
  on, each with a plain alternative; a term that only needs explaining once (AVG, phishing)
  is not reported when the text also holds its explanation;
* :func:`readability` — the Flesch–Douma score for Dutch (206.84 − 0.93 × words per sentence
  − 77 × syllables per word) or classic Flesch for English (206.835 − 1.015 × ASL − 84.6 ×
  ASW), with its :func:`band`. Aim for 60 or more.

Counting syllables needs a hyphenation dictionary, so it is not done here: the caller passes
``count_syllables`` (see :mod:`breachdesk.services.readability`). Sentences are split at
. ! ? (not after common abbreviations or initials) and at every line break, since a heading or
a list item is a unit of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

JARGON_VERSION = "jargon-2026-12"
#: The score to aim for (Flesch–Douma 60 ≈ plain language a B1 reader follows).
TARGET = 60.0
LONG_SENTENCE = 20


@dataclass(frozen=True)
class JargonEntry:
    """A word a B1 reader stumbles on, and what to write instead.

    ``pattern`` is a regular expression matched case-insensitively; when ``explained_if``
    (also a pattern) occurs in the same text, the term counts as explained and is not reported.
    """

    term: str
    plain: str
    pattern: str
    explained_if: str = ""


def _e(term: str, plain: str, pattern: str = "", explained_if: str = "") -> JargonEntry:
    return JargonEntry(term, plain, pattern or rf"\b{re.escape(term)}\b", explained_if)


JARGON_NL: tuple[JargonEntry, ...] = (
    _e("bijzondere persoonsgegevens", "gevoelige gegevens, zoals over uw gezondheid"),
    _e("persoonsgegevens", "gegevens over u", r"(?<!autoriteit )\bpersoonsgegevens\b"),
    _e("verwerkingsverantwoordelijke", "wij / de organisatie", r"verwerkingsverantwoordelijke"),
    _e("verwerker", "een bedrijf dat voor ons werkt", r"\bverwerkers?\b"),
    _e("verwerken", "gebruiken", r"\bverwerk(en|ing|t|te|ten)\b"),
    _e("betrokkene(n)", "u", r"\bbetrokkenen?\b"),
    _e("inbreuk", "lek", r"\binbreuk"),
    _e(
        "AVG",
        "leg één keer uit: de privacywet (AVG)",
        r"(?-i:\bU?AVG\b)",
        r"privacywet|algemene verordening gegevensbescherming",
    ),
    _e("onbevoegde derde", "iemand die dat niet mocht", r"\bonbevoegde? derden?\b"),
    _e("onbevoegd", "zonder toestemming", r"\bonbevoegd(e|en)?\b(?! derde)"),
    _e("derden", "anderen", r"(?<!onbevoegde )(?<!onbevoegd )\bderden\b"),
    _e("mitigeren", "beperken", r"\bmitiger"),
    _e("exfiltratie", "het stelen of kopiëren van gegevens", r"exfiltr"),
    _e(
        "ransomware",
        "leg uit: gijzelsoftware, die bestanden op slot zet",
        explained_if=r"gijzelsoftware|op slot",
    ),
    _e(
        "phishing",
        "leg uit: nepberichten die u willen misleiden",
        explained_if=r"\bnep-?(bericht|e-?mail|mail)",
    ),
    _e("malware", "schadelijke software"),
    _e(
        "functionaris gegevensbescherming",
        "leg één keer uit: de persoon die erop let dat wij zorgvuldig met gegevens omgaan",
        explained_if=r"let erop|toeziet|houdt toezicht",
    ),
    _e(
        "identiteitsfraude",
        "leg uit: iemand doet alsof hij of zij u is",
        explained_if=r"\bdo(en|et) alsof\b|voordoe",
    ),
    _e("versleuteld", "beveiligd met een geheime code", r"\b(versleutel|encrypt)\w*"),
    _e("onverwijld", "meteen"),
    _e("adequaat", "goed", r"\badequa(a)?te?\b"),
    _e("maatregelen treffen", "iets doen", r"\bmaatregel\w* (te )?(treffen|getroffen)"),
    _e("ten behoeve van", "voor"),
    _e("teneinde", "om"),
    _e("inzake", "over"),
    _e("middels", "met"),
    _e("derhalve", "daarom"),
    _e("tevens", "ook"),
    _e("reeds", "al"),
    _e("toezichthoudende autoriteit", "de Autoriteit Persoonsgegevens"),
    _e("server", "computer waarop gegevens staan", r"\bservers?\b"),
)

JARGON_EN: tuple[JargonEntry, ...] = (
    _e(
        "special categories of personal data",
        "sensitive information, such as about your health",
        r"\bspecial categor(y|ies)( of (personal )?data)?\b",
    ),
    _e("personal data", "information about you"),
    _e("data subject", "you", r"\bdata subjects?\b"),
    _e("controller", "we / the organisation", r"\bcontrollers?\b"),
    _e("processor", "a company that works for us", r"\bprocessors?\b"),
    _e("processing", "use", r"\bprocess(ing|ed|es)\b"),
    _e("third party", "others", r"\bthird[- ]part(y|ies)\b"),
    _e("unauthorised", "without permission", r"\bunauthori[sz]ed\b"),
    _e("mitigate", "limit", r"\bmitigat"),
    _e("exfiltration", "copying or theft of data", r"exfiltrat"),
    _e(
        "ransomware",
        "explain: blackmail software that locks files",
        explained_if=r"blackmail|locks? (your |the )?files",
    ),
    _e("phishing", "explain: fake messages that try to trick you", explained_if=r"\bfake\b"),
    _e("malware", "harmful software"),
    _e(
        "GDPR",
        "explain once: the EU privacy law (GDPR)",
        r"(?-i:\bGDPR\b)",
        r"privacy law|general data protection regulation",
    ),
    _e(
        "data protection officer",
        "explain once: the person who makes sure we handle data with care",
        explained_if=r"makes sure|oversees",
    ),
    _e(
        "identity fraud",
        "explain: someone pretends to be you",
        r"\bidentity (fraud|theft)\b",
        r"pretends? to be you",
    ),
    _e("encrypted", "protected with a secret code", r"\b(encrypt|decrypt)\w*"),
    _e("without undue delay", "straight away"),
    _e("supervisory authority", "the Dutch Data Protection Authority (AP)"),
    _e("pursuant to", "under"),
    _e("in accordance with", "under / following"),
    _e("hereby", "(leave it out)"),
    _e("notwithstanding", "despite"),
    _e("compromised", "exposed / seen by others"),
    _e("server", "computer that holds data", r"\bservers?\b"),
)

#: The jargon tables by language.
JARGON = {"nl": JARGON_NL, "en": JARGON_EN}


def jargon_in(text: str, lang: str) -> list[JargonEntry]:
    """The entries of the ``lang`` table that occur in ``text`` and are not explained there,
    each once, in the table's order."""
    found = []
    for entry in JARGON[lang]:
        if not re.search(entry.pattern, text, re.IGNORECASE):
            continue
        if entry.explained_if and re.search(entry.explained_if, text, re.IGNORECASE):
            continue
        found.append(entry)
    return found


# --- sentences and words -----------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "bijv bv o.a d.w.z art nr ca e.g i.e etc mr dhr mevr drs dr ir ing z.s.m t.a.v m.b.t n.a.v "
    "incl excl resp vs jl zgn i.p.v a.u.b s.v.p tel no".split()
)
_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:[-'’][^\W_]+)*")


@dataclass(frozen=True)
class Sentence:
    text: str
    words: int


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: split after . ! ? … and at line breaks; empty ones dropped."""
    out: list[str] = []
    for line in text.splitlines():
        current: list[str] = []
        for token in line.split():
            current.append(token)
            if _END.search(token) and not _abbreviation(token):
                out.append(" ".join(current))
                current = []
        if current:
            out.append(" ".join(current))
    return [s for s in out if words(s)]


def _abbreviation(token: str) -> bool:
    """ "bijv." or an initial ("J.") does not end a sentence."""
    if not token.endswith("."):
        return False
    bare = token.rstrip(".").lstrip("(\"'“‘").lower()
    return bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha())


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters (with inner hyphens and apostrophes, so
    "e-mailadres" is one word) and numbers ("3.200", "11.00")."""
    return _WORD.findall(text)


def long_sentences(text: str, limit: int = LONG_SENTENCE) -> list[Sentence]:
    """The sentences of ``text`` with more than ``limit`` words, in order."""
    out = []
    for sentence in sentences(text):
        count = len(words(sentence))
        if count > limit:
            out.append(Sentence(sentence, count))
    return out


# --- the score ---------------------------------------------------------------------------------


def flesch_douma(words: int, sentences: int, syllables: int) -> float:
    """Flesch–Douma reading ease for Dutch: 206.84 − 0.93 × ASL − 77 × ASW.

    Raises:
        ZeroDivisionError: ``words`` or ``sentences`` is 0.
    """
    return 206.84 - 0.93 * (words / sentences) - 77 * (syllables / words)


def flesch(words: int, sentences: int, syllables: int) -> float:
    """Flesch reading ease for English: 206.835 − 1.015 × ASL − 84.6 × ASW.

    Raises:
        ZeroDivisionError: ``words`` or ``sentences`` is 0.
    """
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


@dataclass(frozen=True)
class Band:
    """Where a score falls: ``key`` (e.g. "fairly_difficult"), a label in the text's language,
    whether it meets :data:`TARGET`, and the aim in words."""

    key: str
    label: str
    on_target: bool
    target: str


#: (lowest score of the band, key, Dutch label, English label), from easy to very difficult.
_BANDS = (
    (80.0, "easy", "makkelijk", "easy"),
    (70.0, "fairly_easy", "vrij makkelijk", "fairly easy"),
    (60.0, "standard", "redelijk", "standard"),
    (50.0, "fairly_difficult", "vrij moeilijk", "fairly difficult"),
    (30.0, "difficult", "moeilijk", "difficult"),
    (float("-inf"), "very_difficult", "zeer moeilijk", "very difficult"),
)
_TARGET_WORDS = {
    "nl": "Streef naar 60 of meer: dan is de tekst goed te lezen op taalniveau B1.",
    "en": "Aim for 60 or more: then the text reads well at language level B1.",
}


def band(score: float, lang: str) -> Band:
    """The band of a Flesch(-Douma) ``score``, labelled in ``lang`` ("nl" or "en")."""
    low, key, nl, en = next(b for b in _BANDS if score >= b[0])
    return Band(key, nl if lang == "nl" else en, score >= TARGET, _TARGET_WORDS[lang])


@dataclass(frozen=True)
class Readability:
    """The checks on one text; ``score`` and ``band`` are None when it has no words."""

    score: float | None
    band: Band | None
    sentences: int
    words: int
    long_sentences: tuple[Sentence, ...]
    jargon: tuple[JargonEntry, ...]


def readability(text: str, lang: str, count_syllables: Callable[[str], int]) -> Readability:
    """Every check on ``text`` in ``lang`` ("nl": Flesch–Douma, "en": Flesch).

    ``count_syllables`` counts the syllables of one word; each word counts at least one.

    Raises:
        ValueError: ``lang`` is neither "nl" nor "en".
    """
    if lang not in JARGON:
        raise ValueError(f"unsupported language {lang!r}")
    split = sentences(text)
    all_words = [w for s in split for w in words(s)]
    score = None
    if all_words:
        syllables = sum(max(1, count_syllables(w)) for w in all_words)
        formula = flesch_douma if lang == "nl" else flesch
        score = round(formula(len(all_words), len(split), syllables), 1)
    return Readability(
        score=score,
        band=band(score, lang) if score is not None else None,
        sentences=len(split),
        words=len(all_words),
        long_sentences=tuple(long_sentences(text)),
        jargon=tuple(jargon_in(text, lang)),
    )
