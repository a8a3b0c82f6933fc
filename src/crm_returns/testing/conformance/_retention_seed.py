"""What the retention contracts store, and how they look into what came back.

The records are the ones a real service wrote (:func:`history`), for two
tenants, with idempotency keys whose order by code point differs from any
case-insensitive collation's, and an outbox fanned out to one destination
with a failed delivery whose error names the customer.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.domain.delivery.deliveries import Attempt
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome
from crm_returns.domain.retention.classes import (
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    RecordKey,
)
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.ports import IdempotentResult, UnitOfWork
from crm_returns.testing.conformance._base import UnitOfWorkFactory, store
from crm_returns.testing.conformance._history import History, history

__all__ = [
    "DESTINATION",
    "KEPT",
    "KEYS",
    "OTHER_TENANT",
    "PERSONAL",
    "SURROGATE",
    "all_records",
    "amounts",
    "committed",
    "destroyed",
    "expected_ids",
    "keyed_orders",
    "later",
    "return_key",
    "seed",
    "strings",
]

#: Idempotency keys as clients choose them: by code point ``K`` < ``k`` < ``é`` < ``к`` < ``键``.
KEYS = ("key-a", "Key-b", "ключ-1", "键-2", "é-3")

#: The second tenant, holding the same history under ids of its own.
OTHER_TENANT = "globex"

#: The destination the outbox is fanned out to.
DESTINATION = "mail"

#: A personal string of the customer of ``completed`` that free text carries
#: (the reference of their refund payment).
PERSONAL = "支付宝 2026"


def keyed_orders(past: History) -> dict[str, Any]:
    """The return each of :data:`KEYS` answers for."""
    return dict(
        zip(
            KEYS,
            (past.completed, past.submitted, past.partly_received, past.completed, past.awkward),
            strict=True,
        )
    )


def _write_keys(uow: UnitOfWork, past: History) -> None:
    for key, order in keyed_orders(past).items():
        uow.idempotency.put(
            past.tenant_id, key, IdempotentResult("complete_return", "f" * 64, order)
        )


def _fail_first_message(factory: UnitOfWorkFactory, past: History, at: datetime) -> None:
    """Fan the outbox out and fail the first message of ``completed``, naming its customer."""
    message = next(m for m in past.messages if m.event.return_id == past.completed.id)
    error = f"550 no mailbox {past.completed.customer_id} ({PERSONAL})"
    with factory() as uow:
        uow.deliveries.fan_out(DESTINATION, at, 1000)
        uow.commit()
    with factory() as uow:
        delivery = uow.deliveries.get(DESTINATION, message.id)
        assert delivery is not None
        dead = attrs.evolve(delivery, status=DeliveryStatus.DEAD, attempts=1, last_error=error)
        attempt = Attempt(
            destination=DESTINATION,
            message_id=message.id,
            number=1,
            at=at,
            outcome=Outcome.PERMANENT,
            error=error,
            relay="relay-a",
        )
        uow.deliveries.record(dead, attempt)
        uow.commit()


def seed(
    factory: UnitOfWorkFactory, past: History | None = None, *, deliveries: bool = False
) -> tuple[History, History]:
    """Store ``past`` (the shared history by default) for its tenant and for :data:`OTHER_TENANT`.

    Returns both tenants' histories.  With ``deliveries``, the outbox is
    fanned out to :data:`DESTINATION` and one delivery failed.
    """
    mine = history() if past is None else past
    other = mine.for_tenant(OTHER_TENANT)
    for written in (mine, other):
        store(factory, written)
        with factory() as uow:
            _write_keys(uow, written)
            uow.commit()
    if deliveries:
        _fail_first_message(factory, mine, mine.completed.updated_at + timedelta(minutes=1))
    return mine, other


def expected_ids(past: History) -> dict[str, set[str]]:
    """The ids of every record of ``past`` retention sees, by class."""
    return {
        RETURN_ORDERS: {order.id for order in past.orders},
        JOURNAL_ENTRIES: {entry.id for entry in past.journal},
        OUTBOX_MESSAGES: {message.id for message in past.messages},
        IDEMPOTENCY_KEYS: set(KEYS),
    }


def all_records(
    uow: UnitOfWork, tenant_id: str, record_class: str, limit: int
) -> list[RetainedRecord]:
    """Every record of the class, paged ``limit`` at a time by keyset."""
    found: list[RetainedRecord] = []
    after: str | None = None
    while True:
        page = uow.retention.records(tenant_id, record_class, after, limit)
        assert len(page) <= limit, f"{record_class}: a page of {limit} held {len(page)}"
        found.extend(page)
        if len(page) < limit:
            return found
        after = page[-1].key.record_id


def strings(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """Every text in ``value`` with the name of its field, through attrs values and containers."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, enum.Enum):
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(item, str(key))
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from strings(item, field)
    elif attrs.has(type(value)):
        for attribute in attrs.fields(type(value)):
            yield from strings(getattr(value, attribute.name), attribute.name)


def amounts(value: Any) -> list[Decimal]:
    """Every amount and quantity in ``value``, in the order its fields hold them."""
    if isinstance(value, Decimal):
        return [value]
    if isinstance(value, tuple | list):
        return [found for item in value for found in amounts(item)]
    if attrs.has(type(value)):
        return [
            found for a in attrs.fields(type(value)) for found in amounts(getattr(value, a.name))
        ]
    return []


def floats(value: object) -> list[object]:
    """Every float in JSON-like ``value``."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, Mapping):
        return [found for item in value.values() for found in floats(item)]
    if isinstance(value, list | tuple):
        return [found for item in value for found in floats(item)]
    return []


def committed(factory: UnitOfWorkFactory, change: Callable[[UnitOfWork], object]) -> None:
    """Make ``change`` in a unit of work of its own and commit (a conflict may show at either)."""
    with factory() as uow:
        change(uow)
        uow.commit()


def keys_of(tenant_id: str, record_class: str, ids: Sequence[str]) -> list[RecordKey]:
    """The keys of ``ids`` of one class."""
    return [RecordKey(tenant_id, record_class, record_id) for record_id in ids]


#: The classes the library's store keeps as records of their own.
KEPT = (RETURN_ORDERS, JOURNAL_ENTRIES, OUTBOX_MESSAGES, IDEMPOTENCY_KEYS)

#: The surrogate the contracts erase customers with.
SURROGATE = "erased-0123456789abcdef0123"


def return_key(order: ReturnOrder) -> RecordKey:
    """The retention key of a return."""
    return RecordKey(order.tenant_id, RETURN_ORDERS, order.id)


def later(past: History) -> datetime:
    """A day after the history's completed return was last changed."""
    return past.completed.updated_at + timedelta(days=1)


def destroyed(
    factory: UnitOfWorkFactory, keys: list[RecordKey], plan: str, at: datetime
) -> dict[str, int]:
    """Destroy ``keys`` in a unit of work of their own; the counts by class."""
    with factory() as uow:
        counts = dict(uow.retention.destroy(keys, plan, at))
        uow.commit()
    return counts
