"""Archiving and erasure over generated histories, on memory, SQLite and PostgreSQL.

Archive then restore gives back exactly what was archived; while archived a
return is out of lists and read-only.  Erasing a customer leaves no personal
string of theirs anywhere in the store — every table, every column, the
case file of their returns too — and none of their attachments' bytes in the
attachment store, while the books, the stock balances and the attachments'
records (type, size, SHA-256) stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.retention.histories import (
    APPROVER,
    AUDITOR,
    CLERK,
    CONTACTS,
    CUSTOMERS,
    FINANCE,
    NAMES,
    PORTAL,
    RECORDS,
    SERVICE_DESK,
    TENANT,
    History,
    histories,
    play,
    service_on,
)
from tests.retention.stores import Stores

from crm_returns import Attachment, Money, ReturnQuery, ReturnsService
from crm_returns.domain.retention import ErasureStatus
from crm_returns.errors import RecordArchived


def _everything_of(service: ReturnsService, rid: str) -> tuple[object, ...]:
    """The return, its audit trail, stock moves, journal entries and case file, with bytes."""
    attachments = service.attachments(AUDITOR, rid)
    return (
        service.get_return(AUDITOR, rid),
        service.audit_trail(AUDITOR, rid),
        service.stock_moves(AUDITOR, return_id=rid),
        service.journal(AUDITOR, return_id=rid),
        attachments,
        [service.attachment_content(AUDITOR, rid, a.id) for a in attachments],
        service.shipments(AUDITOR, rid),
        service.tracking(AUDITOR, rid),
        service.contacts(SERVICE_DESK, rid),
        service.feedback(AUDITOR, rid),
        service.return_timeline(PORTAL[service.get_return(AUDITOR, rid).customer_id], rid),
    )


def _attachments_of(service: ReturnsService, rids: list[str]) -> list[Attachment]:
    return [a for rid in rids for a in service.attachments(AUDITOR, rid)]


def _listed(service: ReturnsService, **criteria: Any) -> tuple[set[str], int]:
    page = service.list_returns(AUDITOR, ReturnQuery(limit=100, **criteria))
    assert page.total is not None  # counted by default
    return {order.id for order in page.items}, page.total


#: Commands on a return, each of which an archived return refuses.
COMMANDS: tuple[Callable[[ReturnsService, str], object], ...] = (
    lambda s, rid: s.submit_return(CLERK, rid),
    lambda s, rid: s.approve_return(APPROVER, rid, "ok"),
    lambda s, rid: s.cancel_return(CLERK, rid, "never mind"),
    lambda s, rid: s.record_refund_payment(FINANCE, rid, Money(Decimal("1.00"), "CNY")),
    lambda s, rid: s.complete_return(FINANCE, rid),
)


@given(history=histories(), data=st.data())
def test_archive_then_restore_is_the_identity(
    stores: Stores, history: History, data: st.DataObject
) -> None:
    closed = [
        i for i, p in enumerate(history.returns) if p.stage.closed and i not in history.archived
    ]
    assume(closed)
    with stores.fresh() as store:
        service, clock = service_on(store.unit_of_work, store.backups, policy=history.policy)
        played = play(service, clock, history)
        rid = played.ids[data.draw(st.sampled_from(closed), label="archived")]
        customer = service.get_return(AUDITOR, rid).customer_id
        before = _everything_of(service, rid)
        listed, total = _listed(service)
        theirs, their_total = _listed(service, customer_id=customer)
        assert rid in listed

        service.archive_return(RECORDS, rid)
        assert _listed(service) == (listed - {rid}, total - 1)
        assert _listed(service, customer_id=customer) == (theirs - {rid}, their_total - 1)
        assert rid in _listed(service, include_archived=True)[0]
        command = data.draw(st.sampled_from(COMMANDS), label="command")
        with pytest.raises(RecordArchived):
            command(service, rid)
        assert _everything_of(service, rid) == before

        service.restore_return(RECORDS, rid)
        assert _everything_of(service, rid) == before
        assert _listed(service) == (listed, total)


@given(customer=st.sampled_from(CUSTOMERS), data=st.data())
def test_erasure_leaves_no_personal_string_in_any_table_and_keeps_the_books(
    stores: Stores, customer: str, data: st.DataObject
) -> None:
    closed, unheld = frozenset({customer}), frozenset({customer})
    history = data.draw(histories(closed=closed, unheld=unheld), label="history")
    email, phone = CONTACTS[customer]
    personal = (customer, NAMES[customer], email, phone)
    with stores.fresh() as store:
        service, clock = service_on(store.unit_of_work, store.backups, policy=history.policy)
        played = play(service, clock, history)
        theirs = [
            rid
            for rid, p in zip(played.ids, history.returns, strict=True)
            if p.customer == customer
        ]
        files = _attachments_of(service, theirs)
        attachments = service.settings.attachments
        assert attachments is not None
        if any(p.customer == customer for p in history.returns):
            assert all(any(value in text for text in store.texts()) for value in personal), (
                "the history wrote no personal data to find"
            )
        books = service.trial_balance(AUDITOR)
        stock = service.stock_balances(AUDITOR)

        request = service.request_erasure(RECORDS, customer, personal=personal[1:])

        assert request.status is ErasureStatus.COMPLETED, request.refusals
        for text in store.texts():
            for value in personal:
                assert value not in text, f"{value!r} left in {text[:200]!r}"
        stored = set(attachments.ids(TENANT))
        assert not stored & {a.id for a in files}, "bytes of the erased customer's files are left"
        kept = _attachments_of(service, theirs)
        assert [(a.id, a.content_type, a.size, a.sha256) for a in kept] == [
            (a.id, a.content_type, a.size, a.sha256) for a in files
        ]
        assert service.trial_balance(AUDITOR) == books
        assert service.stock_balances(AUDITOR) == stock
        service.verify_retention_log(AUDITOR)
