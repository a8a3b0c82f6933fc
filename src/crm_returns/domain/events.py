"""Domain events: small frozen facts about what happened to a return.

Every state change emits one.  The service stores them in the same
transaction as the new state (the outbox), turns each into an audit entry,
and hands them to the event sink once committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from crm_returns.domain._checks import moment
from crm_returns.domain.lines import Inspection, Receipt
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.states import Action, ReturnStatus

__all__ = [
    "ApprovalGiven",
    "GoodsReceived",
    "LinesInspected",
    "ReturnApproved",
    "ReturnCancelled",
    "ReturnCompleted",
    "ReturnDrafted",
    "ReturnEvent",
    "ReturnLinesEdited",
    "ReturnRejected",
    "ReturnSubmitted",
]


@attrs.frozen(kw_only=True)
class ReturnEvent:
    """Base of every return event.

    Attributes:
        tenant_id: The tenant.
        return_id: The return's id.
        number: The return's readable number.
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
    actor_id: str
    actor_name: str
    at: datetime = attrs.field(validator=moment)
    from_status: ReturnStatus | None
    to_status: ReturnStatus
    comment: str = ""


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
