"""The return order's state machine, as one table.

::

    draft ──submit──▶ submitted ──approve (last step)──▶ approved ──receive──▶ partially_received
      │                 │  ▲ approve (more steps)           │                     │ receive
      │                 └──┘                                │                     ▼
      │                 │ reject ──▶ rejected               └──receive (all)──▶ received
      │                 │                                                         │ inspect (all)
      └─cancel─▶ cancelled ◀─cancel─ submitted, approved (nothing received)        ▼
                                                       completed ◀──complete── inspected

A customer's request (:mod:`crm_returns.domain.requests`) is a draft the
customer made: staff accept it (it is submitted), or ``decline`` it
(draft ──decline──▶ rejected); the customer may ``withdraw`` it while the goods
have not left (draft, submitted, approved ──withdraw──▶ cancelled).

``received`` may also be completed directly when every received unit was
already settled at receipt (reasons that need no inspection).  Completion
needs the refund granted first (``grant_refund``, in ``received`` or
``inspected``); refund payments and finished repairs are recorded without
changing the status, even after completion.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["TERMINAL", "TRANSITIONS", "Action", "ReturnStatus"]


class ReturnStatus(enum.Enum):
    """Where a return order stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    INSPECTED = "inspected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Action(enum.Enum):
    """What can be done to a return order."""

    DRAFT = "draft"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    RECEIVE = "receive"
    INSPECT = "inspect"
    COMPLETE = "complete"
    FINISH_REPAIR = "finish_repair"
    GRANT_REFUND = "grant_refund"
    RECORD_PAYMENT = "record_payment"
    SETTLE_PAYMENT = "settle_payment"
    #: Staff declined a customer's request (with a decline reason).
    DECLINE = "decline"
    #: The customer withdrew their request before the goods left.
    WITHDRAW = "withdraw"
    #: Not a move: an attempt the access policy refused, kept in the audit trail.
    DENIED = "denied"
    #: Not a move: the return was archived, restored or destroyed by retention
    #: (its status stays; the retention operation log records it).
    RETIRE = "retire"
    #: Not a move: the case file changed (the status stays; the audit trail says what).
    #: A shipment added or its tracking updated.
    TRACK = "track"
    #: A photo or file attached.
    ATTACH = "attach"
    #: A contact with the customer logged.
    CONTACT = "contact"
    #: The customer's feedback given.
    FEEDBACK = "feedback"
    #: The owner assigned or changed.
    ASSIGN = "assign"
    #: Staff accepted a customer's request (the submission follows).
    ACCEPT = "accept"


S = ReturnStatus
A = Action

#: Every legal move: (status, action) → the statuses it may lead to.  Which one
#: is reached depends on the quantities (all received or not, last step or not).
TRANSITIONS: Final[dict[tuple[ReturnStatus, Action], frozenset[ReturnStatus]]] = {
    (S.DRAFT, A.EDIT): frozenset({S.DRAFT}),
    (S.DRAFT, A.SUBMIT): frozenset({S.SUBMITTED, S.APPROVED}),
    (S.DRAFT, A.CANCEL): frozenset({S.CANCELLED}),
    (S.SUBMITTED, A.APPROVE): frozenset({S.SUBMITTED, S.APPROVED}),
    (S.SUBMITTED, A.REJECT): frozenset({S.REJECTED}),
    (S.SUBMITTED, A.CANCEL): frozenset({S.CANCELLED}),
    (S.APPROVED, A.CANCEL): frozenset({S.CANCELLED}),
    # A customer's request: declined by staff, or withdrawn by the customer.
    (S.DRAFT, A.DECLINE): frozenset({S.REJECTED}),
    **{(s, A.WITHDRAW): frozenset({S.CANCELLED}) for s in (S.DRAFT, S.SUBMITTED, S.APPROVED)},
    (S.APPROVED, A.RECEIVE): frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED}),
    (S.PARTIALLY_RECEIVED, A.RECEIVE): frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED}),
    (S.PARTIALLY_RECEIVED, A.INSPECT): frozenset({S.PARTIALLY_RECEIVED}),
    (S.RECEIVED, A.INSPECT): frozenset({S.RECEIVED, S.INSPECTED}),
    (S.RECEIVED, A.COMPLETE): frozenset({S.COMPLETED}),
    (S.INSPECTED, A.COMPLETE): frozenset({S.COMPLETED}),
    # Money is decided once the goods are settled, and paid out even after completion.
    (S.RECEIVED, A.GRANT_REFUND): frozenset({S.RECEIVED}),
    (S.INSPECTED, A.GRANT_REFUND): frozenset({S.INSPECTED}),
    **{(s, A.RECORD_PAYMENT): frozenset({s}) for s in (S.RECEIVED, S.INSPECTED, S.COMPLETED)},
    **{(s, A.SETTLE_PAYMENT): frozenset({s}) for s in (S.RECEIVED, S.INSPECTED, S.COMPLETED)},
    # Goods sent to repair come back (or are scrapped) whenever the repair is done.
    **{
        (s, A.FINISH_REPAIR): frozenset({s})
        for s in (S.PARTIALLY_RECEIVED, S.RECEIVED, S.INSPECTED, S.COMPLETED)
    },
}

#: Statuses from which nothing more can happen.
TERMINAL: Final = frozenset({S.REJECTED, S.CANCELLED, S.COMPLETED})
