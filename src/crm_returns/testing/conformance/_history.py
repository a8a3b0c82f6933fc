"""What a real service wrote for one tenant: the values every contract stores.

The contracts do not build return orders, audit entries or ledger values by
hand: they drive :func:`crm_returns.testing.sample_wiring` through a
realistic history and keep what it produced, so that an adapter is tested
with values the domain can really make — every status, approvals, a refund
grant with payments, dispositions, serial numbers, events of every kind,
attempts the access policy denied (on a return, and on no return) —
and with the awkward ones a CRM meets: Chinese, emoji and control characters,
notes at their length limit, amounts with zero, two and three decimal places,
times in UTC+08:00.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.reasons import (
    DEFAULT_CATALOG,
    Fault,
    Reason,
    ReasonCatalog,
    ReasonCategory,
)
from crm_returns.domain.returns.lines import NOTE_LIMIT, Inspection, Receipt, RequestedLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.domain.stock.moves import StockMove
from crm_returns.errors import NotAuthorised
from crm_returns.ports import OutboxMessage
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.service.commands import ReturnRequest
from crm_returns.testing import sample_wiring

__all__ = ["CHINA", "TENANT", "History", "history"]

#: The tenant every sample value belongs to.
TENANT = SAMPLE_TENANT

#: China Standard Time: sample times carry this offset, not UTC.
CHINA = timezone(timedelta(hours=8))

MOUSE = LineRef("SO-1001", "1")
CABLE = LineRef("SO-1001", "2")
MONITOR = LineRef("SO-1001", "3")
CHAIR = LineRef("SO-1002", "1")
LAMP = LineRef("SO-1002", "2")
#: A line priced in Kuwaiti dinars: amounts with three decimal places.
DINAR_LINE = LineRef("SO-1003", "1")
#: A line whose customer and product names are as awkward as a CRM gets.
AWKWARD_LINE = LineRef("SO-1004", "第1行")

#: Text a CRM really receives: scripts, emoji with joiners and flags, control
#: characters (NUL included), a right-to-left mark, quotes that break naive SQL.
AWKWARD_TEXT = '张伟 👩‍👩‍👧 🇨🇳 café \x00\x07\t\r\n \u200f\'; DROP TABLE returns; -- "引号" \\ %_'


def _to_length(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length]


@attrs.frozen(kw_only=True)
class History:
    """Values one tenant's service wrote, grouped by what a contract needs.

    Attributes:
        tenant_id: The tenant.
        completed: Two approval steps, received, inspected (restock, repair,
            scrap), refund granted and paid, repair finished.
        completed_versions: Every version of ``completed``, oldest first.
        rejected: Rejected at the manager's step.
        cancelled: Cancelled as a draft; the only return with reason ``other``.
        submitted: Waiting for the quality step; the clerk was denied approving it.
        partly_received: In dinars (three decimal places), partly received.
        awkward: A draft with awkward text everywhere and a note at its limit.
        edited: A draft whose lines were edited: it no longer has ``CHAIR``.
        edited_before: ``edited`` before the edit, with ``CHAIR``.
        entries: Every audit entry, in the order written, including
            ``tenant_entries``.
        messages: Every outbox message, in the order written.
        moves: Every stock move, oldest first.
        journal: Every journal entry, oldest first.
        catalog: A customised reason catalog (a new category, a retired reason).
        sequence_key: A counter key as the service names them.
    """

    tenant_id: str
    completed: ReturnOrder
    completed_versions: tuple[ReturnOrder, ...]
    rejected: ReturnOrder
    cancelled: ReturnOrder
    submitted: ReturnOrder
    partly_received: ReturnOrder
    awkward: ReturnOrder
    edited: ReturnOrder
    edited_before: ReturnOrder
    entries: tuple[AuditEntry, ...]
    messages: tuple[OutboxMessage, ...]
    moves: tuple[StockMove, ...]
    journal: tuple[JournalEntry, ...]
    catalog: ReasonCatalog
    sequence_key: str

    @property
    def orders(self) -> tuple[ReturnOrder, ...]:
        """The latest version of every return, in the order they were created."""
        return (
            self.completed,
            self.rejected,
            self.cancelled,
            self.submitted,
            self.partly_received,
            self.awkward,
            self.edited,
        )

    def entries_of(self, order: ReturnOrder) -> list[AuditEntry]:
        """The audit entries of ``order``, in the order written."""
        return [entry for entry in self.entries if entry.return_id == order.id]

    @property
    def tenant_entries(self) -> list[AuditEntry]:
        """Audit entries that concern no return (denied attempts), in the order written.

        Their ``return_id`` is ``""``: the tenant-wide trail is ``for_return(tenant, "")``.
        """
        return [entry for entry in self.entries if entry.return_id == ""]

    def for_tenant(self, tenant_id: str) -> History:
        """The same history written by another tenant, as a host with many tenants sees it.

        Numbers, order lines, customers, SKUs, reason codes and accounts stay
        the same — tenants number their returns and their orders alike —
        while every id gets the tenant as a prefix (ids are unique across
        tenants; the tenant contract tests a clash of ids on its own).  Entries
        that concern no return keep the empty return id, as every tenant's do.
        The other tenant has customised its reasons differently.
        """

        def new_id(value: str) -> str:
            return f"{tenant_id}/{value}"

        def order(value: ReturnOrder) -> ReturnOrder:
            return attrs.evolve(value, tenant_id=tenant_id, id=new_id(value.id))

        return History(
            tenant_id=tenant_id,
            completed=order(self.completed),
            completed_versions=tuple(order(value) for value in self.completed_versions),
            rejected=order(self.rejected),
            cancelled=order(self.cancelled),
            submitted=order(self.submitted),
            partly_received=order(self.partly_received),
            awkward=order(self.awkward),
            edited=order(self.edited),
            edited_before=order(self.edited_before),
            entries=tuple(
                attrs.evolve(
                    entry,
                    id=new_id(entry.id),
                    tenant_id=tenant_id,
                    return_id=new_id(entry.return_id) if entry.return_id else "",
                )
                for entry in self.entries
            ),
            messages=tuple(
                OutboxMessage(
                    new_id(message.id),
                    attrs.evolve(
                        message.event,
                        tenant_id=tenant_id,
                        return_id=new_id(message.event.return_id),
                    ),
                    message.summary,
                )
                for message in self.messages
            ),
            moves=tuple(
                attrs.evolve(
                    move, id=new_id(move.id), tenant_id=tenant_id, return_id=new_id(move.return_id)
                )
                for move in self.moves
            ),
            journal=tuple(
                attrs.evolve(
                    entry,
                    id=new_id(entry.id),
                    tenant_id=tenant_id,
                    return_id=new_id(entry.return_id),
                )
                for entry in self.journal
            ),
            catalog=DEFAULT_CATALOG.retired("changed_requirement"),
            sequence_key=self.sequence_key.replace(self.tenant_id, tenant_id),
        )


def _extra_lines(now: datetime) -> tuple[DeliveredLine, ...]:
    mouse = sample_lines(now)[0]
    dinar = attrs.evolve(
        mouse,
        ref=DINAR_LINE,
        customer_id="C-2001",
        customer_name="Ahmad Al-Sabah أحمد",
        sku="KBD-07",
        product_name="Keyboard لوحة المفاتيح",
        quantity_delivered=Decimal(3),
        unit_price=Money(Decimal("12.345"), "KWD"),
        unit_cost=Money(Decimal("7.125"), "KWD"),
    )
    awkward = attrs.evolve(
        mouse,
        ref=AWKWARD_LINE,
        customer_id="C-3001 客户",
        customer_name=_to_length(AWKWARD_TEXT, 200),
        sku="ÉMOJI-😀",
        product_name=_to_length("显示器支架 Monitor arm 🖥️ ", 200),
        category="配件",
        quantity_delivered=Decimal("2.5"),
        unit_places=1,  # sold by the half: a quantity with a decimal place
    )
    return dinar, awkward


def _payments(order: ReturnOrder) -> list[str]:
    return [payment.id for payment in order.grant.payments] if order.grant else []


@functools.cache
def history() -> History:
    """Run a real service through a varied history and keep what it wrote.

    Built on first use and shared: every value is immutable.
    """
    start = datetime(2026, 11, 27, 9, 0, tzinfo=CHINA)
    wiring = sample_wiring(now=start)
    service, clock = wiring.service, wiring.clock
    clerk, approver, warehouse, inspector, finance = (
        wiring.clerk,
        wiring.approver,
        wiring.warehouse,
        wiring.inspector,
        wiring.finance,
    )
    for line in _extra_lines(start):
        wiring.orders.add(TENANT, line)

    def create(*lines: RequestedLine, note: str = "") -> ReturnOrder:
        # Creation times ten minutes apart: "newest first" has one right answer.
        clock.advance(timedelta(minutes=10))
        return service.create_return(clerk, ReturnRequest(lines=lines, note=note))

    def step() -> None:
        clock.advance(timedelta(hours=1))

    completed = create(
        RequestedLine(MOUSE, 2, "quality_defect", note="右键失灵 😤"),
        RequestedLine(MONITOR, 1, "changed_requirement"),
        note="客户来电：换成 32 英寸",
    )
    rejected = create(RequestedLine(CHAIR, 1, "wrong_order"))
    cancelled = create(RequestedLine(LAMP, 1, "other"))
    submitted = create(RequestedLine(CABLE, 2, "quality_defect"))
    partly_received = create(RequestedLine(DINAR_LINE, 3, "wrong_order"))
    awkward = create(
        RequestedLine(AWKWARD_LINE, Decimal("1.5"), "changed_requirement", note=AWKWARD_TEXT),
        note=_to_length(AWKWARD_TEXT, NOTE_LIMIT),
    )

    versions = [completed]
    versions.append(service.submit_return(clerk, completed.id))
    versions.append(service.approve_return(approver, completed.id, "同意"))
    versions.append(service.approve_return(inspector, completed.id, "质检同意 ✅"))
    step()
    receipts = {
        MOUSE: Receipt(received=2),
        MONITOR: Receipt(received=1, serial_numbers=["MON27-0001"]),
    }
    versions.append(service.receive_goods(warehouse, completed.id, receipts))
    step()
    inspections = {
        MOUSE: Inspection(accepted=2, dispositions={Disposition.RESTOCK: 1, Disposition.REPAIR: 1}),
        MONITOR: Inspection(accepted=1, disposition=Disposition.SCRAP, note="屏幕碎裂"),
    }
    versions.append(service.inspect_goods(inspector, completed.id, inspections))
    step()
    versions.append(service.complete_return(finance, completed.id))
    step()
    refund = versions[-1].refund
    versions.append(service.record_refund_payment(finance, completed.id, refund, "支付宝 2026"))
    step()
    [payment] = _payments(versions[-1])
    versions.append(service.settle_refund_payment(finance, completed.id, payment, True))
    step()
    versions.append(service.finish_repair(warehouse, completed.id, MOUSE, Decimal(1)))

    service.submit_return(clerk, rejected.id)
    rejected = service.reject_return(approver, rejected.id, "超过退货期限\n请联系销售")
    cancelled = service.cancel_return(clerk, cancelled.id, "客户撤回")
    submitted = service.submit_return(clerk, submitted.id)
    # Denied attempts: the clerk approving (on a return), the warehouse
    # editing the reasons (on none: ``to_status`` is ``None``).
    with contextlib.suppress(NotAuthorised):
        service.approve_return(clerk, submitted.id, "我自己批")
    with contextlib.suppress(NotAuthorised):
        service.retire_reason(warehouse, "other")
    if service.submit_return(clerk, partly_received.id).current_step is not None:
        service.approve_return(approver, partly_received.id)
    step()
    partly_received = service.receive_goods(
        warehouse, partly_received.id, {DINAR_LINE: Receipt(received=1, lot="L-٢٠٢٦")}
    )
    edited_before = create(
        RequestedLine(CHAIR, 1, "damaged_in_transit"),
        RequestedLine(LAMP, 2, "changed_requirement"),
    )
    step()
    edited = service.edit_return(
        clerk, edited_before.id, [RequestedLine(LAMP, 2, "changed_requirement")]
    )

    orders = (completed, rejected, cancelled, submitted, partly_received, awkward, edited)
    # In the order they were written: by time, and in a return's order at one time.
    trails = [entry for order in orders for entry in service.audit_trail(clerk, order.id)]
    denied = service.tenant_audit_trail(wiring.admin)
    entries = tuple(sorted((*trails, *denied), key=lambda entry: entry.at))
    catalog = (
        DEFAULT_CATALOG.with_category(
            ReasonCategory("packaging", {"en": "Packaging 📦", "zh-CN": "包装问题"})
        )
        .with_reason(
            Reason(
                "box_crushed",
                "packaging",
                {"en": "Box crushed", "zh-CN": "外箱压坏 \u200f"},
                Fault.CARRIER,
                requires_inspection=False,
            )
        )
        .relabelled("other", {"en": "Something else", "zh-CN": "其他（请注明）"})
        .retired("other")
    )
    return History(
        tenant_id=TENANT,
        completed=versions[-1],
        completed_versions=tuple(versions),
        rejected=rejected,
        cancelled=cancelled,
        submitted=submitted,
        partly_received=partly_received,
        awkward=awkward,
        edited=edited,
        edited_before=edited_before,
        entries=entries,
        messages=tuple(message for _, message in wiring.database.committed.outbox.values()),
        moves=service.stock_moves(finance),
        journal=service.journal(finance),
        catalog=catalog,
        sequence_key=next(iter(wiring.database.committed.sequences)),
    )
