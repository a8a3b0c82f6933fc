"""Domain events: small frozen facts about what happened to a return.

Every state change emits one.  The service stores them in the same
transaction as the new state (the outbox), turns each into an audit entry,
and hands them to the event sink once committed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import attrs

from crm_returns.domain._checks import moment, text
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.returns.lines import NOTE_LIMIT, Inspection, Receipt
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition

__all__ = [
    "ApprovalGiven",
    "GoodsReceived",
    "LinesInspected",
    "RefundGranted",
    "RefundPaymentRecorded",
    "RefundPaymentSettled",
    "RepairFinished",
    "ReturnApproved",
    "ReturnCancelled",
    "ReturnCompleted",
    "ReturnDrafted",
    "ReturnEvent",
    "ReturnLinesEdited",
    "ReturnRejected",
    "ReturnRetired",
    "ReturnSubmitted",
]


@attrs.frozen(kw_only=True)
class ReturnEvent:
    """Base of every return event.

    Attributes:
        tenant_id: The tenant.
        return_id: The return's id.
        number: The return's readable number.
        customer_id: The customer the return is for.
        actor_id: Who did it.
        actor_name: Their display name at the time.
        at: When.
        from_status: Status before (``None`` for a new return).
        to_status: Status after.
        comment: Why, in the actor's words.
    """

    action: ClassVar[Action]

    tenant_id: str
    return_id: str
    number: str
    customer_id: str
    actor_id: str
    actor_name: str
    at: datetime = attrs.field(validator=moment)
    from_status: ReturnStatus | None
    to_status: ReturnStatus
    comment: str = attrs.field(default="", validator=text(NOTE_LIMIT, optional=True))


@attrs.frozen(kw_only=True)
class ReturnDrafted(ReturnEvent):
    """A return order was created as a draft.

    Attributes:
        lines: The order lines it covers.
    """

    action: ClassVar[Action] = Action.DRAFT
    lines: tuple[LineRef, ...]


@attrs.frozen(kw_only=True)
class ReturnLinesEdited(ReturnEvent):
    """A draft's lines were replaced.

    Attributes:
        lines: The order lines it now covers.
    """

    action: ClassVar[Action] = Action.EDIT
    lines: tuple[LineRef, ...]


@attrs.frozen(kw_only=True)
class ReturnSubmitted(ReturnEvent):
    """A draft was submitted for approval.

    Attributes:
        policy_version: The approval policy version that chose the steps.
        steps: Names of the approval steps required, in order.
    """

    action: ClassVar[Action] = Action.SUBMIT
    policy_version: str
    steps: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ApprovalGiven(ReturnEvent):
    """One approval step was taken; more remain.

    Attributes:
        step: The step's name.
    """

    action: ClassVar[Action] = Action.APPROVE
    step: str


@attrs.frozen(kw_only=True)
class ReturnApproved(ReturnEvent):
    """The return is approved: the last step was taken, or none was needed.

    Attributes:
        step: The last step's name, or ``None`` when approved automatically.
    """

    action: ClassVar[Action] = Action.APPROVE
    step: str | None

    @property
    def automatic(self) -> bool:
        """Whether no approval step was needed."""
        return self.step is None


@attrs.frozen(kw_only=True)
class ReturnRejected(ReturnEvent):
    """An approver rejected the return."""

    action: ClassVar[Action] = Action.REJECT


@attrs.frozen(kw_only=True)
class ReturnCancelled(ReturnEvent):
    """The return was cancelled before goods arrived."""

    action: ClassVar[Action] = Action.CANCEL


@attrs.frozen(kw_only=True)
class GoodsReceived(ReturnEvent):
    """Goods for some lines arrived (or were declared wrong or missing).

    Attributes:
        receipts: What was recorded, per order line.
    """

    action: ClassVar[Action] = Action.RECEIVE
    receipts: tuple[tuple[LineRef, Receipt], ...]


@attrs.frozen(kw_only=True)
class LinesInspected(ReturnEvent):
    """An inspector decided on received units.

    Attributes:
        inspections: What was decided, per order line.
    """

    action: ClassVar[Action] = Action.INSPECT
    inspections: tuple[tuple[LineRef, Inspection], ...]


@attrs.frozen(kw_only=True)
class ReturnCompleted(ReturnEvent):
    """The return is complete.

    Attributes:
        refund: The refund for the accepted units.
    """

    action: ClassVar[Action] = Action.COMPLETE
    refund: Money


@attrs.frozen(kw_only=True)
class RepairFinished(ReturnEvent):
    """Units came out of repair: back to sellable stock, or scrapped.

    Attributes:
        line: The order line.
        units: How many.
        outcome: Where they went.
    """

    action: ClassVar[Action] = Action.FINISH_REPAIR
    line: LineRef
    units: Decimal
    outcome: Disposition


@attrs.frozen(kw_only=True)
class RefundGranted(ReturnEvent):
    """The refund was decided: amount, method and credit note.

    Attributes:
        method: Original payment, store credit or replacement.
        amount: What the customer is owed.
        fee: Restocking fees kept.
        credit_note: The credit note's number, if one was issued.
        missing_units_refunded: Units refunded although they never arrived
            (a lost parcel, under a policy that allows it).
    """

    action: ClassVar[Action] = Action.GRANT_REFUND
    method: RefundMethod
    amount: Money
    fee: Money
    credit_note: str | None
    missing_units_refunded: Decimal


@attrs.frozen(kw_only=True)
class RefundPaymentRecorded(ReturnEvent):
    """A payment of the refund was started.

    Attributes:
        payment_id: The payment's id.
        amount: How much.
        reference: The payment provider's reference.
    """

    action: ClassVar[Action] = Action.RECORD_PAYMENT
    payment_id: str
    amount: Money
    reference: str


@attrs.frozen(kw_only=True)
class RefundPaymentSettled(ReturnEvent):
    """A refund payment succeeded or failed.

    Attributes:
        payment_id: The payment's id.
        status: How it ended.
    """

    action: ClassVar[Action] = Action.SETTLE_PAYMENT
    payment_id: str
    status: PaymentStatus


@attrs.frozen(kw_only=True)
class ReturnRetired(ReturnEvent):
    """Record retirement changed the return: archived, restored, or destroyed.

    Its status stays as it was (``from_status`` and ``to_status`` are the
    same).  It goes to the outbox, not the audit trail: an archived return
    restored is exactly as it was, and a destroyed one has no trail left; the
    retention operation log records every change.

    Attributes:
        change: ``"archived"``, ``"restored"`` or ``"destroyed"``.
        plan_number: The retention plan that did it (``""`` for a person's
            own archive or restore).
        legal_basis: The law under which the rule let it go, or ``""``.
    """

    action: ClassVar[Action] = Action.RETIRE
    change: str = attrs.field(validator=text(16))
    plan_number: str = attrs.field(default="", validator=text(64, optional=True))
    legal_basis: str = attrs.field(default="", validator=text(200, optional=True))
