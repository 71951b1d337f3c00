"""Helpers for the fuzz tests: input strategies, a page reader, and a scene of incidents.

A form is described as ``{field name: kind}``; :func:`form_data` turns that into a Hypothesis
strategy of form posts, mixing valid values with the inputs that broke forms before (years
0001 and 9999, 30-digit counts, ``inf`` and ``NaN``, control characters, very long text).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.domain.text import as_typed

#: Inputs in the whole fuzz run; ``make fuzz`` raises it (BREACHDESK_FUZZ_EXAMPLES=10000).
TOTAL = int(os.environ.get("BREACHDESK_FUZZ_EXAMPLES", "1000"))
RUN: Counter[str] = Counter()  # examples run per target, for the report at the end

NASTY = [
    "",
    " ",
    "\r\n",
    "\n\nx\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\u200b",
    "\ufeff",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "%(name)s %s %d",
    "../../etc/passwd",
    "/%0aX",
    "\\\\server\\share",
    "x" * 5000,
    "é" * 300,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "9" * 30,
    "-1",
    "0",
    "1e999",
    "NaN",
    "inf",
    "-inf",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "null",
    "true",
]
DATES = [
    "2026-11-19T09:30",
    "2026-11-18T16:45",
    "2026-11-15T10:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1969-12-31T23:59",
    "1970-01-01T00:00",
    "2100-12-31T23:59",
    "2101-01-01T00:00",
    "2026-03-29T02:30",  # does not exist in Amsterdam
    "2026-10-25T02:30",  # happens twice
    "2026-02-30T10:00",
    "2026-11-19",
    "2026-11-19T09:30:00",
    "2026-11-19 09:30",
    "+2026-11-19T09:30",
]
INTEGERS = ["1", "37", "1000000000", "1000000001", "9" * 20, "9" * 30, "9" * 5000, "1_000",
            " 7 ", "0x10", "1e3", "-0", "١٢", "2147483648", str(2**63), str(-(2**63) - 1),
            ]  # fmt: skip
FLOATS = ["0", "7.5", "100000", "100000.5", "1e999", "-1e999", "inf", "nan", "NaN", "-0.0",
          "1e-320", "1" + "0" * 400, "0x1p3", "1,5"]  # fmt: skip
TEXT_KINDS = {"text", "long", "date", "int", "float", "email"}


def text() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=60), st.sampled_from(NASTY))


def value(kind: str) -> st.SearchStrategy[Any]:
    """A strategy for one field; ``choice:a|b`` and ``multi:a|b`` name the valid options."""
    if kind == "long":
        return st.one_of(st.text(max_size=400), st.sampled_from(NASTY))
    if kind == "date":
        typed = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2110, 12, 31)).map(
            lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}"
        )
        return st.one_of(st.sampled_from(DATES), typed, text())
    if kind == "int":
        number = st.integers(min_value=-(10**25), max_value=10**25).map(str)
        return st.one_of(st.sampled_from(INTEGERS), number, text())
    if kind == "float":
        number = st.floats(allow_nan=True, allow_infinity=True).map(repr)
        return st.one_of(st.sampled_from(FLOATS), number, text())
    if kind == "email":
        return st.one_of(st.emails().map(str), text())
    if kind == "bool":
        return st.sampled_from(["y", "on", "", "false", "\x00"])
    name, _, options = kind.partition(":")
    valid = options.split("|") if options else [""]
    one = st.one_of(st.sampled_from(valid), text())
    if name == "choice":
        return one
    if name == "multi":
        return st.lists(one, max_size=4)
    return text()


def form_data(fields: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """Posts of the form: each field present or absent, valid or not."""
    return st.fixed_dictionaries({}, optional={name: value(kind) for name, kind in fields.items()})


def fuzz(name: str, share: float, strategy: st.SearchStrategy[Any]) -> Callable[..., Any]:
    """Run ``check`` on about ``share`` of :data:`TOTAL` examples, derandomized (fixed seed)."""

    examples = max(5, round(TOTAL * share))

    def decorate(check: Callable[[Any], None]) -> Callable[[], None]:
        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(strategy)
        def run(example: Any) -> None:
            RUN[name] += 1
            check(example)

        def run_and_count() -> None:
            before = RUN[name]
            run()
            assert RUN[name] - before >= examples, f"{name}: only {RUN[name] - before} inputs"

        return run_and_count

    return decorate


class _Fields(HTMLParser):
    """The values a page shows in its text inputs and text areas, by field name."""

    TEXT_INPUTS = {"text", "email", "number", "datetime-local", "date", "tel", "url", "search"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name and (found.get("type") or "text") in self.TEXT_INPUTS:
            self.values.setdefault(name, []).append(found.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._buffer = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            content = "".join(self._buffer)
            for newline in ("\r\n", "\n"):  # HTML drops one newline right after <textarea>
                if content.startswith(newline):
                    content = content[len(newline) :]
                    break
            self.values.setdefault(self._textarea, []).append(content)
            self._textarea = None


def shown_values(page: str) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(page)
    parser.close()
    return parser.values


def assert_answer(
    response: Any, data: dict[str, Any], fields: dict[str, str], marker: str | None
) -> None:
    """No 5xx; when the form comes back (200 or 422), with every typed text as typed."""
    status = response.status_code
    assert status < 500, f"{status} for {data!r}"
    if status not in (200, 422) or marker is None:
        return
    page = response.get_data(as_text=True)
    assert marker in page, f"the form is not shown again ({status}) for {data!r}"
    shown = shown_values(page)
    for name in typed_texts(data, fields):
        same = [v for key, values in shown.items() if _same_field(key, name) for v in values]
        typed = data[name].replace("\x00", "")  # NUL characters are dropped at the edge
        if fields[name] in ("text", "long", "email"):  # nothing visible: nothing typed
            typed = as_typed(typed, one_line=fields[name] != "long")
        if same:
            assert typed in same, f"{name}: {typed!r} not kept, {same!r}"


def _same_field(shown: str, sent: str) -> bool:
    """Rows of a list (``processors-3-name``) are numbered from 0 again when shown."""
    if shown == sent:
        return True
    a, b = re.fullmatch(r"(\w+)-\d+-(\w+)", shown), re.fullmatch(r"(\w+)-\d+-(\w+)", sent)
    return a is not None and b is not None and a.groups() == b.groups()


def typed_texts(data: dict[str, Any], fields: dict[str, str]) -> Iterable[str]:
    return (n for n, v in data.items() if isinstance(v, str) and fields.get(n) in TEXT_KINDS)
