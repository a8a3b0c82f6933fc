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

from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.returns.states import Action

__all__: list[str] = ["ReturnAssigned"]


@attrs.frozen(kw_only=True)
class ReturnAssigned(ReturnEvent):
    """A return was given an owner, or passed from one owner to another.

    Attributes:
        from_user_id: The user who owned it before (``None``: no user).
        from_team: The team that owned it before (``None``: no team).
        to_user_id: The user who owns it now (``None``: no user).
        to_team: The team that owns it now (``None``: no team).
    """

    action: ClassVar[Action] = Action.ASSIGN
    from_user_id: str | None
    from_team: str | None
    to_user_id: str | None
    to_team: str | None
