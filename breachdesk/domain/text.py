"""Marking user-facing messages for translation without importing a translation framework.

Domain code returns English message templates wrapped in :func:`N_`; the web layer looks them
up in the active catalogue (``gettext(message) % params``). ``N_`` is listed as an extraction
keyword in ``babel.cfg`` so the messages land in the catalogues.
"""


def N_(message: str) -> str:  # noqa: N802 - conventional name for "mark, do not translate yet"
    """Return ``message`` unchanged; marks it for extraction into the translation catalogue."""
    return message
