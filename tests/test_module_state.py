"""The library keeps no state in its modules: what the adapters cache belongs to a database object.

Two databases in one process must share nothing (a return one of them wrote
is never answered from the other's memory), and nothing is built at import.
Constants are fine when they cannot change: tuples, frozensets, read-only
mappings, statements that hold no compiled text.
"""

from __future__ import annotations

import collections
import importlib
import pkgutil
import threading
from types import ModuleType

import pytest
from sqlalchemy.engine import Dialect

import crm_returns

#: What holds state that changes: containers, caches, per-thread values.
MUTABLE = (dict, list, set, bytearray, collections.deque, threading.local)


#: Left out: Alembic's entry point (it runs the migrations when imported), the
#: CLI (an application: its word tables are constants of the program, not of
#: the library), the test kit, and the domain, whose speed caches are pinned in
#: ``tests/domain`` with the measured gain that keeps them (``_domain_names``
#: only re-exports the domain's names, so it is the domain's to answer for).
SKIPPED = (
    "crm_returns.adapters.sql.migrations.env",
    "crm_returns.cli",
    "crm_returns.testing",
    "crm_returns.domain",
    "crm_returns._domain_names",
    "crm_returns.__main__",
)


def _library_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(crm_returns.__path__, "crm_returns.")
        if not info.name.startswith(SKIPPED)
    ]
    return [importlib.import_module(name) for name in names]


def _changes(value: object) -> bool:
    """Whether ``value`` is, or directly holds, state that can change."""
    if isinstance(value, (*MUTABLE, Dialect)) or hasattr(value, "cache_info"):
        return True  # a dialect caches what it compiles; functools caches have cache_info
    cls = type(value)
    if isinstance(value, type) or not cls.__module__.startswith("crm_returns."):
        return False
    slots = [name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())]
    fields = [getattr(value, name, None) for name in slots]
    fields.extend(getattr(value, "__dict__", {}).values())
    return any(isinstance(field, MUTABLE) for field in fields)


def test_every_library_module_is_found() -> None:
    names = {module.__name__ for module in _library_modules()}
    assert {
        "crm_returns.adapters.memory",
        "crm_returns.adapters.sql.codec",
        "crm_returns.adapters.sql.statements",
        "crm_returns.adapters.sql.return_statements",
        "crm_returns.approval_config._document",
        "crm_returns.bootstrap",
        "crm_returns.labels",
        "crm_returns.service.template",
    } <= names


@pytest.mark.parametrize("module", _library_modules(), ids=lambda module: module.__name__)
def test_no_library_module_keeps_state_that_changes(module: ModuleType) -> None:
    found = sorted(
        name
        for name, value in vars(module).items()
        if not (name.startswith("__") and name.endswith("__")) and _changes(value)
    )
    assert found == [], f"{module.__name__} keeps state in its module: {found}"
