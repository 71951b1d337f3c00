"""Which evidence files may be attached to a report.

Staff attach screenshots, PDFs, exported e-mails and office documents. The type is decided
from the file name *and* checked against the first bytes, and the content type sent back to
browsers is ours, never the uploader's, so an upload cannot pose as something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from .text import N_

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...] | None  # None: text, checked for NUL bytes instead


ALLOWED: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": FileType("text/plain; charset=utf-8", None),
    ".log": FileType("text/plain; charset=utf-8", None),
    ".csv": FileType("text/csv; charset=utf-8", None),
    ".eml": FileType("message/rfc822", None),
    ".msg": FileType("application/vnd.ms-outlook", _OLE),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}


@dataclass(frozen=True)
class EvidenceProblem:
    message: str
    params: dict[str, str | int]


def allowed_extensions() -> str:
    return ", ".join(sorted(ALLOWED))


def safe_filename(name: str) -> str:
    """The last path component of ``name`` without control characters, at most 200 chars."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned.strip()[-200:] or "bestand"


def check_evidence(
    filename: str, head: bytes, size: int, max_bytes: int
) -> tuple[FileType | None, EvidenceProblem | None]:
    """Decide whether a file may be attached: its type, or the problem that refuses it.

    ``head`` is the first few kilobytes of the file; ``size`` its full length in bytes.
    """
    suffix = PurePath(filename.lower()).suffix
    kind = ALLOWED.get(suffix)
    if kind is None:
        return None, EvidenceProblem(
            N_("%(name)s: this type of file is not accepted (allowed: %(allowed)s)."),
            {"name": filename, "allowed": allowed_extensions()},
        )
    if size == 0:
        return None, EvidenceProblem(N_("%(name)s is empty."), {"name": filename})
    if size > max_bytes:
        return None, EvidenceProblem(
            N_("%(name)s is larger than %(limit)s MB."),
            {"name": filename, "limit": max_bytes // (1024 * 1024)},
        )
    if kind.magic is None:
        if b"\x00" in head:
            return None, EvidenceProblem(
                N_("%(name)s does not look like a text file."), {"name": filename}
            )
    elif not any(head.startswith(magic) for magic in kind.magic):
        return None, EvidenceProblem(
            N_("%(name)s does not match its extension."), {"name": filename}
        )
    return kind, None


#: A file stored this long after the report was made came later (an answer, a second upload),
#: not with the report itself (whose files are stored in the same request).
WITH_THE_REPORT = timedelta(minutes=2)


def came_with_report(uploaded_at: datetime, reported_at: datetime) -> bool:
    """Whether a file of the reporter came with the report itself rather than later."""
    return uploaded_at <= reported_at + WITH_THE_REPORT
