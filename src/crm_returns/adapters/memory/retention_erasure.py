"""Erasing one customer's personal data in memory, keeping the facts.

As the SQL store does: every return of the customer is erased
(:func:`~crm_returns.domain.retention.erasure.erased_order`), its audit
entries, outbox messages and idempotency answers scrubbed, the delivery
errors of its messages blanked, released holds on the customer pointed at the
surrogate, and every case-file record of the customer erased
(:func:`~crm_returns.domain.retention.case_erasure.erased_case_record`).
Posted journal entries that name the customer are refused.  The changes wait
in the unit of work and apply at commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from crm_returns.adapters.memory.committed import Committed, RetentionBook
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.retention.case_erasure import erased_case_record
from crm_returns.domain.retention.case_file import counted_as
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
)
from crm_returns.domain.retention.erasure import Refusal, blanked, erased_order, scrubbed
from crm_returns.domain.retention.holds import HoldScope
from crm_returns.ports import IdempotentResult
from crm_returns.ports.retention import Erasure

__all__ = ["erase_customer"]

#: Why a posted journal entry that names the customer stays as it is.
JOURNAL_REFUSAL = "a posted journal entry is never changed; it is kept until its retention runs"


def _counts(*pairs: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((name, count) for name, count in pairs if count)


def erased_case_file(
    db: Committed, tenant_id: str, customer_id: str, surrogate: str, personal: Sequence[str]
) -> dict[tuple[str, str, str], CaseRecord]:
    """The customer's case-file records that erasure changes, erased, by their slot."""
    return {
        slot: erased
        for slot, record in db.casefile.items()
        if slot[0] == tenant_id
        and record.customer_id == customer_id
        and (erased := erased_case_record(record, surrogate, personal)) != record
    }


def erase_customer(
    db: Committed,
    book: RetentionBook,
    changes: list[Callable[[Committed], None]],
    tenant_id: str,
    customer_id: str,
    surrogate: str,
    personal: Sequence[str],
) -> Erasure:
    """Erase the customer in ``db`` at commit (``changes``) and in ``book`` now; what changed.

    Counted as SQL counts them: the records the erasure changes.
    """
    orders = [
        order
        for (tenant, _), order in db.returns.items()
        if tenant == tenant_id and order.customer_id == customer_id
    ]
    named = (customer_id, *(o.customer_name for o in orders), *personal)
    ids = {order.id for order in orders}
    refusals = tuple(
        Refusal(f"{JOURNAL_ENTRIES}/{entry.id}", JOURNAL_REFUSAL)
        for entry in db.entries
        if entry.tenant_id == tenant_id
        and entry.return_id in ids
        and scrubbed(entry, named, surrogate) != entry
    )
    messages = [
        mid
        for mid, (_, m) in db.outbox.items()
        if m.event.tenant_id == tenant_id and m.event.return_id in ids
    ]
    audit = sum(
        1
        for rid in ids
        for entry in db.audit.get((tenant_id, rid), [])
        if scrubbed(entry, named, surrogate) != entry
    )
    sent = sum(
        1 for mid in messages if scrubbed(db.outbox[mid][1], named, surrogate) != db.outbox[mid][1]
    )

    def erased_result(result: IdempotentResult) -> IdempotentResult:
        order = erased_order(result.order, surrogate, personal)
        return attrs.evolve(result, order=scrubbed(order, named, surrogate))

    answers = {
        slot: erased_result(result)
        for slot, result in db.idempotency.items()
        if slot[0] == tenant_id and result.order.id in ids
    }
    keyed = sum(1 for slot, result in answers.items() if result != db.idempotency[slot])
    case_file = erased_case_file(db, tenant_id, customer_id, surrogate, named[1:])
    holds = 0
    for hold_key, hold in list(book.holds.items()):
        mine = hold.scope is HoldScope.CUSTOMER and hold.target == customer_id
        if mine and hold.released_at is not None:
            book.holds[hold_key] = attrs.evolve(hold, target=surrogate)
            holds += 1

    def change(db: Committed) -> None:
        for order in orders:
            db.returns[(tenant_id, order.id)] = attrs.evolve(
                erased_order(order, surrogate, personal), version=order.version + 1
            )
            trail = db.audit.get((tenant_id, order.id))
            if trail:
                trail[:] = [scrubbed(entry, named, surrogate) for entry in trail]
        for mid in messages:
            seq, message = db.outbox[mid]
            db.outbox[mid] = (seq, scrubbed(message, named, surrogate))
        deliveries = db.deliveries
        for slot, delivery in list(deliveries.deliveries.items()):
            if slot[1] in messages and delivery.last_error:
                text = blanked(delivery.last_error, named)
                deliveries.deliveries[slot] = attrs.evolve(delivery, last_error=text)
        for slot, tries in list(deliveries.attempts.items()):
            if slot[1] in messages:
                deliveries.attempts[slot] = tuple(
                    attrs.evolve(a, error=blanked(a.error, named)) for a in tries
                )
        # A retried command still gets the answer it got first, erased.
        db.idempotency.update(answers)
        db.casefile.update(case_file)

    changes.append(change)
    by_class: dict[str, int] = {}
    for record in case_file.values():
        name = counted_as(record.kind)[1]
        by_class[name] = by_class.get(name, 0) + 1
    erased = _counts(
        (RETURN_ORDERS, len(orders)),
        (AUDIT_ENTRIES, audit),
        (OUTBOX_MESSAGES, sent),
        (IDEMPOTENCY_KEYS, keyed),
        *sorted(by_class.items()),
        ("legal_holds", holds),
    )
    return Erasure(erased, refusals)
