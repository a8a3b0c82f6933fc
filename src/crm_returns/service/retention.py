"""Retiring records, the parts a person does one at a time: holds, archive, erasure, the log.

Every step here writes one entry to the tenant's hash-chained operation log in
the same transaction as the change it records.  The sweeps and plans are in
``retention_plans``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import ReturnRetired
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.retention import (
    RETURN_ORDERS,
    ErasureRequest,
    ErasureStatus,
    HoldScope,
    LegalHold,
    LogEntry,
    Operation,
    RecordKey,
    Refusal,
    open_matters,
    released,
    sealed,
    subject_digest,
    surrogate_for,
    verify_log,
)
from crm_returns.domain.retention.holds import HoldTarget
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

    # -- erasure --------------------------------------------------------------

    def request_erasure(
        self, actor: Actor, customer_id: str, *, personal: Iterable[str] = ()
    ) -> ErasureRequest:
        """Erase a customer's personal data (PIPL art. 47, GDPR art. 17), keeping the facts.

        Their id becomes a surrogate, their name and what was written about
        them leave every return, audit entry and outbox message of theirs, and
        the host's records through its record keepers; amounts, dates and
        document numbers stay.  Their returns are archived: kept for the law,
        storage-only, and destroyed when their retention runs.  ``personal``
        names more strings to remove wherever they appear (an e-mail address,
        a phone number); they are used, never stored.

        A legal hold on the customer or on a return of theirs, or a return
        of theirs still open, refuses the erasure (the request is kept, refused or scheduled, with
        the reason); records the law keeps unchanged (posted journal entries)
        are refused one by one with their basis.

        Raises:
            InvalidInput: The customer id or a personal string is malformed.
            NotAuthorised: The actor may not manage retention.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        customer_id = checked_id(customer_id, "customer id")
        strings = _personal(personal)
        subject = subject_digest(actor.tenant_id, customer_id)
        with self._uow() as uow:
            request = ErasureRequest(
                id=self._ids.new_id(),
                tenant_id=actor.tenant_id,
                number=self._number(uow, actor.tenant_id, self.settings.erasure_format),
                subject=subject,
                surrogate=surrogate_for(subject),
                status=ErasureStatus.PENDING,
                requested_by=actor.id,
                requested_at=self._clock.now(),
            )
            uow.retention.add_erasure(request)
            self._log(uow, actor, Operation.ERASURE_REQUESTED, ids=(request.number, subject))
            request = self._erase(uow, actor, request, customer_id, strings)
            uow.commit()
        return request

    def _erase(
        self,
        uow: UnitOfWork,
        actor: Actor,
        request: ErasureRequest,
        customer_id: str,
        personal: tuple[str, ...],
    ) -> ErasureRequest:
        """Carry ``request`` out in ``uow``, or say what keeps it from being."""
        at = self._clock.now()
        tenant = actor.tenant_id
        orders = _returns_of(uow, tenant, customer_id)
        # A hold on one of their returns holds that return's personal data too.
        targets = [HoldTarget(RecordKey(tenant, "customers", customer_id), customer_id)] + [
            HoldTarget(RecordKey(tenant, RETURN_ORDERS, order.id), customer_id, order.id)
            for order in orders
        ]
        held = [
            h.describe()
            for h in uow.retention.holds(tenant)
            if h.in_force(at) and any(h.covers(target) for target in targets)
        ]
        waiting = [matter for order in orders for matter in open_matters(order)]
        if held or waiting:
            status = ErasureStatus.REFUSED if held else ErasureStatus.SCHEDULED
            reasons = tuple(Refusal(f"customers/{request.subject}", why) for why in held + waiting)
            request = _evolved(request, status=status, refusals=reasons)
            uow.retention.update_erasure(request)
            self._log(uow, actor, Operation.ERASE, ids=(request.number,), outcome=status.value)
            return request
        done = uow.retention.erase(tenant, customer_id, request.surrogate, personal)
        erased, refusals = list(done.erased), list(done.refusals)
        for keeper in self.settings.host_records:
            theirs = keeper.erase(tenant, customer_id, request.surrogate, personal)
            erased += theirs.erased
            refusals += theirs.refusals
        keys = [RecordKey(tenant, RETURN_ORDERS, order.id) for order in orders]
        kept = [key for key in keys if not uow.retention.archived(tenant, key.record_id)]
        if kept:
            uow.retention.archive(kept)
        request = _evolved(
            request,
            erased=tuple(erased),
            refusals=tuple(refusals),
            storage_only=len(keys),
            completed_at=at,
        )
        request = _evolved(request, status=request.outcome())
        uow.retention.update_erasure(request)
        self._log(
            uow,
            actor,
            Operation.ERASE,
            ids=(request.number, request.subject),
            counts=request.erased,
            outcome=request.status.value,
        )
        return request

    def retry_erasures(self, actor: Actor) -> Sequence[ErasureRequest]:
        """Carry out again the scheduled requests whose returns have since closed.

        A scheduled request names its customer only by digest, so it finds
        their returns by digest; the sweep calls this too.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        done = []
        with self._uow() as uow:
            for request in uow.retention.erasures(actor.tenant_id):
                if request.status is not ErasureStatus.SCHEDULED:
                    continue
                for customer_id in _customers_with(uow, actor.tenant_id, request.subject):
                    request = self._erase(uow, actor, request, customer_id, ())
                done.append(request)
            uow.commit()
        return done

    def reapply_erasures(self, actor: Actor) -> int:
        """Apply every recorded erasure again: after a restore from a backup, say.

        Finds each erased customer's records again by their digest and erases
        them with the same surrogate.  Returns the number of customers whose
        data had come back.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        tenant, found = actor.tenant_id, 0
        with self._uow() as uow:
            erased = {
                r.subject: r
                for r in uow.retention.erasures(tenant)
                if r.status in (ErasureStatus.COMPLETED, ErasureStatus.PARTLY_REFUSED)
            }
            for subject, request in erased.items():
                for customer_id in _customers_with(uow, tenant, subject):
                    uow.retention.erase(tenant, customer_id, request.surrogate, ())
                    found += 1
            self._log(uow, actor, Operation.REAPPLY_ERASURES, counts=(("customers", found),))
            uow.commit()
        return found

    def erasure_requests(self, actor: Actor) -> Sequence[ErasureRequest]:
        """Every erasure request of the tenant, oldest first."""
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        with self._uow() as uow:
            return uow.retention.erasures(actor.tenant_id)


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
    entries: list[LogEntry] = []
    after = 0
    with unit_of_work() as uow:
        while True:
            page = uow.retention.log(tenant_id, after, PAGE)
            entries.extend(page)
            if len(page) < PAGE:
                break
            after = page[-1].position
    broken = verify_log(entries)
    if broken is not None:
        raise LogTampered(tenant_id, broken.position, broken.why)
    return len(entries)


def _named(hold: LegalHold) -> str:
    """What a hold is on, as the log may name it (a customer by digest only)."""
    if hold.scope is HoldScope.CUSTOMER:
        return f"customer:{subject_digest(hold.tenant_id, hold.target)}"
    return f"{hold.scope.value}:{hold.target}"


def _personal(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput("personal strings are given as a list of strings")
    strings = tuple(checked_text(value, "a personal string") for value in values)
    if len(strings) > PERSONAL_LIMIT:
        raise InvalidInput(f"an erasure names at most {PERSONAL_LIMIT} personal strings")
    return tuple(value for value in strings if value.strip())


def _returns_of(uow: UnitOfWork, tenant_id: str, customer_id: str) -> list[ReturnOrder]:
    """Every return of the customer, archived ones too."""
    found: list[ReturnOrder] = []
    while True:
        query = ReturnQuery(
            customer_id=customer_id, include_archived=True, offset=len(found), limit=_LIST
        )
        page = uow.returns.search(tenant_id, query)
        found += page.items
        if len(page.items) < _LIST:
            return found


def _customers_with(uow: UnitOfWork, tenant_id: str, subject: str) -> list[str]:
    """The customer ids of the tenant's returns whose digest is ``subject``."""
    found: set[str] = set()
    after = None
    while True:
        page = uow.retention.records(tenant_id, RETURN_ORDERS, after, PAGE)
        found |= {
            r.customer_id
            for r in page
            if r.customer_id and subject_digest(tenant_id, r.customer_id) == subject
        }
        if len(page) < PAGE:
            return sorted(found)
        after = page[-1].key.record_id


def _evolved(request: ErasureRequest, **changes: Any) -> ErasureRequest:
    return attrs.evolve(request, **changes)
