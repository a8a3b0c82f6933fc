"""The audit trail (操作日志): who did what to a return, when, and why."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.states import Action, ReturnStatus

__all__ = ["AuditEntry", "audit_entry"]


@attrs.frozen
class AuditEntry:
    """One line of a return's audit trail.

    Attributes:
        id: The entry's id.
        tenant_id: The tenant.
        return_id: The return's id.
        number: The return's readable number.
        at: When it happened.
        actor_id: Who did it.
        actor_name: Their display name at the time.
        action: What they did.
        from_status: Status before (``None`` when the return was created, or
            for a denied attempt that concerned no return).
        to_status: Status after (for a denied attempt, unchanged or ``None``).
        comment: Why, in the actor's words.
        detail: What changed, as readable ``(field, value)`` pairs.
    """

    id: str
    tenant_id: str
    return_id: str
    number: str
    at: datetime
    actor_id: str
    actor_name: str
    action: Action
    from_status: ReturnStatus | None
    to_status: ReturnStatus | None
    comment: str
    detail: tuple[tuple[str, str], ...] = ()


_BASE_FIELDS = frozenset(attrs.fields_dict(ReturnEvent))


def _readable(value: object) -> str:
    """Render an event field for people: ``SO-1/2: received=2, missing=1``.

    Lines are separated by ``; ``, fields by ``, ``, and the parts of one
    field (a split over dispositions, several serial numbers) by ``+``.
    """
    if isinstance(value, tuple):
        if len(value) == 2 and isinstance(value[0], LineRef):
            return f"{value[0]}: {_readable(value[1])}"
        return "; ".join(_readable(item) for item in value)
    kind = type(value)
    if kind.__str__ is object.__str__ and attrs.has(kind):
        parts = []
        for field in attrs.fields(kind):
            part = getattr(value, field.name)
            # Fields left at their default (zero counts, no flag, no note, the default
            # disposition) say nothing; leave them out.
            if part != field.default and part:
                parts.append(f"{field.name}={_part(part)}")
        return ", ".join(parts)
    return _part(value)


def _part(value: object) -> str:
    if isinstance(value, tuple):
        return "+".join(
            ":".join(_part(item) for item in element) if isinstance(element, tuple) else
            _part(element)
            for element in value
        )  # fmt: skip
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def audit_entry(event: ReturnEvent, entry_id: str) -> AuditEntry:
    """The audit entry that records ``event``."""
    return AuditEntry(
        id=entry_id,
        tenant_id=event.tenant_id,
        return_id=event.return_id,
        number=event.number,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        comment=event.comment,
        detail=tuple(
            (field.name, _readable(getattr(event, field.name)))
            for field in attrs.fields(type(event))
            if field.name not in _BASE_FIELDS
        ),
    )
