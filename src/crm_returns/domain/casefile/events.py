"""Events of the customer side: requests, shipments, evidence, contacts, feedback, owners.

Each is a :class:`~crm_returns.domain.events.ReturnEvent` like the
workflow's, written to the audit trail and the outbox in the command's
transaction.  Most do not move the return (``from_status`` equals
``to_status``); their :class:`~crm_returns.domain.returns.states.Action`
says what changed in the case file.
"""

from __future__ import annotations

__all__: list[str] = []
