"""The command line is built on the library's public modules, never on its test kit."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[2] / "src" / "crm_returns" / "cli"
TEST_KIT = "crm_returns.testing"


def _imported_modules(source: str) -> set[str]:
    """Every module ``source`` imports, ``from crm_returns import x`` read as ``crm_returns.x``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative, from a module of crm_returns.cli: "." is the package
                package = ("crm_returns", "cli")[: 3 - node.level]
                module = ".".join((*package, module) if module else package)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_test_kit(module: str) -> bool:
    return module == TEST_KIT or module.startswith(TEST_KIT + ".")


def test_no_cli_module_imports_the_test_kit() -> None:
    modules = sorted(CLI.glob("*.py"))
    importing = {
        path.name: sorted(filter(_is_test_kit, _imported_modules(path.read_text("utf-8"))))
        for path in modules
    }

    assert {path.name for path in modules} >= {"__init__.py", "demo.py", "stored.py"}
    assert {name: found for name, found in importing.items() if found} == {}


def test_the_check_sees_every_way_of_importing_the_test_kit() -> None:
    spellings = (
        "import crm_returns.testing",
        "from crm_returns.testing import sample_wiring",
        "from crm_returns import testing",
        "from crm_returns.testing.conformance import StoreContract",
        "def f():\n    from crm_returns.testing import Wiring",
    )
    for source in spellings:
        assert any(map(_is_test_kit, _imported_modules(source))), source
    assert not any(map(_is_test_kit, _imported_modules("from crm_returns import samples")))
    assert "crm_returns.cli.words" in _imported_modules("from .words import WORDS")
    assert "crm_returns.testing" in _imported_modules("from .. import testing")
