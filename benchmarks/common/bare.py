"""The floor for a web request that stores something: a bare Flask route behind the same
gunicorn that receives the same multipart post as the report form and inserts one row.

Served by ``gunicorn common.bare:app`` (from benchmarks/), on ``BENCH_BARE_DATABASE_URL``.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

metadata = MetaData()
rows = Table(
    "bench_bare_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("size", Integer, nullable=False),
)

app = Flask(__name__)
engine = create_engine(os.environ.get("BENCH_BARE_DATABASE_URL", "sqlite://"), pool_pre_ping=True)


@app.post("/bare")
def bare() -> tuple[str, int]:
    upload = request.files.get("evidence")
    size = len(upload.read()) if upload else 0
    with engine.begin() as conn:
        conn.execute(insert(rows).values(title=request.form.get("title", ""), size=size))
    return "", 201
