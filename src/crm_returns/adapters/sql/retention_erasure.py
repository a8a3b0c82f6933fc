"""Erasing one customer's personal data across the SQL store, keeping the facts.

Every return of the customer is written back erased
(:func:`~crm_returns.domain.retention.erasure.erased_order`: the surrogate for
their id, no name, no notes; its version raised, its time of change kept); the
returns' audit entries, outbox messages and idempotency results are scrubbed
of every personal string (:func:`~crm_returns.domain.retention.erasure.scrubbed`);
the delivery errors of those messages, which are plain text, lose every
personal string of four characters or more; released customer holds name the
surrogate; every case-file record of the customer is erased
(:func:`~crm_returns.adapters.sql.retention_casefile.erase_case_file`).
Posted journal entries are never changed: one that names the
customer is refused, kept until its retention runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa

from crm_returns.adapters.sql.facts import SqlFactWriter
from crm_returns.adapters.sql.retention_casefile import erase_case_file
from crm_returns.adapters.sql.retention_records import batches
from crm_returns.adapters.sql.statements import Prepared, as_text, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
)
from crm_returns.domain.retention.erasure import (
    Refusal,
    blanked,
    erased_order,
    scrubbed,
)
from crm_returns.domain.retention.holds import HoldScope, LegalHold
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.ports import IdempotentResult
from crm_returns.ports.delivery import OutboxMessage
from crm_returns.ports.retention import Erasure

__all__ = ["erase_customer"]

_T = TypeVar("_T")

#: Why a posted journal entry that names the customer stays as it is.
JOURNAL_REFUSAL = "a posted journal entry is never changed; it is kept until its retention runs"

_ERASE_RETURN = Prepared(
    lambda t: (
        sa.update(t.returns)
        .where(t.returns.c.tenant_id == param("tenant_id"), t.returns.c.id == param("id"))
        .values(
            customer_id=param("customer_id"),
            version=param("version"),
            document=param("document"),
        )
    )
)


def _set_document(table: Callable[[Any], sa.Table], key: str) -> Prepared:
    """``UPDATE`` of one row's document, found by the tenant and ``key``."""
    return Prepared(
        lambda t: (
            sa.update(table(t))
            .where(table(t).c.tenant_id == param("tenant_id"), table(t).c[key] == param("key"))
            .values(document=param("document"))
        )
    )


_SET_AUDIT = _set_document(lambda t: t.audit_entries, "id")
_SET_MESSAGE = _set_document(lambda t: t.outbox, "id")
_SET_RESULT = _set_document(lambda t: t.idempotency_keys, "key")
_SET_HOLD = Prepared(
    lambda t: (
        sa.update(t.legal_holds)
        .where(t.legal_holds.c.tenant_id == param("tenant_id"), t.legal_holds.c.id == param("key"))
        .values(target=param("target"), document=param("document"))
    )
)
_SET_LAST_ERROR = Prepared(
    lambda t: (
        sa.update(t.deliveries)
        .where(
            t.deliveries.c.destination == param("destination"),
            t.deliveries.c.message_id == param("message_id"),
        )
        .values(last_error=param("text"))
    )
)
_SET_ATTEMPT_ERROR = Prepared(
    lambda t: (
        sa.update(t.delivery_attempts)
        .where(t.delivery_attempts.c.seq == param("seq"))
        .values(error=param("text"))
    )
)


class _Erasing:
    """One customer's erasure in one unit of work."""

    def __init__(self, transaction: Transaction, tenant_id: str, surrogate: str) -> None:
        self._tx = transaction
        self._codec = transaction.codec
        self._tenant_id = tenant_id
        self._surrogate = surrogate

    def documents(
        self, table: sa.Table, key: str, owner: str, owners: Sequence[str]
    ) -> list[tuple[str, str]]:
        """``(key, document text)`` of the tenant's rows whose ``owner`` is one of ``owners``."""
        rows: list[Any] = []
        for batch in batches(owners):
            rows.extend(
                self._tx.execute(
                    sa.select(table.c[key], as_text(table.c.document)).where(
                        table.c.tenant_id == self._tenant_id, table.c[owner].in_(batch)
                    ),
                    subject=f"erasing in {table.name}",
                ).all()
            )
        return rows

    def rewrite(
        self,
        rows: list[tuple[str, str]],
        kind: type[_T],
        change: Callable[[_T], _T],
        statement: Prepared,
    ) -> int:
        """Write back each document ``change`` changes; how many it changed."""
        changed = []
        for key, text in rows:
            value = self._codec.decode_text(text, kind)
            new = change(value)
            if new != value:
                changed.append(
                    {
                        "tenant_id": self._tenant_id,
                        "key": key,
                        "document": self._codec.encode_text(new),
                    }
                )
        for batch in batches(changed):
            self._tx.write(statement, batch, subject=f"erasing {kind.__name__}")
        return len(changed)

    def delivery_errors(self, message_ids: Sequence[str], named: Sequence[str]) -> None:
        """Scrub the plain-text errors of the messages' deliveries and attempts."""
        t = self._tx.tables
        d, a = t.deliveries, t.delivery_attempts
        for batch in batches(message_ids):
            last_errors: Sequence[Any] = self._tx.execute(
                sa.select(d.c.destination, d.c.message_id, d.c.last_error).where(
                    d.c.message_id.in_(batch), d.c.last_error != ""
                ),
                subject="erasing in deliveries",
            ).all()
            self._tx.write(
                _SET_LAST_ERROR,
                [
                    {"destination": dest, "message_id": mid, "text": blanked(text, named)}
                    for dest, mid, text in last_errors
                    if blanked(text, named) != text
                ],
                subject="erasing in deliveries",
            )
            errors: Sequence[Any] = self._tx.execute(
                sa.select(a.c.seq, a.c.error).where(a.c.message_id.in_(batch), a.c.error != ""),
                subject="erasing in delivery attempts",
            ).all()
            self._tx.write(
                _SET_ATTEMPT_ERROR,
                [
                    {"seq": seq, "text": blanked(text, named)}
                    for seq, text in errors
                    if blanked(text, named) != text
                ],
                subject="erasing in delivery attempts",
            )


def erase_customer(
    transaction: Transaction,
    tenant_id: str,
    customer_id: str,
    surrogate: str,
    personal: Sequence[str],
) -> Erasure:
    """Replace the customer's personal data in every record of the store that names them.

    Returns what changed, by class, and the journal entries refused.
    """
    t = transaction.tables
    codec = transaction.codec
    erasing = _Erasing(transaction, tenant_id, surrogate)
    facts = SqlFactWriter(transaction)
    r = t.returns
    texts = transaction.execute(
        sa.select(as_text(r.c.document)).where(
            r.c.tenant_id == tenant_id, r.c.customer_id == customer_id
        ),
        subject="the customer's returns",
    ).scalars()
    orders = sorted((codec.decode_text(text, ReturnOrder) for text in texts), key=lambda o: o.id)
    ids = [order.id for order in orders]
    named = (customer_id, *dict.fromkeys(o.customer_name for o in orders), *personal)
    for batch in batches(orders):
        # A new version, so that a command holding the return as it was loses
        # its race; the time of its last change stays (erasure is not activity).
        erased = [
            attrs.evolve(erased_order(order, surrogate, personal), version=order.version + 1)
            for order in batch
        ]
        transaction.write(
            _ERASE_RETURN,
            [
                {
                    "tenant_id": tenant_id,
                    "id": order.id,
                    "customer_id": order.customer_id,
                    "version": order.version,
                    "document": codec.encode_text(order),
                }
                for order in erased
            ],
            subject="the customer's returns",
        )
        for order in erased:
            facts.store(order)

    def scrub(value: _T) -> _T:
        return scrubbed(value, named, surrogate)

    def erase_result(result: IdempotentResult) -> IdempotentResult:
        order = erased_order(result.order, surrogate, personal)
        return attrs.evolve(result, order=scrub(order))

    audited = erasing.rewrite(
        erasing.documents(t.audit_entries, "id", "return_id", ids), AuditEntry, scrub, _SET_AUDIT
    )
    messages = erasing.documents(t.outbox, "id", "return_id", ids)
    sent = erasing.rewrite(messages, OutboxMessage, scrub, _SET_MESSAGE)
    erasing.delivery_errors([message_id for message_id, _ in messages], named)
    keyed = erasing.rewrite(
        erasing.documents(t.idempotency_keys, "key", "return_id", ids),
        IdempotentResult,
        erase_result,
        _SET_RESULT,
    )
    case_file = erase_case_file(transaction, tenant_id, customer_id, surrogate, named[1:])
    holds = _released_holds(transaction, tenant_id, customer_id, surrogate)
    refusals = tuple(
        Refusal(f"{JOURNAL_ENTRIES}/{entry_id}", JOURNAL_REFUSAL)
        for entry_id, text in sorted(erasing.documents(t.journal_entries, "id", "return_id", ids))
        if scrub(entry := codec.decode_text(text, JournalEntry)) != entry
    )
    changed = (
        (RETURN_ORDERS, len(orders)),
        (AUDIT_ENTRIES, audited),
        (OUTBOX_MESSAGES, sent),
        (IDEMPOTENCY_KEYS, keyed),
        *sorted(case_file.items()),
        ("legal_holds", holds),
    )
    return Erasure(erased=tuple(pair for pair in changed if pair[1]), refusals=refusals)


def _released_holds(
    transaction: Transaction, tenant_id: str, customer_id: str, surrogate: str
) -> int:
    """Point the released holds on the customer at the surrogate; how many there were."""
    h = transaction.tables.legal_holds
    texts = transaction.execute(
        sa.select(as_text(h.c.document)).where(
            h.c.tenant_id == tenant_id,
            h.c.scope == HoldScope.CUSTOMER.value,
            h.c.target == customer_id,
            h.c.released_at.is_not(None),
        ),
        subject="holds on the customer",
    ).scalars()
    holds = [transaction.codec.decode_text(text, LegalHold) for text in texts]
    transaction.write(
        _SET_HOLD,
        [
            {
                "tenant_id": tenant_id,
                "key": hold.id,
                "target": surrogate,
                "document": transaction.codec.encode_text(attrs.evolve(hold, target=surrogate)),
            }
            for hold in holds
        ],
        subject="holds on the customer",
    )
    return len(holds)
