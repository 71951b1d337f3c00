"""The application a benchmark measures: a throwaway installation with cheap password hashing
(logins are not what is measured), no embedded scheduler, no login rate limit and no second
factor asked of the benchmark's FG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from breachdesk import create_app


def benchmark_app(folder: Path, url: str, **settings: Any) -> Flask:
    """The app on database ``url`` with its instance folder under ``folder``; ``settings``
    add to or replace the defaults."""
    return create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmark",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
            "RATELIMIT_ENABLED": False,
            "SECOND_FACTOR_ENFORCED": False,
            "SCHEDULER_EMBEDDED": False,
            **settings,
        }
    )
