"""An audit entry's detail says what an event changed, in words people read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crm_returns.domain.audit import audit_entry
from crm_returns.domain.events import GoodsReceived
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Receipt
from crm_returns.domain.returns.states import ReturnStatus

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_a_receipt_shows_only_what_is_not_left_at_its_default() -> None:
    event = GoodsReceived(
        tenant_id="acme",
        return_id="r-1",
        number="RT-1",
        customer_id="c-1",
        actor_id="u-1",
        actor_name="刘强",
        at=AT,
        from_status=ReturnStatus.APPROVED,
        to_status=ReturnStatus.PARTIALLY_RECEIVED,
        receipts=(
            (LineRef("SO-1", "1"), Receipt(received=Decimal(2), missing=Decimal(1))),
            (LineRef("SO-1", "2"), Receipt(received=Decimal(1), serial_numbers=("A", "B"))),
        ),
    )
    assert audit_entry(event, "a-1").detail == (
        ("receipts", "SO-1/1: received=2, missing=1; SO-1/2: received=1, serial_numbers=A+B"),
    )
