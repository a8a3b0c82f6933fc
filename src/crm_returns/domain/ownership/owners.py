"""What a host sees of a return's owner and deadline."""

from __future__ import annotations

from datetime import datetime

import attrs

from crm_returns.domain.ownership.records import Stage

__all__ = ["ReturnOwner"]


@attrs.frozen(kw_only=True)
class ReturnOwner:
    """Who owns a return, the stage it is in, since when, and whether it is late.

    Attributes:
        return_id: The return's id.
        number: The return's readable number.
        user_id: The owning user (``None``: no user owns it).
        team: The owning team (``None``: no team owns it).
        stage: The stage it is in (``None``: nothing is due).
        since: When it entered that stage.
        due_at: When that stage is due.
        late: Whether the stage was overdue at the time asked about.
        assigned_by: Who assigned it last (``None``: it was never assigned).
        assigned_at: When it was first assigned.
    """

    return_id: str
    number: str
    user_id: str | None
    team: str | None
    stage: Stage | None
    since: datetime | None
    due_at: datetime | None
    late: bool
    assigned_by: str | None
    assigned_at: datetime | None
