"""An inspection's decision and a stock move are checked as they are built.

Dispositions are ``(Disposition, units)`` pairs (a mapping will do); anything
else is refused with the offending value named.  An inspection that accepts
nothing splits nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Inspection
from crm_returns.domain.stock.dispositions import Disposition, Location
from crm_returns.domain.stock.moves import MoveReason, StockMove
from crm_returns.errors import InvalidInput

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "pair",
    [[Disposition.REPAIR, 1], (Disposition.REPAIR, 1, "extra"), (Disposition.REPAIR,)],
    ids=["a list", "three items", "one item"],
)
def test_a_disposition_that_is_not_a_pair_is_refused_by_value(pair: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        Inspection(accepted=Decimal(1), dispositions=[pair])  # type: ignore[list-item]
    assert str(raised.value) == f"dispositions must be (Disposition, units) pairs, got {pair!r}"


def test_a_disposition_must_be_keyed_by_a_disposition() -> None:
    with pytest.raises(InvalidInput) as raised:
        Inspection(accepted=Decimal(1), dispositions={"repair": 1})  # type: ignore[arg-type]
    assert str(raised.value) == "dispositions must be keyed by Disposition, got 'repair'"


def test_dispositions_are_a_collection() -> None:
    with pytest.raises(InvalidInput) as raised:
        Inspection(accepted=Decimal(1), dispositions="repair")  # type: ignore[arg-type]
    assert str(raised.value) == "dispositions must be a collection, got str"


def test_a_mapping_of_dispositions_reads_as_pairs() -> None:
    split = {Disposition.SCRAP: 1, Disposition.REPAIR: 2}
    inspection = Inspection(accepted=Decimal(3), dispositions=split)
    assert inspection.split() == (
        (Disposition.REPAIR, Decimal(2)),
        (Disposition.SCRAP, Decimal(1)),
    )


def test_an_inspection_names_a_disposition_or_outcome_that_is_not_one() -> None:
    with pytest.raises(InvalidInput) as raised:
        Inspection(accepted=Decimal(1), disposition="restock")  # type: ignore[arg-type]
    assert str(raised.value) == "disposition must be a Disposition, got 'restock'"
    with pytest.raises(InvalidInput) as raised:
        Inspection(rejected=Decimal(1), rejected_outcome="keep")  # type: ignore[arg-type]
    assert str(raised.value) == "rejected_outcome must be a RejectOutcome, got 'keep'"


def test_an_inspection_that_accepts_nothing_splits_nothing() -> None:
    assert Inspection(rejected=Decimal(1)).split() == ()
    assert Inspection(needs_review=True).split() == ()


def move(units: int, source: Location, destination: Location) -> StockMove:
    return StockMove(
        id="m-1",
        tenant_id="acme",
        return_id="r-1",
        line=LineRef("SO-1", "1"),
        sku="SKU-1",
        quantity=Decimal(units),
        source=source,
        destination=destination,
        at=AT,
        reason=MoveReason.RECEIPT,
    )


def test_a_refused_stock_move_says_why() -> None:
    with pytest.raises(InvalidInput) as raised:
        move(0, Location.CUSTOMER, Location.RECEIVING)
    assert str(raised.value) == "a stock move must move more than zero units, got 0"
    with pytest.raises(InvalidInput) as raised:
        move(1, Location.SELLABLE, Location.SELLABLE)
    assert str(raised.value) == "a stock move needs two locations, got sellable twice"
