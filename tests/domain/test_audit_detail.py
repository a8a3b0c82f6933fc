"""An audit entry's detail reads the same however the event's fields are looked up.

``audit_entry`` learns each event type's own fields, and each value type's
fields and defaults, once per type.  The detail it writes must be exactly what
reading the fields afresh on every event gives, kept here as the reference.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.events import (
    GoodsReceived,
    LinesInspected,
    RefundGranted,
    RepairFinished,
    ReturnApproved,
    ReturnCompleted,
    ReturnDrafted,
    ReturnEvent,
    ReturnSubmitted,
)
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns.lines import Inspection, Receipt
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BASE_FIELDS = frozenset(attrs.fields_dict(ReturnEvent))


def _readable_afresh(value: object) -> str:
    if isinstance(value, tuple):
        if len(value) == 2 and isinstance(value[0], LineRef):
            return f"{value[0]}: {_readable_afresh(value[1])}"
        return "; ".join(_readable_afresh(item) for item in value)
    if type(value).__str__ is object.__str__ and attrs.has(type(value)):
        return ", ".join(
            f"{field.name}={_part_afresh(getattr(value, field.name))}"
            for field in attrs.fields(type(value))  # type: ignore[arg-type]
            if getattr(value, field.name) != field.default and getattr(value, field.name)
        )
    return _part_afresh(value)


def _part_afresh(value: object) -> str:
    if isinstance(value, tuple):
        return "+".join(
            ":".join(_part_afresh(item) for item in element)
            if isinstance(element, tuple)
            else _part_afresh(element)
            for element in value
        )
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def entry_afresh(event: ReturnEvent, entry_id: str) -> AuditEntry:
    """The audit entry with every field of the event read and rendered afresh."""
    extra = {
        name: value
        for name, value in attrs.asdict(event, recurse=False).items()
        if name not in BASE_FIELDS
    }
    return AuditEntry(
        id=entry_id,
        tenant_id=event.tenant_id,
        return_id=event.return_id,
        number=event.number,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        comment=event.comment,
        detail=tuple((name, _readable_afresh(value)) for name, value in extra.items()),
    )


REFS = st.builds(LineRef, st.sampled_from(["SO-1", "SO-2"]), st.sampled_from(["1", "2", "3"]))
UNITS = st.integers(0, 3).map(Decimal)
NOTES = st.sampled_from(["", "划痕 scratched", "needs review"])
CNY = st.integers(0, 10_000).map(lambda fen: Money(Decimal(fen).scaleb(-2), "CNY"))


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    received = draw(UNITS)
    serials = tuple(f"SN-{n}" for n in range(int(received))) if draw(st.booleans()) else ()
    return Receipt(
        received=received,
        damaged_in_transit=draw(st.integers(0, int(received)).map(Decimal)),
        wrong_item=draw(UNITS),
        missing=draw(UNITS) + (0 if received else 1),
        serial_numbers=serials,
        lot=draw(st.sampled_from(["", "LOT-7"])),
    )


@st.composite
def inspections(draw: st.DrawFn) -> Inspection:
    accepted = draw(UNITS)
    split: tuple[tuple[Disposition, Decimal], ...] = ()
    if accepted and draw(st.booleans()):
        repaired = draw(st.integers(0, int(accepted)).map(Decimal))
        split = ((Disposition.REPAIR, repaired), (Disposition.SCRAP, accepted - repaired))
    return Inspection(
        accepted=accepted,
        rejected=draw(UNITS),
        needs_review=draw(st.booleans()),
        note=draw(NOTES),
        disposition=draw(st.sampled_from(Disposition)),
        dispositions=split,
        rejected_outcome=draw(st.sampled_from(RejectOutcome)),
    )


def per_line(values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[tuple[LineRef, Any], ...]]:
    return st.lists(st.tuples(REFS, values), max_size=3).map(tuple)


def events() -> st.SearchStrategy[ReturnEvent]:
    """Events of every shape of detail: per-line values, enums, money, none, several."""
    base: dict[str, Any] = {
        "tenant_id": st.just("acme"),
        "return_id": st.just("r-1"),
        "number": st.just("RT-20261127-000001"),
        "actor_id": st.just("u-1"),
        "actor_name": st.just("刘强"),
        "at": st.just(AT),
        "from_status": st.sampled_from([None, *ReturnStatus]),
        "to_status": st.sampled_from(ReturnStatus),
        "comment": NOTES,
    }
    return st.one_of(
        st.builds(GoodsReceived, receipts=per_line(receipts()), **base),
        st.builds(LinesInspected, inspections=per_line(inspections()), **base),
        st.builds(ReturnDrafted, lines=st.lists(REFS, max_size=3).map(tuple), **base),
        st.builds(
            ReturnSubmitted,
            policy_version=st.sampled_from(["v1", ""]),
            steps=st.lists(st.sampled_from(["manager", "quality"]), max_size=2).map(tuple),
            **base,
        ),
        st.builds(ReturnApproved, step=st.sampled_from([None, "manager"]), **base),
        st.builds(ReturnCompleted, refund=CNY, **base),
        st.builds(
            RepairFinished,
            line=REFS,
            units=UNITS,
            outcome=st.sampled_from([Disposition.RESTOCK, Disposition.SCRAP]),
            **base,
        ),
        st.builds(
            RefundGranted,
            method=st.sampled_from(RefundMethod),
            amount=CNY,
            fee=CNY,
            credit_note=st.sampled_from([None, "CN-1"]),
            missing_units_refunded=UNITS,
            **base,
        ),
    )


@given(events())
def test_an_audit_entry_says_what_reading_the_event_afresh_says(event: ReturnEvent) -> None:
    assert audit_entry(event, "a-1") == entry_afresh(event, "a-1")


def test_a_receipt_shows_only_what_is_not_left_at_its_default() -> None:
    event = GoodsReceived(
        tenant_id="acme",
        return_id="r-1",
        number="RT-1",
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
