"""A customer's request's state machine, as one table.

::

    pending ──accept──▶ accepted ──withdraw (goods not yet sent)──▶ withdrawn
       │ decline ──▶ declined                                           ▲
       └──────────────────────withdraw──────────────────────────────────┘

The return moves with it (:mod:`crm_returns.domain.returns.states`): accepted
submits the draft into the approval workflow, declined rejects it, withdrawn
cancels it.  A request that was accepted follows its return afterwards: it
stays ``accepted`` whatever the approvers, the warehouse and finance decide.
"""

from __future__ import annotations

from typing import Final

from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.returns.states import Action

__all__ = ["REQUEST_TERMINAL", "REQUEST_TRANSITIONS"]

R = RequestStatus

#: Every legal move of a request: (status, action) → the status it leads to.
REQUEST_TRANSITIONS: Final[dict[tuple[RequestStatus, Action], RequestStatus]] = {
    (R.PENDING, Action.ACCEPT): R.ACCEPTED,
    (R.PENDING, Action.DECLINE): R.DECLINED,
    (R.PENDING, Action.WITHDRAW): R.WITHDRAWN,
    (R.ACCEPTED, Action.WITHDRAW): R.WITHDRAWN,
}

#: Statuses from which a request never moves again.
REQUEST_TERMINAL: Final = frozenset({R.DECLINED, R.WITHDRAWN})
