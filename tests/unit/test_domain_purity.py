"""The domain package stays framework-free and never reads the system clock.

Checked statically with :mod:`ast`, so the rule holds for every module, including code paths
no other test happens to run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import breachdesk.domain

DOMAIN_DIR = Path(breachdesk.domain.__file__).parent
FORBIDDEN_MODULES = {"flask", "sqlalchemy", "werkzeug", "wtforms", "jsonschema", "yaml"}
CLOCK_ATTRIBUTES = {"now", "utcnow", "today"}
CLOCK_CLASSES = {"datetime", "date"}


def _forbidden(module: str) -> bool:
    root = module.split(".")[0]
    return root in FORBIDDEN_MODULES or root.startswith("flask_")


def forbidden_imports(source: str, filename: str) -> list[str]:
    """ "file:line: module" for every import of a framework or loader module in ``source``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _forbidden(alias.name):
                    found.append(f"{filename}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _forbidden(node.module):
                found.append(f"{filename}:{node.lineno}: from {node.module} import ...")
    return found


def clock_reads(source: str, filename: str) -> list[str]:
    """ "file:line: expression" for every use of datetime/date now/utcnow/today or time.time.

    Follows import aliases (``from datetime import datetime as dt``, ``import datetime as d``,
    ``from time import time``) and flags references as well as calls, so
    ``default_factory=datetime.now`` is caught too.
    """
    tree = ast.parse(source, filename)
    clock_classes: set[str] = set()  # local names bound to datetime.datetime / datetime.date
    datetime_modules: set[str] = set()  # local names bound to the datetime module
    time_modules: set[str] = set()  # local names bound to the time module
    time_functions: set[str] = set()  # local names bound to time.time
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "datetime":
                    datetime_modules.add(alias.asname or alias.name)
                elif alias.name == "time":
                    time_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module == "datetime":
            for alias in node.names:
                if alias.name in CLOCK_CLASSES:
                    clock_classes.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if alias.name in {"time", "time_ns", "monotonic", "perf_counter"}:
                    time_functions.add(alias.asname or alias.name)

    def is_clock_class(expr: ast.expr) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in clock_classes
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr in CLOCK_CLASSES
            and isinstance(expr.value, ast.Name)
            and expr.value.id in datetime_modules
        )

    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in CLOCK_ATTRIBUTES and is_clock_class(node.value):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
            elif (
                node.attr in {"time", "time_ns"}
                and isinstance(node.value, ast.Name)
                and node.value.id in time_modules
            ):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in time_functions:
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def domain_files() -> list[Path]:
    return sorted(DOMAIN_DIR.rglob("*.py"))


def test_domain_package_has_modules() -> None:
    names = {p.relative_to(DOMAIN_DIR).as_posix() for p in domain_files()}
    # Guards against the walk silently finding nothing (wrong folder), subpackages included.
    assert {"report.py", "audit/sealing.py", "timeutil.py", "profile.py"} <= names


def module_id(path: Path) -> str:
    return path.relative_to(DOMAIN_DIR).as_posix()


@pytest.mark.parametrize("path", domain_files(), ids=module_id)
def test_domain_module_imports_no_framework(path: Path) -> None:
    problems = forbidden_imports(path.read_text(encoding="utf-8"), str(path))
    assert not problems, "domain code imports a framework:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", domain_files(), ids=module_id)
def test_domain_module_never_reads_the_clock(path: Path) -> None:
    problems = clock_reads(path.read_text(encoding="utf-8"), str(path))
    assert not problems, "domain code reads the system clock:\n" + "\n".join(problems)


# The checkers themselves must be able to fail, or the tests above prove nothing.


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask import Flask",
        "import flask_login",
        "from flask_sqlalchemy import SQLAlchemy",
        "import sqlalchemy.orm as orm",
        "from sqlalchemy.orm import Session",
        "from werkzeug.utils import secure_filename",
        "import wtforms",
        "import jsonschema",
        "import yaml",
        "def f():\n    import yaml\n",
    ],
)
def test_import_checker_flags_frameworks(source: str) -> None:
    problems = forbidden_imports(source, "x.py")
    assert len(problems) == 1
    assert problems[0].startswith("x.py:")


@pytest.mark.parametrize(
    "source",
    [
        "import json",
        "from .text import N_",
        "from datetime import datetime",
        "import flasky",  # only the real package names count
        "from . import yaml",  # a relative sibling module, not PyYAML
    ],
)
def test_import_checker_allows_other_modules(source: str) -> None:
    assert forbidden_imports(source, "x.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()",
        "from datetime import datetime\nx = datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "from datetime import datetime as dt\nx = dt.now()",
        "import datetime\nx = datetime.datetime.now()",
        "import datetime as d\nx = d.date.today()",
        "import time\nx = time.time()",
        "from time import time\nx = time()",
        "from dataclasses import field\nfrom datetime import datetime\n"
        "y = field(default_factory=datetime.now)",
    ],
)
def test_clock_checker_flags_clock_reads(source: str) -> None:
    problems = clock_reads(source, "x.py")
    assert len(problems) == 1
    assert problems[0].startswith("x.py:2:") or problems[0].startswith("x.py:3:")


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\ndef f(now: datetime) -> datetime:\n    return now",
        "from datetime import UTC, datetime\nx = datetime(2026, 1, 1, tzinfo=UTC)",
        "def f(clock):\n    return clock.now()",
    ],
)
def test_clock_checker_allows_passed_in_time(source: str) -> None:
    assert clock_reads(source, "x.py") == []
