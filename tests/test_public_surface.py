"""``import crm_returns as cr`` is enough: the public surface is derived from the signatures.

Every crm_returns type that appears in a public signature of ``ReturnsService``
or of the wiring helpers, and every type reachable from the fields of those
values (what a host builds to pass in), must be importable from ``crm_returns``
itself and listed in ``crm_returns.__all__``.
"""

from __future__ import annotations

import ast
import enum
import gc
import inspect
import types
import typing
from collections.abc import Callable, Iterator

import attrs
import pytest

import crm_returns
from crm_returns import _lazy_names
from crm_returns.domain.events import ReturnEvent


def _hints(target: Callable[..., object] | type) -> dict[str, object]:
    return typing.get_type_hints(target)


def _types_in(hint: object) -> Iterator[type]:
    """Every class named by a type hint, through unions, generics and literals."""
    if isinstance(hint, type) and not typing.get_args(hint):
        yield hint
    origin = typing.get_origin(hint)
    if isinstance(origin, type):
        yield origin
    if origin is typing.Literal:
        return
    for arg in typing.get_args(hint):
        if arg is not Ellipsis:
            yield from _types_in(arg)


def _ours(kind: type) -> bool:
    return kind.__module__.split(".")[0] == "crm_returns"


def _entry_points() -> list[Callable[..., object]]:
    service = crm_returns.ReturnsService
    methods = [
        member
        for name, member in inspect.getmembers(service, inspect.isfunction)
        if not name.startswith("_")
    ]
    return [*methods, service.__init__, crm_returns.in_memory_service, crm_returns.sql_service]


def _reachable() -> dict[str, type]:
    """Our types in the entry points' signatures, and in the fields of those types."""
    seen: dict[str, type] = {}
    todo: list[type] = []
    for entry in _entry_points():
        todo.extend(kind for hint in _hints(entry).values() for kind in _types_in(hint))
    while todo:
        kind = todo.pop()
        if not _ours(kind) or kind.__name__ in seen:
            continue
        seen[kind.__name__] = kind
        if attrs.has(kind):
            todo.extend(k for hint in _hints(kind).values() for k in _types_in(hint))
        if getattr(kind, "_is_protocol", False):
            # A port the host implements: what its methods take and give, too.
            for name, method in inspect.getmembers(kind, inspect.isfunction):
                if not name.startswith("_"):
                    todo.extend(k for hint in _hints(method).values() for k in _types_in(hint))
    return seen


def test_the_derivation_finds_the_types_a_host_handles() -> None:
    # Guards the introspection itself: if it found nothing, the next test would pass vacuously.
    found = _reachable()
    names = ("ReturnOrder", "ReturnRequest", "ServiceSettings", "Receipt", "Disposition", "Page")
    for name in names:
        assert name in found


@pytest.mark.parametrize("name", sorted(_reachable()))
def test_every_type_in_a_public_signature_is_exported(name: str) -> None:
    assert name in crm_returns.__all__
    assert getattr(crm_returns, name) is _reachable()[name]


#: Values a host passes to build an input, which no signature names by type.
HOST_VALUES = [
    "ADMIN",
    "DEFAULT_CATALOG",
    "DEFAULT_CHART",
    "DEFAULT_ROLES",
    "DEFAULT_RULES",
    "FeeRule",
    "MemoryOrderSource",
    "MustBeDelivered",
    "MustNotBeRefunded",
    "Permission",
    "ReturnWindow",
    "RoleBasedAccess",
    "TRANSITIONS",
    "spread_order_discount",
    "spread_shipping",
]


@pytest.mark.parametrize("name", HOST_VALUES)
def test_values_a_host_builds_inputs_from_are_exported(name: str) -> None:
    assert name in crm_returns.__all__
    assert getattr(crm_returns, name) is not None


def _event_classes() -> list[type[ReturnEvent]]:
    # attrs replaces each slotted class by a new one; the class it replaced stays
    # among ``__subclasses__()`` until the garbage collector frees it.
    gc.collect()
    found: list[type[ReturnEvent]] = []
    todo = [ReturnEvent]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


@pytest.mark.parametrize("kind", _event_classes(), ids=lambda kind: kind.__name__)
def test_every_event_class_is_exported(kind: type[ReturnEvent]) -> None:
    assert getattr(crm_returns, kind.__name__) is kind
    assert kind.__name__ in crm_returns.__all__


def test_every_exported_name_resolves_and_is_listed_by_dir() -> None:
    listed = set(dir(crm_returns))
    for name in crm_returns.__all__:
        assert name in listed
        value = getattr(crm_returns, name)
        assert value is not None
        if isinstance(value, type) and issubclass(value, enum.Enum):
            assert list(value)  # an enum a host can iterate


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = crm_returns.no_such_thing


def test_all_lists_each_name_once() -> None:
    assert len(crm_returns.__all__) == len(set(crm_returns.__all__))


def test_importing_the_domain_loads_no_service_and_no_adapter() -> None:
    import subprocess
    import sys

    code = (
        "import sys, crm_returns.domain, crm_returns; "
        "print(sorted(m for m in sys.modules if m.startswith(('crm_returns.service', "
        "'crm_returns.adapters', 'crm_returns.bootstrap'))))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_module_types_are_not_mistaken_for_classes() -> None:
    assert not any(isinstance(kind, types.ModuleType) for kind in _reachable().values())


def _imported_for_type_checkers() -> dict[str, str]:
    """What ``_lazy_names`` imports under ``if TYPE_CHECKING:``: each name and its module."""
    assert _lazy_names.__file__ is not None
    with open(_lazy_names.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    blocks = [node for node in tree.body if isinstance(node, ast.If)]
    return {
        alias.name: statement.module or ""
        for block in blocks
        for statement in block.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }


def test_type_checkers_see_every_name_loaded_on_first_use_from_its_module() -> None:
    # A name only in the run-time map would work, but a host's type checker
    # would call it unknown (as AttachmentStore once was).
    assert _imported_for_type_checkers() == dict(_lazy_names.MODULES)
    assert sorted(_lazy_names.__all__) == sorted(_lazy_names.MODULES)


def test_an_extra_that_is_missing_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> object:
        raise ModuleNotFoundError(f"No module named {name!r}", name="jinja2")

    monkeypatch.setattr(_lazy_names, "import_module", refuse)
    monkeypatch.delitem(vars(crm_returns), "EmailNotifier", raising=False)
    with pytest.raises(ModuleNotFoundError, match=r"notifications extra \(Jinja2\)"):
        _ = crm_returns.EmailNotifier
