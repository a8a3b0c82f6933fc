"""Retiring records, the parts a person does one at a time: holds, archive, erasure, the log.

Every step here writes one entry to the tenant's hash-chained operation log in
the same transaction as the change it records.  The sweeps and plans are in
``retention_plans``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import ReturnRetired
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.domain.retention import (
    RETURN_ORDERS,
    HoldScope,
    LegalHold,
    LogEntry,
    Operation,
    RecordKey,
    open_matters,
    released,
    sealed,
    subject_digest,
    verify_log,
)
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.summary import summarize
from crm_returns.errors import (
    IllegalRetentionStep,
    InvalidInput,
    LogTampered,
    NotFound,
    RecordHeld,
    quoted,
)
from crm_returns.ports import OutboxMessage, UnitOfWork
from crm_returns.service.checks import checked_id, checked_text, checked_value
from crm_returns.service.template import ServiceCore

__all__ = ["PAGE", "Retention"]

#: Records read, written or checked at a time.
PAGE = 500

_LIST = MAX_PAGE_SIZE

#: The most personal strings an erasure request may name besides the customer's id.
PERSONAL_LIMIT = 20


class Retention(ServiceCore):
    """Legal holds, archiving and restoring returns, erasure requests, the operation log."""

    # -- the log --------------------------------------------------------------

    def _log(
        self,
        uow: UnitOfWork,
        actor: Actor,
        operation: Operation,
        *,
        record_class: str = "",
        ids: tuple[str, ...] = (),
        counts: tuple[tuple[str, int], ...] = (),
        legal_basis: str = "",
        backup: str = "",
        outcome: str = "done",
    ) -> None:
        """Seal and append one operation log entry, in ``uow``'s transaction."""
        previous = uow.retention.last_log_entry(actor.tenant_id)
        entry = LogEntry(
            tenant_id=actor.tenant_id,
            position=0,
            at=self._clock.now(),
            actor_id=actor.id,
            operation=operation,
            record_class=record_class,
            ids=ids,
            counts=counts,
            legal_basis=legal_basis,
            backup=backup,
            outcome=outcome,
        )
        uow.retention.append_log(sealed(entry, previous))

    def retention_log(
        self, actor: Actor, *, after: int = 0, limit: int = PAGE
    ) -> Sequence[LogEntry]:
        """The tenant's operation log, oldest first, from position ``after + 1``."""
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        after, limit = checked_window(after, limit)
        with self._uow() as uow:
            return uow.retention.log(actor.tenant_id, after, limit)

    def verify_retention_log(self, actor: Actor) -> int:
        """Check the tenant's whole operation log; how many entries it holds.

        Raises:
            LogTampered: An entry was changed, removed or reordered.
        """
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        return verify_tenant_log(self._uow, actor.tenant_id)

    def _tell(
        self,
        uow: UnitOfWork,
        actor: Actor,
        order: ReturnOrder,
        change: str,
        plan_number: str = "",
        legal_basis: str = "",
    ) -> None:
        """Queue a :class:`ReturnRetired` for the destinations, in ``uow``'s transaction."""
        event = ReturnRetired(
            tenant_id=order.tenant_id,
            return_id=order.id,
            number=order.number,
            customer_id=order.customer_id,
            actor_id=actor.id,
            actor_name=actor.name,
            at=self._clock.now(),
            from_status=order.status,
            to_status=order.status,
            change=change,
            plan_number=plan_number,
            legal_basis=legal_basis,
        )
        uow.outbox.add(OutboxMessage(self._ids.new_id(), event, summarize(order)))

    # -- holds ----------------------------------------------------------------

    def place_hold(
        self,
        actor: Actor,
        scope: HoldScope,
        target: str,
        reason: str,
        *,
        until: datetime | None = None,
    ) -> LegalHold:
        """Place a legal hold on a customer, a return or one record (``"<class>/<id>"``).

        While it is in force nothing it covers is destroyed or erased.

        Raises:
            InvalidInput: The scope, target, reason or end is malformed.
            NotAuthorised: The actor may not place holds.
        """
        actor = self._authorise(actor, Permission.PLACE_HOLDS)
        scope = checked_value(scope, HoldScope, "hold scope")
        target = checked_id(target, "hold target")
        reason = checked_text(reason, "hold reason")
        if until is not None and not isinstance(until, datetime):
            raise InvalidInput(f"a hold's end is a datetime, got {type(until).__name__}")
        with self._uow() as uow:
            hold = LegalHold(
                id=self._ids.new_id(),
                tenant_id=actor.tenant_id,
                scope=scope,
                target=target,
                reason=reason,
                placed_by=actor.id,
                placed_at=self._clock.now(),
                until=until,
            )
            uow.retention.add_hold(hold)
            self._log(uow, actor, Operation.HOLD, ids=(hold.id, _named(hold)), outcome=reason)
            uow.commit()
        return hold

    def release_hold(self, actor: Actor, hold_id: str) -> LegalHold:
        """Release a legal hold.

        Raises:
            NotFound: The tenant has no such hold.
            IllegalRetentionStep: It was released already.
        """
        actor = self._authorise(actor, Permission.PLACE_HOLDS)
        hold_id = checked_id(hold_id, "hold id")
        with self._uow() as uow:
            found = {h.id: h for h in uow.retention.holds(actor.tenant_id)}.get(hold_id)
            if found is None:
                raise NotFound("legal hold", hold_id)
            hold = released(found, actor.id, self._clock.now())
            uow.retention.update_hold(hold)
            self._log(uow, actor, Operation.RELEASE, ids=(hold.id, _named(hold)))
            uow.commit()
        return hold

    def legal_holds(self, actor: Actor) -> Sequence[LegalHold]:
        """Every legal hold of the tenant, released ones too, in the order placed."""
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        with self._uow() as uow:
            return uow.retention.holds(actor.tenant_id)

    # -- archive --------------------------------------------------------------

    def archive_return(self, actor: Actor, return_id: str) -> None:
        """Archive a closed return: kept, read-only, out of default lists and searches.

        Its lines, audit trail and stock moves go with it; its journal entries
        stay in the books.  :meth:`restore_return` brings it back exactly.

        Raises:
            NotFound: The tenant has no such return.
            RecordHeld: It is still open (in progress, or its refund not fully paid).
            IllegalRetentionStep: It is archived already.
        """
        self._archiving(actor, return_id, archive=True)

    def restore_return(self, actor: Actor, return_id: str) -> None:
        """Bring an archived return back, exactly as it was archived.

        Raises:
            NotFound: The tenant has no such return.
            IllegalRetentionStep: It is not archived.
        """
        self._archiving(actor, return_id, archive=False)

    def _archiving(self, actor: Actor, return_id: str, *, archive: bool) -> None:
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            if uow.retention.archived(actor.tenant_id, return_id) == archive:
                state = "archived already" if archive else "not archived"
                raise IllegalRetentionStep(f"return {order.number} is {state}")
            key = RecordKey(actor.tenant_id, RETURN_ORDERS, return_id)
            if archive:
                matters = open_matters(order)
                if matters:
                    raise RecordHeld(f"return {order.number}", matters)
                uow.retention.archive([key])
            else:
                uow.retention.restore([key])
            self._tell(uow, actor, order, "archived" if archive else "restored")
            operation = Operation.ARCHIVE if archive else Operation.RESTORE
            self._log(uow, actor, operation, record_class=RETURN_ORDERS, ids=(return_id,))
            uow.commit()


def checked_window(after: object, limit: object) -> tuple[int, int]:
    """``after`` and ``limit`` if they page a list: a position from 0, a count up to :data:`PAGE`.

    Raises:
        InvalidInput: Either is not a whole number in its range.
    """
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise InvalidInput(f"after must be a whole number from 0, got {quoted(after)}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PAGE:
        raise InvalidInput(f"limit must be a whole number from 1 to {PAGE}, got {quoted(limit)}")
    return after, limit


def checked_progress(progress: object) -> Callable[[int], None]:
    """``progress`` if it can be called with a count.

    Raises:
        InvalidInput: It cannot be called.
    """
    if not callable(progress):
        raise InvalidInput(f"progress must be callable with a count, got {type(progress).__name__}")
    return progress


def verify_tenant_log(unit_of_work: Callable[[], UnitOfWork], tenant_id: str) -> int:
    """Check one tenant's operation log page by page; the number of entries.

    Raises:
        LogTampered: It does not prove itself.
    """
    checked = 0

    def entries(uow: UnitOfWork) -> Iterator[LogEntry]:
        nonlocal checked
        after = 0
        while True:
            page = uow.retention.log(tenant_id, after, PAGE)
            checked += len(page)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].position

    with unit_of_work() as uow:
        broken = verify_log(entries(uow))  # a page at a time: memory stays flat
    if broken is not None:
        raise LogTampered(tenant_id, broken.position, broken.why)
    return checked


def _named(hold: LegalHold) -> str:
    """What a hold is on, as the log may name it (a customer by digest only)."""
    if hold.scope is HoldScope.CUSTOMER:
        return f"customer:{subject_digest(hold.tenant_id, hold.target)}"
    return f"{hold.scope.value}:{hold.target}"
