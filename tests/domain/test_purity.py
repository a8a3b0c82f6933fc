"""The domain core stays pure: no I/O, no clock, no randomness, no adapters, no SQL.

Every module under ``src/crm_returns/domain`` is read as source and checked
with :mod:`ast`, so that a forbidden import or call fails here even when no
test happens to run the line that contains it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "crm_returns" / "domain"
PACKAGE = "crm_returns.domain"

ALLOWED_STDLIB = frozenset(
    {
        "__future__",
        "abc",
        "collections",
        "dataclasses",
        "datetime",
        "decimal",
        "enum",
        "re",
        "string",
        "typing",
        "itertools",
        "functools",
        "math",
        "operator",
        "types",  # MappingProxyType: read-only constant tables
        "calendar",  # month lengths, for retention periods
        "hashlib",  # digests: the operation log's chain, an erased customer's name
        "json",  # the canonical text of a log entry that its digest covers
        "base64",  # a list cursor's opaque text
    }
)
ALLOWED_THIRD_PARTY = frozenset({"attrs", "typing_extensions"})

CLOCK_METHODS = frozenset({"now", "today", "utcnow"})
RANDOM_NAMES = frozenset({"uuid", "random"})


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top in ALLOWED_STDLIB or top in ALLOWED_THIRD_PARTY:
        return True
    return module in (PACKAGE, "crm_returns.errors") or module.startswith(PACKAGE + ".")


def _absolute(node: ast.ImportFrom, module_name: str, is_package: bool) -> str:
    """The absolute module an ``from ... import`` names, resolving relative imports."""
    if node.level == 0:
        return node.module or ""
    parts = module_name.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def forbidden_imports(source: str, module_name: str, *, is_package: bool = False) -> list[str]:
    """Every import in ``source`` that reaches outside the domain's allowed world."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if not _allowed(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, module_name, is_package)
            if module == "crm_returns":
                # ``from crm_returns import x`` runs the package root and names a submodule.
                found += [
                    f"crm_returns.{alias.name}"
                    for alias in node.names
                    if not _allowed(f"crm_returns.{alias.name}")
                ]
            elif not _allowed(module):
                found.append(module)
    return found


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "<expr>"


def forbidden_calls(source: str) -> list[str]:
    """Every read of a clock, draw of randomness, or file opening in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CLOCK_METHODS | {"open"}:
                found.append(f"{_dotted(func)}() at line {node.lineno}")
            elif isinstance(func, ast.Name) and func.id in {"open", "__import__"}:
                found.append(f"{func.id}() at line {node.lineno}")
        if isinstance(node, ast.Attribute) and _dotted(node) == "time.time":
            found.append(f"time.time at line {node.lineno}")
        if isinstance(node, ast.Name) and node.id.startswith(tuple(RANDOM_NAMES)):
            found.append(f"{node.id} at line {node.lineno}")
        if isinstance(node, ast.alias) and node.name.split(".")[0] in RANDOM_NAMES:
            found.append(f"import of {node.name}")
    return found


def _modules() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


def _module_name(path: Path) -> str:
    relative = path.relative_to(DOMAIN).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join([PACKAGE, *parts])


def test_the_domain_sources_are_where_this_test_looks() -> None:
    names = {path.relative_to(DOMAIN).as_posix() for path in _modules()}
    assert {"__init__.py", "money.py", "returns/order.py", "returns/states.py"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(DOMAIN).as_posix())
def test_domain_modules_import_only_the_stdlib_attrs_and_the_domain(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    bad = forbidden_imports(source, _module_name(path), is_package=path.name == "__init__.py")
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(DOMAIN).as_posix())
def test_domain_modules_read_no_clock_draw_no_random_and_open_no_file(path: Path) -> None:
    bad = forbidden_calls(path.read_text(encoding="utf-8"))
    assert bad == [], f"{path.name} uses {bad}"


def test_importing_the_domain_loads_no_database_adapter_or_service() -> None:
    probe = (
        "import json, sys\n"
        "import crm_returns.domain\n"
        "print(json.dumps(sorted(\n"
        "    name for name in sys.modules\n"
        "    if name.split('.')[0] == 'sqlalchemy'\n"
        "    or name.startswith(('crm_returns.adapters', 'crm_returns.service'))\n"
        ")))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter running our own probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


# -- the checks themselves ---------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "import sqlalchemy.orm as orm",
        "import os",
        "from pathlib import Path",
        "import time",
        "from crm_returns.adapters import memory",
        "from crm_returns.service import ReturnsService",
        "from crm_returns import service",
        "from crm_returns import ports",
        "from ..adapters import memory",
        "import attr",
    ],
)
def test_the_import_check_catches_imports_from_outside(source: str) -> None:
    assert forbidden_imports(source, "crm_returns.domain.money") != []


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "from collections.abc import Iterable",
        "import attrs",
        "from typing_extensions import Self",
        "from crm_returns.errors import InvalidInput",
        "from crm_returns import errors",
        "from crm_returns.domain.money import Money",
        "from . import money",
        "from .money import Money",
    ],
)
def test_the_import_check_lets_the_allowed_world_through(source: str) -> None:
    assert forbidden_imports(source, "crm_returns.domain.returns") == []


@pytest.mark.parametrize(
    "source",
    [
        "x = datetime.now(UTC)",
        "x = datetime.datetime.utcnow()",
        "x = date.today()",
        "x = time.time()",
        "x = uuid.uuid4()",
        "x = uuid4()",
        "x = random.random()",
        "x = random()",
        "f = open('ledger.csv')",
        "f = path.open()",
    ],
)
def test_the_call_check_catches_clocks_randomness_and_files(source: str) -> None:
    assert forbidden_calls(source) != []


def test_the_call_check_lets_pure_code_through() -> None:
    source = (
        '"""Draws no random numbers and reads no clock (words in a docstring are fine)."""\n'
        "def later(at, days):\n"
        "    return at + timedelta(days=days)\n"
    )
    assert forbidden_calls(source) == []
