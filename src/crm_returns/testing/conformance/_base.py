"""The one hook every contract needs, and how the contracts compare and read a store."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import attrs
import pytest

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.reasons import DEFAULT_CATALOG, ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.errors import NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.testing.conformance._history import History

__all__ = [
    "Contract",
    "UnitOfWorkFactory",
    "Visible",
    "assert_identical",
    "store",
    "visible",
    "write",
]

_T = TypeVar("_T")

#: Makes a new unit of work over one store; ``MemoryDatabase().unit_of_work`` is one.
UnitOfWorkFactory = Callable[[], UnitOfWork]


class Contract:
    """Base of every contract: declares the hook an adapter author implements."""

    @pytest.fixture
    def unit_of_work_factory(self) -> UnitOfWorkFactory:
        """Make units of work over a new, EMPTY store: the hook to override.

        Override it in the subclass as a pytest fixture; it may ask for other
        fixtures (``tmp_path``, a database URL) and ``yield`` to clean up.
        Each test gets a store of its own.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override the unit_of_work_factory fixture "
            "to return a factory of units of work over a new, empty store"
        )


def _difference(actual: object, expected: object, path: str) -> str | None:
    """Where ``actual`` first differs from ``expected``, or ``None``.

    Stricter than ``==`` where a store can lose something ``==`` forgives: the
    type (a list for a tuple, a string for an enum), a Decimal's scale
    (``2.50`` for ``2.5``) and a datetime's timezone (naive for aware).  An
    aware datetime may come back with another offset for the same instant.
    """
    if type(actual) is not type(expected):
        return f"{path}: expected {type(expected).__name__} {expected!r}, got {actual!r}"
    if isinstance(expected, Decimal):
        assert isinstance(actual, Decimal)
        if actual.as_tuple() != expected.as_tuple():
            return f"{path}: expected {expected!r}, got {actual!r}"
        return None
    if isinstance(expected, datetime):
        assert isinstance(actual, datetime)
        if actual.utcoffset() is None or actual != expected:
            return f"{path}: expected {expected!r}, got {actual!r}"
        return None
    kind = type(expected)
    if attrs.has(kind):
        for field in attrs.fields(kind):
            found = _difference(
                getattr(actual, field.name), getattr(expected, field.name), f"{path}.{field.name}"
            )
            if found:
                return found
        return None
    if isinstance(expected, tuple | list):
        assert isinstance(actual, tuple | list)
        if len(actual) != len(expected):
            return f"{path}: expected {len(expected)} items, got {len(actual)}: {actual!r}"
        for index, (got, wanted) in enumerate(zip(actual, expected, strict=True)):
            found = _difference(got, wanted, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, Mapping):
        assert isinstance(actual, Mapping)
        if actual.keys() != expected.keys():
            return f"{path}: expected keys {sorted(expected)!r}, got {sorted(actual)!r}"
        for key in expected:
            found = _difference(actual[key], expected[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if actual != expected:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def assert_identical(actual: object, expected: object, what: str = "value") -> None:
    """Fail unless ``actual`` is ``expected`` as it was stored, down to every field.

    Raises:
        AssertionError: Naming the first field that differs.
    """
    found = _difference(actual, expected, what)
    if found:
        raise AssertionError(f"the store changed a value: {found}")


def write(uow: UnitOfWork, history: History) -> None:
    """Write all of ``history`` through ``uow``, to every store, without committing."""
    for order in history.orders:
        uow.returns.add(order)
    for entry in history.entries:
        uow.audit.append(entry)
    for message in history.messages:
        uow.outbox.add(message)
    uow.reasons.put(history.tenant_id, history.catalog)
    uow.stock.add(history.moves)
    uow.journal.add(history.journal)


def store(factory: UnitOfWorkFactory, history: History) -> None:
    """Write all of ``history`` through one unit of work, and commit."""
    with factory() as uow:
        write(uow, history)
        uow.commit()


#: Results of several queries, by a description of each; empty results are left out.
Results = Mapping[str, tuple[_T, ...]]


@attrs.frozen(kw_only=True)
class Visible:
    """What one tenant can see of a history through every query of every store.

    Attributes:
        by_id: Returns found by ``get`` with the history's ids.
        by_number: Returns found by ``get_by_number`` with its numbers.
        by_line: Returns found by ``for_lines`` with its order lines, by id.
        searched: Returns found by ``search``: ``"all"``, and by one criterion each.
        reasons_used: Reason codes ``uses_reason`` says are in use.
        audit: Audit entries of the history's returns.
        tenant_audit: Audit entries of no return (``for_return(tenant, "")``).
        catalog: The tenant's reason catalog.
        moves: Stock moves: ``"all"``, and filtered by return and by SKU.
        journal: Journal entries: ``"all"``, and by return, account and period.
    """

    by_id: tuple[ReturnOrder, ...] = ()
    by_number: tuple[ReturnOrder, ...] = ()
    by_line: tuple[ReturnOrder, ...] = ()
    searched: Results[ReturnOrder] = attrs.field(factory=dict)
    reasons_used: tuple[str, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    tenant_audit: tuple[AuditEntry, ...] = ()
    catalog: ReasonCatalog | None = None
    moves: Results[StockMove] = attrs.field(factory=dict)
    journal: Results[JournalEntry] = attrs.field(factory=dict)


def _found(lookup: Callable[[str], ReturnOrder], keys: list[str]) -> tuple[ReturnOrder, ...]:
    found = []
    for key in keys:
        try:
            found.append(lookup(key))
        except NotFound:
            continue
    return tuple(found)


def _nonempty(results: Mapping[str, Iterable[_T]]) -> dict[str, tuple[_T, ...]]:
    return {query: tuple(found) for query, found in results.items() if found}


def visible(uow: UnitOfWork, tenant_id: str, history: History) -> Visible:
    """Everything ``tenant_id`` can find through ``uow`` with the keys of ``history``.

    A tenant that can find nothing sees ``Visible()``.
    """
    orders = list(history.orders)
    refs = sorted({line.ref for order in orders for line in order.lines})
    customers = sorted({order.customer_id for order in orders})
    codes = sorted({reason.code for reason in DEFAULT_CATALOG.reasons})
    first = history.completed
    sku = first.lines[0].sku
    account = history.journal[0].postings[0].account.code
    start = history.journal[-1].at
    queries = {
        "all": ReturnQuery(limit=MAX_PAGE_SIZE),
        f"status={first.status.value}": ReturnQuery(statuses={first.status}),
        f"created_from={first.created_at}": ReturnQuery(created_from=first.created_at),
        **{f"customer_id={c}": ReturnQuery(customer_id=c) for c in customers},
    }
    return Visible(
        by_id=_found(lambda key: uow.returns.get(tenant_id, key), [o.id for o in orders]),
        by_number=_found(
            lambda key: uow.returns.get_by_number(tenant_id, key), [o.number for o in orders]
        ),
        by_line=tuple(sorted(uow.returns.for_lines(tenant_id, refs), key=lambda o: o.id)),
        searched=_nonempty(
            {name: uow.returns.search(tenant_id, query).items for name, query in queries.items()}
        ),
        reasons_used=tuple(code for code in codes if uow.returns.uses_reason(tenant_id, code)),
        audit=tuple(entry for o in orders for entry in uow.audit.for_return(tenant_id, o.id)),
        tenant_audit=tuple(uow.audit.for_return(tenant_id, "")),
        catalog=uow.reasons.get(tenant_id),
        moves=_nonempty(
            {
                "all": uow.stock.moves(tenant_id),
                f"return_id={first.id}": uow.stock.moves(tenant_id, return_id=first.id),
                f"sku={sku}": uow.stock.moves(tenant_id, sku=sku),
            }
        ),
        journal=_nonempty(
            {
                "all": uow.journal.entries(tenant_id),
                f"return_id={first.id}": uow.journal.entries(tenant_id, return_id=first.id),
                f"account_code={account}": uow.journal.entries(tenant_id, account_code=account),
                f"start={start}": uow.journal.entries(tenant_id, start=start),
            }
        ),
    )
