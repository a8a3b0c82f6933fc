"""Legal holds (法律保留) and open matters: what stops a record from being retired.

A legal hold is placed by a person for a reason (a lawsuit, an audit, a tax
inspection) on a customer, a return or one record; while it is in force it
blocks destruction, erasure and deletion of everything it covers.  A hold on a
customer covers their returns and every record that names them.

Open matters hold by themselves, with no one placing them, until they close
(会计档案管理办法 第十九条: records of matters not settled are not destroyed):
a return still in progress, a refund not fully paid, or — through the
host-record port — a dispute the host knows of.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crm_returns.domain._checks import aware, moment, value_of
from crm_returns.domain.retention.classes import RETURN_ORDERS, RecordKey
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.errors import IllegalRetentionStep, InvalidInput

__all__ = ["HoldScope", "HoldTarget", "LegalHold", "open_matters", "released"]

#: The longest reason a hold may give.
REASON_LIMIT = 500


class HoldScope(enum.Enum):
    """What a legal hold is placed on."""

    #: A customer: every return of theirs and every record that names them.
    CUSTOMER = "customer"
    #: One return order and every record of it.
    RETURN = "return"
    #: One record of any class, ``"<class>/<id>"``.
    RECORD = "record"


@attrs.frozen
class HoldTarget:
    """Who or what a record belongs to, as holds see it.

    Attributes:
        key: The record.
        customer_id: The customer it names, if any.
        return_id: The return it belongs to, if any.
    """

    key: RecordKey
    customer_id: str | None = None
    return_id: str | None = None


def _reason(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > REASON_LIMIT:
        raise InvalidInput(f"a hold gives a reason of 1 to {REASON_LIMIT} characters")
    return value


@attrs.frozen
class LegalHold:
    """A legal hold, in force from :attr:`placed_at` until released or :attr:`until`.

    Attributes:
        id: The hold's id.
        tenant_id: The tenant.
        scope: What it is placed on.
        target: The customer id, the return id, or ``"<class>/<id>"``.
        reason: Why, in the words of the person who placed it.
        placed_by: Who placed it.
        placed_at: When.
        until: When it lapses by itself; ``None`` for until released.
        released_by: Who released it, once someone has.
        released_at: When.

    Raises:
        InvalidInput: The reason is blank or too long, the target is blank,
            or it lapses before it is placed.
    """

    id: str
    tenant_id: str
    scope: HoldScope = attrs.field(validator=value_of(HoldScope))
    target: str = attrs.field()
    reason: str = attrs.field(converter=_reason)
    placed_by: str
    placed_at: datetime = attrs.field(validator=moment)
    until: datetime | None = attrs.field(default=None, validator=aware)
    released_by: str | None = None
    released_at: datetime | None = attrs.field(default=None, validator=aware)

    @target.validator
    def _target(self, _: object, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("a hold names what it holds: a customer, return or record")

    def __attrs_post_init__(self) -> None:
        if self.until is not None and self.until <= self.placed_at:
            raise InvalidInput(f"hold {self.id} would lapse before it was placed")

    def in_force(self, at: datetime) -> bool:
        """Whether the hold holds at ``at``."""
        if self.released_at is not None and self.released_at <= at:
            return False
        return self.placed_at <= at and (self.until is None or at < self.until)

    def covers(self, target: HoldTarget) -> bool:
        """Whether the hold is on ``target`` (in force or not)."""
        if target.key.tenant_id != self.tenant_id:
            return False
        match self.scope:
            case HoldScope.CUSTOMER:
                return target.customer_id == self.target
            case HoldScope.RETURN:
                own = (
                    target.key.record_class == RETURN_ORDERS and target.key.record_id == self.target
                )
                return own or target.return_id == self.target
            case HoldScope.RECORD:
                return str(target.key) == self.target

    def describe(self) -> str:
        """The hold as a blocker reads it: ``held by hold H-1 (tax inspection 2026)``."""
        return f"held by hold {self.id} ({self.reason})"


def released(hold: LegalHold, by: str, at: datetime) -> LegalHold:
    """``hold`` released by ``by`` at ``at``.

    Raises:
        IllegalRetentionStep: It was released already.
    """
    if hold.released_at is not None:
        raise IllegalRetentionStep(f"hold {hold.id} was released already by {hold.released_by}")
    return attrs.evolve(hold, released_by=by, released_at=max(at, hold.placed_at))


def open_matters(order: ReturnOrder) -> tuple[str, ...]:
    """What keeps ``order`` open: in progress, or its refund not fully paid."""
    matters = []
    if order.status not in TERMINAL:
        matters.append(f"return {order.number} is in progress ({order.status.value})")
    if order.grant is not None and not order.grant.fully_paid:
        matters.append(f"the refund of return {order.number} is not fully paid")
    return tuple(matters)
