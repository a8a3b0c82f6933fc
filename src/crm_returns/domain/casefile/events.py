"""Events of the customer side: requests, shipments, evidence, contacts, feedback, owners.

Each is a :class:`~crm_returns.domain.events.ReturnEvent` like the
workflow's, written to the audit trail and the outbox in the command's
transaction.  Most do not move the return (``from_status`` equals
``to_status``); their :class:`~crm_returns.domain.returns.states.Action`
says what changed in the case file.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from crm_returns.domain._checks import text
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.states import Action

__all__ = ["RequestAccepted", "RequestDeclined", "RequestWithdrawn", "ReturnRequested"]


@attrs.frozen(kw_only=True)
class ReturnRequested(ReturnEvent):
    """A customer asked for a return: it exists as a draft, waiting for staff.

    It takes the place of :class:`~crm_returns.ReturnDrafted` for a return the
    customer made (``from_status`` is ``None``, ``to_status`` draft).

    Attributes:
        lines: The order lines asked for.
    """

    action: ClassVar[Action] = Action.DRAFT
    lines: tuple[LineRef, ...]


@attrs.frozen(kw_only=True)
class RequestAccepted(ReturnEvent):
    """Staff accepted a customer's request; its submission follows in the same command.

    It does not move the return (draft to draft): the
    :class:`~crm_returns.ReturnSubmitted` that follows does.
    """

    action: ClassVar[Action] = Action.ACCEPT


@attrs.frozen(kw_only=True)
class RequestDeclined(ReturnEvent):
    """Staff declined a customer's request: the return is rejected before any approval.

    Attributes:
        reason: The decline reason's code, such as ``outside_window``.
        reason_zh: Its label in Chinese (zh-CN), as the catalog had it.
        reason_en: Its label in English.
        message: What staff wrote to the customer.
    """

    action: ClassVar[Action] = Action.DECLINE
    reason: str = attrs.field(validator=text(64))
    reason_zh: str = attrs.field(validator=text(200))
    reason_en: str = attrs.field(validator=text(200))
    message: str = attrs.field(default="", validator=text(2000, optional=True))


@attrs.frozen(kw_only=True)
class RequestWithdrawn(ReturnEvent):
    """The customer withdrew their request before the goods left: the return is cancelled."""

    action: ClassVar[Action] = Action.WITHDRAW
