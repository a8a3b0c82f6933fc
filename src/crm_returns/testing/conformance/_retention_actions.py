"""RetentionActionsContract: the library's records destroyed, exported and erased.

Part of :class:`~crm_returns.testing.conformance.RetentionContract`.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import json
from datetime import timedelta

import attrs
import pytest

from crm_returns.domain.queries import ReturnQuery
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    RecordKey,
)
from crm_returns.domain.retention.holds import HoldScope, LegalHold
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import NotFound
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._retention_seed import (
    DESTINATION,
    KEPT,
    KEYS,
    OTHER_TENANT,
    PERSONAL,
    SURROGATE,
    all_records,
    amounts,
    destroyed,
    floats,
    keyed_orders,
    later,
    return_key,
    seed,
    strings,
)

__all__ = ["RetentionActionsContract"]


class RetentionActionsContract(Contract):
    """``uow.retention`` destroys, exports and erases the library's records as the port says."""

    # -- destroy -------------------------------------------------------------------------

    def test_destroy_removes_a_return_with_what_it_owns(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The return, its audit entries, moves and idempotency keys go; journal entries stay."""
        past, other = seed(unit_of_work_factory)
        order, tenant = past.completed, past.tenant_id
        with unit_of_work_factory() as uow:
            record = uow.retention.record(return_key(order))
            assert record is not None
        keyed = [k for k, o in keyed_orders(past).items() if o.id == order.id]
        counts = destroyed(
            unit_of_work_factory, [return_key(order)], "RP-20570101-000001", later(past)
        )
        assert counts == {**dict(record.counts), IDEMPOTENCY_KEYS: len(keyed)}
        with unit_of_work_factory() as uow:
            assert uow.retention.record(return_key(order)) is None
            with pytest.raises(NotFound):
                uow.returns.get(tenant, order.id)
            assert list(uow.audit.for_return(tenant, order.id)) == []
            assert list(uow.stock.moves(tenant, return_id=order.id)) == []
            for key in keyed:
                assert uow.idempotency.get(tenant, key) is None
            ids = [r.key.record_id for r in all_records(uow, tenant, RETURN_ORDERS, 1000)]
            assert order.id not in ids
            kept = uow.journal.entries(tenant, return_id=order.id)
            assert_identical(tuple(kept), tuple(e for e in past.journal if e.return_id == order.id))
            refs = [line.ref for line in order.lines]
            assert dict(uow.retention.retired_claims(tenant, refs)) == {
                ref: order.claimed(ref) for ref in refs if order.claimed(ref)
            }
            # The other tenant's return of the same number and lines is untouched.
            assert uow.retention.record(return_key(other.completed)) is not None
            assert dict(uow.retention.retired_claims(OTHER_TENANT, refs)) == {}

    def test_destroy_leaves_tombstones_and_passes_over_what_is_gone(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Each destroyed record leaves a tombstone with its plan; destroying again does nothing."""
        past, _ = seed(unit_of_work_factory)
        at = later(past)
        keys = [return_key(past.rejected), return_key(past.cancelled)]
        counts = destroyed(unit_of_work_factory, keys, "RP-1", at)
        assert counts[RETURN_ORDERS] == 2
        again = destroyed(unit_of_work_factory, [*keys, return_key(past.completed)], "RP-2", at)
        assert again.get(RETURN_ORDERS) == 1
        with unit_of_work_factory() as uow:
            stones = list(uow.retention.tombstones(past.tenant_id, None, 100))
            assert [s.key for s in stones] == sorted([*keys, return_key(past.completed)])
            by_key = {s.key: s for s in stones}
            for key in keys:
                assert by_key[key].plan_number == "RP-1"
                assert by_key[key].destroyed_at == at.isoformat()
                assert dict(by_key[key].counts)[RETURN_ORDERS] == 1
            assert by_key[return_key(past.completed)].plan_number == "RP-2"
            first = uow.retention.tombstones(past.tenant_id, None, 1)
            rest = uow.retention.tombstones(past.tenant_id, str(first[0].key), 100)
            assert [s.key for s in (*first, *rest)] == [s.key for s in stones]
            assert list(uow.retention.tombstones(OTHER_TENANT, None, 100)) == []

    def test_destroy_removes_journal_entries_messages_and_keys(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Each class goes with what it owns (postings, deliveries) and only that record."""
        past, other = seed(unit_of_work_factory, deliveries=True)
        tenant = past.tenant_id
        entry, message = past.journal[0], past.messages[0]
        keys = [
            RecordKey(tenant, JOURNAL_ENTRIES, entry.id),
            RecordKey(tenant, OUTBOX_MESSAGES, message.id),
            RecordKey(tenant, IDEMPOTENCY_KEYS, KEYS[1]),
        ]
        with unit_of_work_factory() as uow:
            counts_before = [uow.retention.record(key) for key in keys]
        expected: dict[str, int] = {}
        for record in counts_before:
            assert record is not None
            for name, n in record.counts:
                expected[name] = expected.get(name, 0) + n
        assert destroyed(unit_of_work_factory, keys, "RP-1", later(past)) == expected
        with unit_of_work_factory() as uow:
            for key in keys:
                assert uow.retention.record(key) is None, str(key)
            assert entry.id not in {e.id for e in uow.journal.entries(tenant)}
            assert uow.deliveries.message(message.id) is None
            assert uow.deliveries.get(DESTINATION, message.id) is None
            assert uow.idempotency.get(tenant, KEYS[1]) is None
            assert uow.idempotency.get(OTHER_TENANT, KEYS[1]) is not None
            assert len(uow.journal.entries(OTHER_TENANT)) == len(other.journal)

    # -- export --------------------------------------------------------------------------

    def test_export_gives_json_safe_mappings_of_each_record(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """One mapping per stored key, naming it; json.dumps takes it as it is; no floats."""
        past, _ = seed(unit_of_work_factory, deliveries=True)
        tenant = past.tenant_id
        with unit_of_work_factory() as uow:
            keys = [r.key for c in KEPT for r in all_records(uow, tenant, c, 1000)]
            missing = [
                RecordKey(tenant, RETURN_ORDERS, "no-such-id"),
                RecordKey("nobody", OUTBOX_MESSAGES, past.messages[0].id),
                RecordKey("nobody", IDEMPOTENCY_KEYS, KEYS[0]),
            ]
            exported = [dict(m) for m in uow.retention.export([*keys, *missing])]
        assert [(m["class"], m["id"], m["tenant_id"]) for m in exported] == [
            (k.record_class, k.record_id, k.tenant_id) for k in keys
        ]
        for mapping in exported:
            text = json.dumps(mapping, ensure_ascii=False)
            assert floats(json.loads(text)) == [], mapping["id"]
            assert floats(mapping) == [], mapping["id"]
        by_id = {m["id"]: json.dumps(m, ensure_ascii=False) for m in exported}
        returned = by_id[past.completed.id]
        owned_ids = [e.id for e in past.entries_of(past.completed)] + [
            m.id for m in past.moves if m.return_id == past.completed.id
        ]
        for owned in owned_ids:
            if owned:
                assert owned in returned, f"{owned} is not in its return's export"

    # -- erase ---------------------------------------------------------------------------

    def test_erase_replaces_the_customer_everywhere_and_keeps_the_amounts(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Surrogate for the id; name and personal strings gone; changed journal entries refused."""
        past, other = seed(unit_of_work_factory, deliveries=True)
        tenant, customer = past.tenant_id, past.completed.customer_id
        theirs = [o for o in past.orders if o.customer_id == customer]
        name = theirs[0].customer_name
        released_at = past.completed.updated_at
        holds = [
            LegalHold(
                "H-1",
                tenant,
                HoldScope.CUSTOMER,
                customer,
                "audit",
                "u-legal",
                released_at,
                released_by="u-legal",
                released_at=released_at + timedelta(hours=1),
            ),
            LegalHold(
                "H-2", tenant, HoldScope.CUSTOMER, "C-1002", "lawsuit", "u-legal", released_at
            ),
        ]
        ids = {o.id for o in theirs}
        messages = [m.id for m in past.messages if m.event.return_id in ids]

        def snapshot() -> dict[str, list[object]]:
            with unit_of_work_factory() as uow:
                return {
                    "returns": [uow.returns.get(tenant, o.id) for o in theirs],
                    "audit": [e for o in theirs for e in uow.audit.for_return(tenant, o.id)],
                    "messages": [uow.deliveries.message(m) for m in messages],
                    "keys": [uow.idempotency.get(tenant, k) for k in KEYS],
                    "errors": [uow.deliveries.get(DESTINATION, m) for m in messages]
                    + [a for m in messages for a in uow.deliveries.attempts(DESTINATION, m)],
                    "journal": list(uow.journal.entries(tenant)),
                    "others": [
                        uow.returns.get(tenant, o.id) for o in past.orders if o not in theirs
                    ],
                    "other tenant": [uow.returns.get(OTHER_TENANT, o.id) for o in other.orders],
                }

        with unit_of_work_factory() as uow:
            for hold in holds:
                uow.retention.add_hold(hold)
            uow.commit()
        before = snapshot()
        with unit_of_work_factory() as uow:
            done = uow.retention.erase(tenant, customer, SURROGATE, [PERSONAL])
            uow.commit()
        after = snapshot()

        def changed(part: str) -> int:
            return sum(1 for a, b in zip(after[part], before[part], strict=True) if a != b)

        for part in ("audit", "messages", "keys"):
            assert changed(part), f"erasing changed none of the {part}"
        assert dict(done.erased) == {
            RETURN_ORDERS: len(theirs),
            AUDIT_ENTRIES: changed("audit"),
            OUTBOX_MESSAGES: changed("messages"),
            IDEMPOTENCY_KEYS: changed("keys"),
            "legal_holds": 1,
        }
        # The service wrote the payment's reference into the memo of its journal entry.
        naming = [e.id for e in past.journal if e.return_id in ids and PERSONAL in e.memo]
        assert naming, "a journal entry of the customer's names them"
        assert sorted(r.record for r in done.refusals) == [
            f"{JOURNAL_ENTRIES}/{i}" for i in sorted(naming)
        ]
        assert all(r.reason for r in done.refusals)
        for part in ("returns", "audit", "messages", "keys", "errors"):
            for field, text in strings(after[part]):
                for personal in (customer, name, PERSONAL):
                    assert text != personal, f"{part}: {field} is still {personal!r}"
                    if len(personal) >= 4:
                        assert personal not in text, f"{part}: {field} still holds {personal!r}"
        for order, was in zip(after["returns"], before["returns"], strict=True):
            assert isinstance(order, ReturnOrder)
            assert isinstance(was, ReturnOrder)
            assert order.customer_id == SURROGATE
            assert amounts(order) == amounts(was)
            assert (order.number, order.created_at, order.updated_at) == (
                was.number,
                was.created_at,
                was.updated_at,
            )
        assert_identical(after["journal"], before["journal"], "journal entries")
        assert_identical(after["others"], before["others"], "other customers' returns")
        assert_identical(after["other tenant"], before["other tenant"], "the other tenant")
        with unit_of_work_factory() as uow:
            assert {h.id: h.target for h in uow.retention.holds(tenant)} == {
                "H-1": SURROGATE,
                "H-2": "C-1002",
            }
            query = ReturnQuery(customer_id=customer, include_archived=True)
            assert uow.returns.search(tenant, query).total == 0
            query = attrs.evolve(query, customer_id=SURROGATE)
            assert uow.returns.search(tenant, query).total == len(theirs)
