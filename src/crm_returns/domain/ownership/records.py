"""A return's owner and the deadline of the stage it is in."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from crm_returns.domain._checks import aware, identifier, value_of
from crm_returns.domain.casefile.records import CaseIndex, CaseRecord
from crm_returns.errors import InvalidInput

__all__ = ["Assignment", "Stage"]


class Stage(enum.Enum):
    """A stage of a return that has a deadline."""

    APPROVE = "approve"
    SHIP_BACK = "ship_back"
    RECEIVE = "receive"
    INSPECT = "inspect"
    REFUND = "refund"


def _optional_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(64)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Assignment(CaseRecord):
    """Who owns a return now, and when its current stage is due; one per return.

    Attributes:
        user_id: The owning user, if a person owns it.
        team: The owning team, if a team owns it.
        assigned_by: Who assigned it last.
        stage: The stage the return is in, ``None`` once nothing is due.
        since: When the return entered that stage (``None`` if unknown): kept
            here because the order itself does not date every stage (see
            :mod:`crm_returns.domain.ownership.stages`).
        due_at: When that stage is due.
    """

    kind: ClassVar[str] = "assignment"

    user_id: str | None = attrs.field(default=None, validator=_optional_id)
    team: str | None = attrs.field(default=None, validator=_optional_id)
    assigned_by: str = attrs.field(validator=identifier(64))
    stage: Stage | None = attrs.field(default=None, validator=value_of(Stage, optional=True))
    since: datetime | None = attrs.field(default=None, validator=aware)
    due_at: datetime | None = attrs.field(default=None, validator=aware)

    def __attrs_post_init__(self) -> None:
        if self.user_id is None and self.team is None:
            raise InvalidInput("an assignment names a user, a team, or both")
        if self.since is not None and self.due_at is not None and self.due_at < self.since:
            raise InvalidInput(
                f"the deadline {self.due_at.isoformat()} is before the stage began "
                f"({self.since.isoformat()})"
            )

    def index(self) -> CaseIndex:
        """One per return, found by owner, team and deadline."""
        return CaseIndex(key=self.return_id, owner=self.user_id, team=self.team, due_at=self.due_at)
