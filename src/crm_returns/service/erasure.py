"""Erasure requests (PIPL art. 47, GDPR art. 17): a customer's personal data out, the facts kept.

The rule of what is replaced and what is kept is the domain's
(:mod:`crm_returns.domain.retention.erasure`); each store applies it to the
records it keeps (``RecordKeeper.erase``), and the host's keepers to theirs.
The bytes of the customer's attachments leave the attachment store once the
transaction that erased their records has committed
(:mod:`~crm_returns.service.retention_files`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.retention import (
    RETURN_ORDERS,
    ErasureRequest,
    ErasureStatus,
    Operation,
    RecordKey,
    Refusal,
    open_matters,
    subject_digest,
    surrogate_for,
)
from crm_returns.domain.retention.holds import HoldTarget
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import InvalidInput
from crm_returns.ports import UnitOfWork
from crm_returns.service.checks import checked_id, checked_text
from crm_returns.service.retention import PAGE, Retention
from crm_returns.service.retention_files import delete_bytes, erased_files

__all__ = ["PERSONAL_LIMIT", "Erasures"]

#: The most personal strings an erasure request may name besides the customer's id.
PERSONAL_LIMIT = 20

_LIST = MAX_PAGE_SIZE


class Erasures(Retention):
    """Erase a customer's personal data, again after a restore, and list the requests."""

    def request_erasure(
        self, actor: Actor, customer_id: str, *, personal: Iterable[str] = ()
    ) -> ErasureRequest:
        """Erase a customer's personal data (PIPL art. 47, GDPR art. 17), keeping the facts.

        Their id becomes a surrogate, their name and what was written about
        them leave every return, audit entry and outbox message of theirs, and
        the host's records through its record keepers, and the case file of
        their returns (request notes, contact summaries, feedback comments,
        file names, tracking locations); amounts, dates and document numbers
        stay.  The bytes of their attachments are deleted from the attachment
        store after the erasure commits (the records stay, with type, size and
        SHA-256); asking again for the same customer finishes a deletion a
        crash interrupted.  Their returns are archived: kept for the law,
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
        self._forget_files(actor.tenant_id, [request])
        return request

    def _forget_files(self, tenant_id: str, requests: Sequence[ErasureRequest]) -> int:
        """Delete the bytes of the attachments of the customers ``requests`` erased.

        Called after the transaction that erased their records committed;
        idempotent, so that running a request again finishes what a crash
        left.  Returns how many files there were to delete.
        """
        done = (ErasureStatus.COMPLETED, ErasureStatus.PARTLY_REFUSED)
        surrogates = [r.surrogate for r in requests if r.status in done]
        if not surrogates or self.settings.attachments is None:
            return 0
        with self._uow() as uow:
            files = erased_files(uow, tenant_id, surrogates)
        return delete_bytes(self.settings.attachments, tenant_id, files)

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
        self._forget_files(actor.tenant_id, done)
        return done

    def reapply_erasures(self, actor: Actor) -> int:
        """Apply every recorded erasure again: after a restore from a backup, say.

        Finds each erased customer's records again by their digest and erases
        them with the same surrogate, and deletes the bytes of every erased
        customer's attachments still stored (a restore brought them back, or a
        crash came between an erasure and its deletion).  Returns the number of
        customers whose data had come back.
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
        self._forget_files(tenant, list(erased.values()))
        return found

    def erasure_requests(self, actor: Actor) -> Sequence[ErasureRequest]:
        """Every erasure request of the tenant, oldest first."""
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        with self._uow() as uow:
            return uow.retention.erasures(actor.tenant_id)


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
    query = ReturnQuery(
        customer_id=customer_id, include_archived=True, limit=_LIST, with_total=False
    )
    while True:
        page = uow.returns.search(tenant_id, query)
        found += page.items
        if page.next_cursor is None:
            return found
        query = attrs.evolve(query, after=page.next_cursor)


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
