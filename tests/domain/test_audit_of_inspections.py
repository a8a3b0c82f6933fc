"""An inspection's audit entry reads as the inspector decided it.

A split over dispositions is shown as ``disposition:units`` pairs joined by
``+``; fields left at their default say nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crm_returns.domain.audit import audit_entry
from crm_returns.domain.events import LinesInspected
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Inspection
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def inspected(*inspections: tuple[LineRef, Inspection]) -> LinesInspected:
    return LinesInspected(
        tenant_id="acme",
        return_id="r-1",
        number="RT-1",
        customer_id="c-1",
        actor_id="u-1",
        actor_name="刘强",
        at=AT,
        from_status=ReturnStatus.RECEIVED,
        to_status=ReturnStatus.INSPECTED,
        inspections=inspections,
    )


def test_a_split_over_dispositions_reads_as_disposition_and_units_pairs() -> None:
    split = ((Disposition.REPAIR, Decimal(1)), (Disposition.SCRAP, Decimal(2)))
    event = inspected((LineRef("SO-1", "1"), Inspection(accepted=Decimal(3), dispositions=split)))
    assert audit_entry(event, "a-1").detail == (
        ("inspections", "SO-1/1: accepted=3, dispositions=repair:1+scrap:2"),
    )


def test_an_inspection_shows_what_it_changed_from_the_defaults_line_by_line() -> None:
    event = inspected(
        (LineRef("SO-1", "1"), Inspection(accepted=Decimal(2))),
        (
            LineRef("SO-1", "2"),
            Inspection(
                rejected=Decimal(1),
                needs_review=True,
                note="seal broken",
                disposition=Disposition.QUARANTINE,
                rejected_outcome=RejectOutcome.SEND_BACK,
            ),
        ),
    )
    assert audit_entry(event, "a-1").detail == (
        (
            "inspections",
            "SO-1/1: accepted=2; SO-1/2: rejected=1, needs_review=True, note=seal broken, "
            "disposition=quarantine, rejected_outcome=send_back",
        ),
    )
