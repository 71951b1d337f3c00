"""Behind a reverse proxy: X-Forwarded-* is believed only when BREACHDESK_PROXY_FIX_X_* say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, request

from breachdesk.extensions import db

from ..conftest import make_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def probe(tmp_path: Path, **config: int) -> tuple[str, str, str]:
    app: Flask = make_app(tmp_path, **config)

    def seen() -> str:
        return f"{request.remote_addr} {request.scheme} {request.url_root}"

    app.add_url_rule("/_probe", "probe", seen)
    with app.app_context():
        db.create_all()
        try:
            response = app.test_client().get(
                "/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
            )
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    assert response.status_code == 200
    addr, scheme, root = response.get_data(as_text=True).split()
    return addr, scheme, root


def test_forwarded_headers_are_ignored_by_default(tmp_path: Path) -> None:
    # A client talking to breachdesk directly must not choose its own address.
    assert probe(tmp_path) == ("127.0.0.1", "http", "http://localhost/")


def test_forwarded_headers_are_used_when_configured(tmp_path: Path) -> None:
    addr, scheme, root = probe(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    assert (addr, scheme, root) == ("203.0.113.7", "https", "https://localhost/")


def test_only_the_configured_headers_are_trusted(tmp_path: Path) -> None:
    assert probe(tmp_path, PROXY_FIX_X_FOR=1) == ("203.0.113.7", "http", "http://localhost/")


def test_the_environment_switches_it_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHDESK_PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("BREACHDESK_PROXY_FIX_X_PROTO", "1")
    assert probe(tmp_path)[:2] == ("203.0.113.7", "https")
