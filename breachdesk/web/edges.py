"""Input at the edges of the web layer: ids in URLs and redirect targets.

* Every ``<int:...>`` in a route goes through :class:`BoundedIntConverter`, registered in
  place of Werkzeug's ``int`` for the whole app: an id beyond the database's integer range
  does not match the route, so it is a plain 404 instead of an ``OverflowError`` (SQLite)
  or a ``DataError`` (PostgreSQL) from the database.
* A number in a query string (``?page=``, ``?person=``) is read by :func:`whole_number`,
  bounded the same way.
* A ``next`` parameter is only ever followed when :func:`local_path` accepts it.
* NUL characters are dropped from every form field and query parameter
  (:class:`EdgeRequest`), and a path holding one is a 404: PostgreSQL cannot store NUL in
  text (a DataError, so a 500), and no person types one; it arrives with a paste from a
  binary file, or from a probe.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map

#: The largest id any of our databases can hold: the ids are INTEGER columns, 32-bit on
#: PostgreSQL (SQLite's INTEGER is 64-bit, so this bound fits both).
DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with ``max`` defaulting to :data:`DB_INT_MAX`."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        if self.max is None or self.max > DB_INT_MAX:
            self.max = DB_INT_MAX


#: The highest page number a list is asked for: its offset (page × rows per page) must fit
#: the database's integer too (PostgreSQL's is 32 bits: page 2**31 of 50 rows does not).
MAX_PAGE = 100_000


def whole_number(value: str | None, default: int, largest: int = DB_INT_MAX) -> int:
    """A number in a query string (a page, an id): ``default`` when absent or not a positive
    whole number, and at most ``largest`` (a hand-made ?page=99999999999999999999 went to the
    database as it was, and the page failed)."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or int(text[:12]) < 1:
        return default
    return min(int(text[:12]), largest) if len(text) <= 12 else largest


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict[str, Any]):
    """Form fields and query parameters as parsed, with NUL characters dropped."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None or isinstance(mapping, dict | MultiDict):
            super().__init__(mapping)  # a copy of parameters that are clean already
            return
        pairs: Iterable[tuple[Any, Any]] = mapping
        super().__init__((_without_nul(key), _without_nul(value)) for key, value in pairs)


class EdgeRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def install_edges(app: Flask) -> None:
    """Bounded ``int`` converter, NUL-free parameters; call before any route is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = EdgeRequest

    @app.before_request
    def no_nul_in_the_path() -> None:
        if "\x00" in request.path:
            abort(404)


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Accepted: it starts with one ``/`` (not ``//``, which browsers read as another host),
    has no scheme or host, no backslash (browsers treat ``/\\`` like ``//``) and no control
    or invisible format characters (CR/LF would split the ``Location`` header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in target):
        return None
    return target


def safe_next(default: str) -> str:
    """The request's ``next`` parameter if :func:`local_path` accepts it, else ``default``."""
    return local_path(request.values.get("next")) or default
