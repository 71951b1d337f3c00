"""Which evidence files may be attached, safe display names, and incident references."""

from __future__ import annotations

import pytest

from breachdesk.domain.evidence import ALLOWED, check_evidence, safe_filename
from breachdesk.domain.references import REFERENCE_RE, format_reference

MB = 1024 * 1024
MAX = 10 * MB

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20
TEXT = b"Tijdstip: 19-11-2026 10:00\nMail verstuurd naar verkeerde ontvanger.\n"


@pytest.mark.parametrize(
    ("filename", "head", "content_type"),
    [
        pytest.param("screenshot.png", PNG, "image/png", id="png"),
        pytest.param("SCHERMAFDRUK.PNG", PNG, "image/png", id="png-upper-case"),
        pytest.param("brief.pdf", PDF, "application/pdf", id="pdf"),
        pytest.param(
            "verslag.docx",
            ZIP,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            id="docx",
        ),
        pytest.param("notitie.txt", TEXT, "text/plain; charset=utf-8", id="txt"),
        pytest.param("foto.jpeg", JPEG, "image/jpeg", id="jpeg"),
        pytest.param("mail.msg", OLE, "application/vnd.ms-outlook", id="msg"),
        pytest.param("export.csv", b"naam;email\n", "text/csv; charset=utf-8", id="csv"),
    ],
)
def test_accepted_files(filename: str, head: bytes, content_type: str) -> None:
    kind, problem = check_evidence(filename, head, len(head), MAX)
    assert problem is None
    assert kind is not None
    assert kind.content_type == content_type


def test_file_of_exactly_the_maximum_size_is_accepted() -> None:
    kind, problem = check_evidence("groot.pdf", PDF, MAX, MAX)
    assert problem is None
    assert kind is ALLOWED[".pdf"]


@pytest.mark.parametrize(
    ("filename", "head", "size", "message", "extra_params"),
    [
        pytest.param(
            "setup.exe",
            b"MZ\x90\x00",
            4,
            "not accepted",
            {"allowed": ", ".join(sorted(ALLOWED))},
            id="exe",
        ),
        pytest.param("factuur.pdf.exe", PDF, len(PDF), "not accepted", None, id="double-extension"),
        pytest.param("README", TEXT, len(TEXT), "not accepted", None, id="no-extension"),
        pytest.param("page.html", b"<html>", 6, "not accepted", None, id="html"),
        pytest.param("leeg.pdf", b"", 0, "is empty", None, id="empty"),
        pytest.param("groot.pdf", PDF, MAX + 1, "larger than", {"limit": 10}, id="over-max"),
        pytest.param("foto.png", PDF, len(PDF), "does not match", None, id="png-with-pdf-bytes"),
        pytest.param("brief.pdf", PNG, len(PNG), "does not match", None, id="pdf-with-png-bytes"),
        pytest.param("verslag.docx", PDF, len(PDF), "does not match", None, id="docx-not-zip"),
        pytest.param(
            "notitie.txt",
            b"MZ\x90\x00\x03\x00\x00\x00",
            8,
            "does not look like a text file",
            None,
            id="txt-with-nul",
        ),
    ],
)
def test_refused_files(
    filename: str,
    head: bytes,
    size: int,
    message: str,
    extra_params: dict[str, str | int] | None,
) -> None:
    kind, problem = check_evidence(filename, head, size, MAX)
    assert kind is None
    assert problem is not None
    assert message in problem.message
    assert problem.params["name"] == filename
    assert "%(name)s" in problem.message
    for key, value in (extra_params or {}).items():
        assert problem.params[key] == value
    # The template and its params fill in without error, naming the file.
    assert filename in problem.message % problem.params


def test_size_is_checked_before_content() -> None:
    # An oversized file is refused for its size even if its first bytes are wrong.
    _, problem = check_evidence("foto.png", PDF, MAX + 1, MAX)
    assert problem is not None
    assert "larger than" in problem.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("../../etc/passwd", "passwd", id="posix-traversal"),
        pytest.param("C:\\Users\\x\\a.pdf", "a.pdf", id="windows-path"),
        pytest.param("/home/anna/Documenten/rapport.pdf", "rapport.pdf", id="absolute"),
        pytest.param("..\\..\\boot.ini", "boot.ini", id="windows-traversal"),
        pytest.param("brief\x00.pdf", "brief.pdf", id="nul"),
        pytest.param("a\r\nContent-Type: x.txt", "aContent-Type x.txt", id="crlf-and-colon"),
        pytest.param("tab\there.txt", "tabhere.txt", id="tab"),
        pytest.param("factuur\u202efdp.exe", "factuurfdp.exe", id="right-to-left-override"),
        pytest.param('"quoted"<x>|y*?.pdf', "quotedxy.pdf", id="reserved-characters"),
        pytest.param("  spaties.pdf  ", "spaties.pdf", id="outer-spaces"),
        pytest.param("Überzicht café.docx", "Überzicht café.docx", id="unicode-kept"),
    ],
)
def test_safe_filename(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "/", "../", "\x00\x01\x02", "C:\\", "dir/\x07", "<>|"],
    ids=["empty", "spaces", "slash", "dotdot-slash", "control", "drive", "bell", "reserved"],
)
def test_safe_filename_is_never_empty(raw: str) -> None:
    result = safe_filename(raw)
    assert result
    assert "/" not in result and "\\" not in result
    assert all(ch.isprintable() for ch in result)


def test_safe_filename_keeps_the_extension_of_long_names() -> None:
    result = safe_filename("x" * 500 + ".pdf")
    assert len(result) == 200
    assert result.endswith(".pdf")


@pytest.mark.parametrize(
    ("prefix", "year", "seq", "expected"),
    [
        ("BD", 2026, 7, "BD-2026-0007"),
        ("BD", 2026, 1, "BD-2026-0001"),
        ("BD", 2026, 9999, "BD-2026-9999"),
        ("BD", 2026, 12345, "BD-2026-12345"),
        ("LEIZ", 2027, 42, "LEIZ-2027-0042"),
    ],
)
def test_format_reference(prefix: str, year: int, seq: int, expected: str) -> None:
    reference = format_reference(prefix, year, seq)
    assert reference == expected
    match = REFERENCE_RE.match(reference)
    assert match is not None
    assert int(match["seq"]) == seq
    assert int(match["year"]) == year


@pytest.mark.parametrize("seq", [0, -1])
def test_format_reference_refuses_sequence_below_one(seq: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_reference("BD", 2026, seq)
